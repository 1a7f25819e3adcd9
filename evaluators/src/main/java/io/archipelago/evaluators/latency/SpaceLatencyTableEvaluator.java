package io.archipelago.evaluators.latency;

import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.Evaluator;
import io.archipelago.proto.Architecture;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Latency predicted from a {@link SpaceLatencyTable} (instant), for architectures of the table's
 * space; the spread and labels as {@link LatencyTableEvaluator} reports them for NAS-Bench-201.
 * An architecture of another space fails with the reason. Read-only: one instance may be shared.
 */
public final class SpaceLatencyTableEvaluator implements Evaluator {
    private final SpaceLatencyTable table;
    private final String source;

    /** @param source where the table came from (its file), reported as the {@code table} label */
    public SpaceLatencyTableEvaluator(SpaceLatencyTable table, String source) {
        this.table = table;
        this.source = source;
    }

    public SpaceLatencyTable table() {
        return table;
    }

    @Override
    public String kind() {
        return LatencyEvaluators.kind(table.device());
    }

    @Override
    public Evaluation evaluate(Architecture architecture, int fidelity) throws EvaluationException {
        long start = System.nanoTime();
        if (!table.space().equals(architecture.getSpace())) {
            throw new EvaluationException("the latency table " + source + " is of space '" + table.space()
                    + "'; it cannot predict an architecture of space '" + architecture.getSpace() + "'");
        }
        double ms;
        try {
            ms = table.predict(SpaceLatencyTableBuilder.blocksOf(architecture, table.network()));
        } catch (IllegalArgumentException e) {
            throw new EvaluationException(e.getMessage(), e);
        }
        if (!(ms > 0) || !Double.isFinite(ms)) {
            throw new EvaluationException("the latency table " + source + " predicts " + ms + " ms for "
                    + architecture.getEncoding() + ": the table or its model is broken");
        }
        Map<String, Double> metrics = LatencyTableEvaluator.predicted(
                ms,
                table.model(),
                table.measurement().repeats(),
                table.measurement().batch(),
                table.measurement().threads());
        return new Evaluation(metrics, (System.nanoTime() - start) / 1e9, labels());
    }

    /** What the table was measured on, its space, and method {@code table}. */
    public Map<String, String> labels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LatencyEvaluators.LABEL_DEVICE, table.device());
        labels.putAll(table.labels());
        labels.put(
                LatencyEvaluators.LABEL_THREADS,
                Integer.toString(table.measurement().threads()));
        labels.put(
                LatencyEvaluators.LABEL_BATCH,
                Integer.toString(table.measurement().batch()));
        labels.put(LatencyEvaluators.LABEL_METHOD, LatencyEvaluators.METHOD_TABLE);
        labels.put("space", table.space());
        labels.put("table", source);
        return labels;
    }
}
