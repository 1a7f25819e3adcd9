package io.archipelago.node.bench;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.node.bench.CheckpointScores.Score;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.stat.correlation.KendallsCorrelation;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;

/**
 * Cells with a reference value each (a truth table's metric, or the NB201 table's), against which
 * {@code bench supernet} ranks the supernet's accuracy and, as the baseline, the parameter count:
 * Kendall tau-b and Spearman (ties averaged), higher is better for both.
 *
 * @param name what the reference is, e.g. {@code truth} or {@code table}
 * @param source the file (or embedded table) the values come from
 */
record RankedCells(String name, String source, String metric, List<Nb201Cell> cells, double[] values) {
    static final String ACCURACY = "supernet_accuracy";
    static final String PARAMS = "params";

    /** {@code {metric, cells, kendall: {supernet_accuracy, params}, spearman: {...}}}. */
    Map<String, Object> correlations(Map<String, Score> scores) {
        double[] accuracy = new double[cells.size()];
        double[] params = new double[cells.size()];
        for (int i = 0; i < accuracy.length; i++) {
            Score s = scores.get(cells.get(i).toString());
            accuracy[i] = s.accuracy();
            params[i] = s.params();
        }
        Map<String, Object> kendall = new LinkedHashMap<>();
        kendall.put(ACCURACY, kendall(accuracy));
        kendall.put(PARAMS, kendall(params));
        Map<String, Object> spearman = new LinkedHashMap<>();
        spearman.put(ACCURACY, spearman(accuracy));
        spearman.put(PARAMS, spearman(params));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metric", metric);
        m.put("cells", cells.size());
        m.put("kendall", kendall);
        m.put("spearman", spearman);
        return m;
    }

    Double kendall(double[] x) {
        return x.length < 2 ? null : finite(new KendallsCorrelation().correlation(x, values));
    }

    private Double spearman(double[] x) {
        return x.length < 2 ? null : finite(new SpearmansCorrelation().correlation(x, values));
    }

    /**
     * The cell the supernet ranks first (highest accuracy, the first on a tie) and its reference
     * value, beside the mean and best value of all the cells: what picking by the supernet is worth.
     */
    Map<String, Object> picked(Map<String, Score> scores) {
        int best = 0;
        double bestValue = Double.NEGATIVE_INFINITY;
        double sum = 0;
        for (int i = 0; i < cells.size(); i++) {
            if (scores.get(cells.get(i).toString()).accuracy()
                    > scores.get(cells.get(best).toString()).accuracy()) {
                best = i;
            }
            sum += values[i];
            bestValue = Math.max(bestValue, values[i]);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", cells.get(best).toString());
        m.put(ACCURACY, scores.get(cells.get(best).toString()).accuracy());
        m.put("metric", metric);
        m.put("value", values[best]);
        m.put("sample_mean", sum / cells.size());
        m.put("sample_best", bestValue);
        return m;
    }

    /** Undefined correlations (every value alike) are written as JSON null, not NaN. */
    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
