package io.archipelago.core.objective;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Glue between measured metrics and the vector form that {@link Pareto} and {@link Hypervolume}
 * work on: parsing an objective list, turning metrics into larger-is-better score vectors,
 * putting objectives of different units on a common scale, and summing constraint violations.
 */
public final class Objectives {

    private Objectives() {}

    /**
     * Parses a comma-separated objective list such as {@code cifar10_valid_12:max,params:min}
     * (each entry as {@link Objective#parse}; a bare metric is maximised).
     *
     * @return the objectives in the order written, unmodifiable
     * @throws IllegalArgumentException when the list or an entry is empty, an entry is malformed,
     *     or a metric appears twice (it would count double in every comparison)
     */
    public static List<Objective> parseList(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException(
                    "objective list is empty; expected e.g. 'cifar10_valid_12:max,params:min'");
        }
        String[] entries = spec.split(",", -1);
        List<Objective> objectives = new ArrayList<>(entries.length);
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].strip();
            if (entry.isEmpty()) {
                throw new IllegalArgumentException("objective list '" + spec + "': entry " + (i + 1) + " is empty");
            }
            Objective objective;
            try {
                objective = Objective.parse(entry);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "objective list '" + spec + "', entry " + (i + 1) + ": " + e.getMessage(), e);
            }
            Integer previous = seen.putIfAbsent(objective.metric(), i + 1);
            if (previous != null) {
                throw new IllegalArgumentException("objective list '" + spec + "': metric '" + objective.metric()
                        + "' appears twice (entries " + previous + " and " + (i + 1) + ")");
            }
            objectives.add(objective);
        }
        return List.copyOf(objectives);
    }

    /** The larger-is-better score of each objective (see {@link Objective#score}); NaN where a metric is missing. */
    public static double[] scores(Map<String, Double> metrics, List<Objective> objectives) {
        double[] scores = new double[objectives.size()];
        for (int k = 0; k < scores.length; k++) {
            scores[k] = objectives.get(k).score(metrics);
        }
        return scores;
    }

    /**
     * Maps each objective linearly so that {@code worst} goes to 0 and {@code best} to 1, which
     * makes hypervolumes comparable across objectives in different units (accuracy in percent,
     * parameters in millions). Values outside [worst, best] map outside [0, 1]; they are not
     * clipped, so a reference point of zeros does the clipping in {@link Hypervolume#of}. NaN
     * scores stay NaN.
     *
     * @param worst per objective, in the larger-is-better orientation
     * @param best per objective, larger than {@code worst}
     * @return new rows; the input is not modified
     * @throws IllegalArgumentException when lengths differ, a bound is not finite, or best is not
     *     larger than worst
     */
    public static double[][] normalised(double[][] scores, double[] worst, double[] best) {
        if (scores == null) {
            throw new IllegalArgumentException("scores must be given");
        }
        if (worst == null || best == null || worst.length != best.length) {
            throw new IllegalArgumentException("worst and best must be given for the same number of objectives, got "
                    + (worst == null ? "none" : worst.length) + " and " + (best == null ? "none" : best.length));
        }
        int m = worst.length;
        for (int k = 0; k < m; k++) {
            if (!Double.isFinite(worst[k]) || !Double.isFinite(best[k])) {
                throw new IllegalArgumentException(
                        "objective " + k + ": worst and best must be finite, got " + worst[k] + " and " + best[k]);
            }
            if (!(best[k] > worst[k])) {
                throw new IllegalArgumentException(
                        "objective " + k + ": best (" + best[k] + ") must be larger than worst (" + worst[k]
                                + "); both are in the larger-is-better orientation");
            }
        }
        double[][] result = new double[scores.length][];
        for (int i = 0; i < scores.length; i++) {
            double[] row = scores[i];
            if (row == null || row.length != m) {
                throw new IllegalArgumentException("point " + i + " has "
                        + (row == null ? "no" : String.valueOf(row.length)) + " objectives, expected " + m);
            }
            double[] mapped = new double[m];
            for (int k = 0; k < m; k++) {
                mapped[k] = (row[k] - worst[k]) / (best[k] - worst[k]);
            }
            result[i] = mapped;
        }
        return result;
    }

    /**
     * Total violation of {@code constraints} (each as {@link Constraint#violation}): 0 when all
     * hold, +Infinity when a constrained metric is missing. Summing keeps the one-number form
     * that constraint-domination compares.
     */
    public static double violation(Map<String, Double> metrics, List<Constraint> constraints) {
        double total = 0;
        for (Constraint constraint : constraints) {
            total += constraint.violation(metrics);
        }
        return total;
    }
}
