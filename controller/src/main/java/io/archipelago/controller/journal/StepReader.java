package io.archipelago.controller.journal;

import io.archipelago.proto.Architecture;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.NameDefined;
import io.archipelago.proto.ResultTold;
import io.archipelago.proto.ResultToldCompact;
import io.archipelago.proto.StepOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the ops of one journal record (an event's step, or a snapshot) back into what they were
 * before {@link StepWriter} wrote them: format 2's compact results become the {@link ResultTold}s
 * they stand for, with the names the record defined, and the name definitions go. Format 1
 * records come back as they are. The {@link JournalSerializer} does this as it reads, so the rest
 * of Archipelago (recovery, {@code runs}) sees one form whatever the format.
 */
final class StepReader {
    /** This record's names by id, in their latest definition. */
    private final Map<Integer, String> names = new HashMap<>();

    private StepReader() {}

    /**
     * @return the ops with compact results expanded (the same list when there were none)
     * @throws IllegalArgumentException when a result refers to a name the record has not defined,
     *         or its metric names and values do not pair up: a corrupted record
     */
    static List<StepOp> expand(List<StepOp> ops) {
        boolean compact = false;
        for (StepOp op : ops) {
            compact |= op.getOpCase() == StepOp.OpCase.TOLD_COMPACT || op.getOpCase() == StepOp.OpCase.NAME;
        }
        if (!compact) {
            return ops;
        }
        StepReader reader = new StepReader();
        List<StepOp> expanded = new ArrayList<>(ops.size());
        for (StepOp op : ops) {
            switch (op.getOpCase()) {
                case NAME -> reader.define(op.getName());
                case TOLD_COMPACT ->
                    expanded.add(StepOp.newBuilder()
                            .setTold(reader.told(op.getToldCompact()))
                            .build());
                default -> expanded.add(op);
            }
        }
        return expanded;
    }

    private void define(NameDefined name) {
        if (name.getId() <= 0) {
            throw new IllegalArgumentException("name '" + name.getName() + "' defined with id "
                    + Integer.toUnsignedString(name.getId()) + " (ids start at 1)");
        }
        names.put(name.getId(), name.getName());
    }

    private String name(int id, String of) {
        if (id == 0) {
            return "";
        }
        String name = names.get(id);
        if (name == null) {
            throw new IllegalArgumentException("a result's " + of + " is name " + Integer.toUnsignedString(id)
                    + ", which the record does not define before it");
        }
        return name;
    }

    private ResultTold told(ResultToldCompact compact) {
        if (compact.getMetricNamesCount() != compact.getMetricValuesCount()) {
            throw new IllegalArgumentException("a result has " + compact.getMetricNamesCount() + " metric names but "
                    + compact.getMetricValuesCount() + " values");
        }
        EvaluationResult.Builder result = EvaluationResult.newBuilder()
                .setSearchId(name(compact.getSearchId(), "search id"))
                .setCandidateId(compact.getCandidateId())
                .setStatusValue(compact.getStatusValue())
                .setFailureReason(compact.getFailureReason())
                .setCostSeconds(compact.getCostSeconds())
                .setEvaluator(name(compact.getEvaluator(), "evaluator"))
                .setAttempt(compact.getAttempt())
                .setEvaluatorKind(name(compact.getEvaluatorKind(), "evaluator kind"))
                .putAllLabels(compact.getLabelsMap());
        if (compact.getSpace() != 0 || !compact.getArchitecture().isEmpty()) {
            result.setArchitecture(Architecture.newBuilder()
                    .setSpace(name(compact.getSpace(), "space"))
                    .setEncoding(compact.getArchitecture()));
        }
        for (int i = 0; i < compact.getMetricNamesCount(); i++) {
            result.putMetrics(name(compact.getMetricNames(i), "metric"), compact.getMetricValues(i));
        }
        return ResultTold.newBuilder()
                .setResult(result)
                .setSourceValue(compact.getSourceValue())
                .setAttempts(compact.getAttempts())
                .build();
    }
}
