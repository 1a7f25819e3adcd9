package io.archipelago.evaluators.latency;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.Evaluator;
import io.archipelago.proto.Architecture;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Latency predicted from a {@link LatencyTable} (instant): the per-block entries of the cell plus
 * the fitted overhead. {@code latency_p10_ms} and {@code latency_p90_ms} are the prediction scaled
 * by the 10th and 90th percentiles of the model's leave-one-out relative residuals, i.e. the range
 * that 80% of the fit cells' measurements fell in. The labels say what the table was measured on.
 * A table is read-only: one instance may be shared by every slot's evaluator.
 */
public final class LatencyTableEvaluator implements Evaluator {
    private final LatencyTable table;
    private final String source;

    /** @param source where the table came from (its file), reported as the {@code table} label */
    public LatencyTableEvaluator(LatencyTable table, String source) {
        this.table = table;
        this.source = source;
    }

    public LatencyTable table() {
        return table;
    }

    @Override
    public String kind() {
        return LatencyEvaluators.kind(table.device());
    }

    @Override
    public Evaluation evaluate(Architecture architecture, int fidelity) throws EvaluationException {
        long start = System.nanoTime();
        Nb201Cell cell = LatencyEvaluators.cell(architecture, LatencyEvaluators.METHOD_TABLE);
        double ms = table.predict(cell);
        if (!(ms > 0) || !Double.isFinite(ms)) {
            throw new EvaluationException("the latency table " + source + " predicts " + ms + " ms for " + cell
                    + ": the table or its model is broken");
        }
        Map<String, Double> metrics = predicted(ms, table.model(), table.repeats(), table.batch(), table.threads());
        return new Evaluation(metrics, (System.nanoTime() - start) / 1e9, labels());
    }

    /**
     * What a table's prediction reports, for tables of either format: the latency, the range 80 %
     * of the fit networks' measurements fell in (with a fitted model), and how the table was measured.
     */
    static Map<String, Double> predicted(double ms, LatencyTable.Model model, int repeats, int batch, int threads) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(LatencyEvaluators.LATENCY_MS, ms);
        if (model != null && model.fitCells() > 0) {
            metrics.put(LatencyEvaluators.LATENCY_P10_MS, ms * (1 + model.residualP10()));
            metrics.put(LatencyEvaluators.LATENCY_P90_MS, ms * (1 + model.residualP90()));
        }
        metrics.put(LatencyEvaluators.LATENCY_REPEATS, (double) repeats);
        metrics.put(LatencyEvaluators.LATENCY_BATCH, (double) batch);
        metrics.put(LatencyEvaluators.LATENCY_THREADS, (double) threads);
        return metrics;
    }

    /** What the table was measured on, and method {@code table}. */
    public Map<String, String> labels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LatencyEvaluators.LABEL_DEVICE, table.device());
        labels.putAll(table.labels());
        labels.put(LatencyEvaluators.LABEL_THREADS, Integer.toString(table.threads()));
        labels.put(LatencyEvaluators.LABEL_BATCH, Integer.toString(table.batch()));
        labels.put(LatencyEvaluators.LABEL_METHOD, LatencyEvaluators.METHOD_TABLE);
        labels.put("table", source);
        return labels;
    }
}
