package io.archipelago.controller.journal;

import io.archipelago.proto.Architecture;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.NameDefined;
import io.archipelago.proto.ResultTold;
import io.archipelago.proto.ResultToldCompact;
import io.archipelago.proto.StepOp;
import java.util.HashMap;
import java.util.Map;

/**
 * Format 2's compact results ({@link ResultToldCompact}) and the name table they refer to: the
 * strings that repeat from result to result (search id, space, metric names, evaluator, kind) are
 * defined once per record, each by a {@link NameDefined} op ahead of the first result that uses
 * it, and results refer to them by id. {@link StepReader} resolves them back.
 */
final class CompactResults {
    private final WireWriter out;
    /** The names this record has defined so far, by id. */
    private final Map<String, Integer> nameIds = new HashMap<>();
    /** The result being written: its metrics' name ids and values (as bits). */
    private int[] metricIds = new int[16];

    private long[] metricBits = new long[16];

    CompactResults(WireWriter out) {
        this.out = out;
    }

    /** A new record: it defines the names it uses again, so that it stands alone (records concatenate: the latest definition holds). */
    void newRecord() {
        nameIds.clear();
    }

    /**
     * Whether {@link StepReader} gives back exactly this op from its compact form: it has a result,
     * with an architecture exactly when it names one, no learning curve (a trained candidate's
     * intermediate results: rare, and each one costs an evaluation of minutes, so they are written
     * whole rather than given a compact form), and no field of it is unknown here.
     */
    static boolean compactable(StepOp op) {
        ResultTold told = op.getTold();
        if (!told.hasResult()) {
            return false;
        }
        EvaluationResult result = told.getResult();
        Architecture architecture = result.getArchitecture();
        boolean namesOne = !architecture.getSpace().isEmpty()
                || !architecture.getEncoding().isEmpty();
        return result.hasArchitecture() == namesOne
                && result.getIntermediatesCount() == 0
                && WireWriter.noUnknownFields(op)
                && WireWriter.noUnknownFields(told)
                && WireWriter.noUnknownFields(result)
                && WireWriter.noUnknownFields(architecture);
    }

    /** Writes a {@link #compactable} told op as the entry {@code field} of the record's ops, after the names it defines. */
    void write(int field, ResultTold told) {
        EvaluationResult result = told.getResult();
        Architecture architecture = result.getArchitecture();
        // The names' ids first (a new name is defined by its own op, before the result that refers to it); the metrics
        // are
        // read once (each pass over a Protobuf map allocates its views and iterators), into arrays the writer keeps.
        int searchId = nameId(field, result.getSearchId());
        int space = nameId(field, architecture.getSpace());
        int metrics = result.getMetricsCount();
        if (metricIds.length < metrics) {
            metricIds = new int[Math.max(metrics, 2 * metricIds.length)];
            metricBits = new long[metricIds.length];
        }
        if (metrics > 0) {
            int i = 0;
            for (Map.Entry<String, Double> metric : result.getMetricsMap().entrySet()) {
                metricIds[i] = nameId(field, metric.getKey());
                metricBits[i++] = Double.doubleToRawLongBits(metric.getValue());
            }
        }
        int evaluator = nameId(field, result.getEvaluator());
        int evaluatorKind = nameId(field, result.getEvaluatorKind());

        int op = out.beginNested(field);
        int start = out.beginNested(StepOp.TOLD_COMPACT_FIELD_NUMBER);
        out.int64(ResultToldCompact.CANDIDATE_ID_FIELD_NUMBER, result.getCandidateId());
        out.string(ResultToldCompact.ARCHITECTURE_FIELD_NUMBER, architecture.getEncoding());
        out.int32(ResultToldCompact.SPACE_FIELD_NUMBER, space);
        out.int32(ResultToldCompact.SEARCH_ID_FIELD_NUMBER, searchId);
        out.int32(ResultToldCompact.STATUS_FIELD_NUMBER, result.getStatusValue());
        out.string(ResultToldCompact.FAILURE_REASON_FIELD_NUMBER, result.getFailureReason());
        if (metrics > 0) {
            out.packedVarints(ResultToldCompact.METRIC_NAMES_FIELD_NUMBER, metricIds, metrics);
            out.packedFixed64(ResultToldCompact.METRIC_VALUES_FIELD_NUMBER, metricBits, metrics);
        }
        out.double64(ResultToldCompact.COST_SECONDS_FIELD_NUMBER, result.getCostSeconds());
        out.int32(ResultToldCompact.EVALUATOR_FIELD_NUMBER, evaluator);
        out.int32(ResultToldCompact.ATTEMPT_FIELD_NUMBER, result.getAttempt());
        out.int32(ResultToldCompact.EVALUATOR_KIND_FIELD_NUMBER, evaluatorKind);
        if (result.getLabelsCount() > 0) {
            out.stringMap(ResultToldCompact.LABELS_FIELD_NUMBER, result.getLabelsMap());
        }
        out.int32(ResultToldCompact.SOURCE_FIELD_NUMBER, told.getSourceValue());
        out.int32(ResultToldCompact.ATTEMPTS_FIELD_NUMBER, told.getAttempts());
        out.endNested(start);
        out.endNested(op);
    }

    /**
     * The id of a name in this record: 0 for the empty string; a name the record has not defined yet
     * is defined first, by a name-defined op (an entry of the record's ops, {@code field}).
     */
    private int nameId(int field, String name) {
        if (name.isEmpty()) {
            return 0;
        }
        Integer known = nameIds.get(name);
        if (known != null) {
            return known;
        }
        int id = nameIds.size() + 1;
        nameIds.put(name, id);
        int op = out.beginNested(field);
        int start = out.beginNested(StepOp.NAME_FIELD_NUMBER);
        out.int32(NameDefined.ID_FIELD_NUMBER, id);
        out.repeatingString(NameDefined.NAME_FIELD_NUMBER, name);
        out.endNested(start);
        out.endNested(op);
        return id;
    }
}
