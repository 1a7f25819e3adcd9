package io.archipelago.controller.scheduler;

import io.archipelago.core.objective.Objective;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The median stopping rule (Golovin et al. 2017, Google Vizier): at step s, a candidate whose best
 * objective so far is worse than the median of what the candidates before it had at step s stops.
 * It judges from {@code grace} steps on, and only once {@code minSamples} others have reached s.
 */
public final class MedianStopping implements Scheduler {
    static final int MIN_SAMPLES = 3;

    private final Objective objective;
    private final int grace;
    /** Per step: the (higher-is-better) best-so-far scores recorded there. */
    private final Map<Integer, List<Double>> recorded = new HashMap<>();

    private final Map<Long, Double> best = new HashMap<>();

    public MedianStopping(Objective objective, int grace) {
        if (grace < 1) {
            throw new IllegalArgumentException("the median rule's grace period must be >= 1 step, got " + grace);
        }
        this.objective = objective;
        this.grace = grace;
    }

    @Override
    public Decision report(long candidateId, int step, Map<String, Double> metrics) {
        Double value = metrics.get(objective.metric());
        if (value == null || !Double.isFinite(value)) {
            return Decision.CONTINUE;
        }
        double score = Math.max(
                best.getOrDefault(candidateId, Double.NEGATIVE_INFINITY), objective.maximize() ? value : -value);
        best.put(candidateId, score);
        List<Double> others = recorded.computeIfAbsent(step, s -> new ArrayList<>());
        boolean stop = step >= grace && others.size() >= MIN_SAMPLES && score < median(others);
        others.add(score);
        return stop ? Decision.STOP : Decision.CONTINUE;
    }

    @Override
    public void completed(long candidateId) {
        best.remove(candidateId);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    @Override
    public String toString() {
        return "median(grace " + grace + ")";
    }
}
