package io.archipelago.controller.scheduler;

import io.archipelago.core.objective.Objective;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Asynchronous successive halving (ASHA; Li et al. 2020, as Ray Tune's {@code ASHAScheduler}):
 * rungs r_0 < r_1 < ... < r_k of steps. When a candidate's curve reaches a rung, its objective
 * there is compared with what every candidate before it had at that rung: unless it is in the top
 * 1/eta of them (at or above their (1 - 1/eta) quantile), it stops. No rung waits for a
 * generation: a candidate is promoted (goes on training, the same run) as soon as its own value
 * allows, which keeps every slot busy. The last rung stops nothing (it is the full budget).
 */
public final class AsyncSuccessiveHalving implements Scheduler {
    private final int[] rungs;
    private final int eta;
    private final Objective objective;
    /** Per rung: the (higher-is-better) scores recorded there so far, sorted. */
    private final List<List<Double>> recorded = new ArrayList<>();
    /** Per running candidate: the index of the first rung it has not reached. */
    private final Map<Long, Integer> nextRung = new HashMap<>();

    /**
     * @param rungs steps, strictly increasing, > 0
     * @param eta > 1: the fraction 1/eta goes on at each rung
     */
    public AsyncSuccessiveHalving(List<Integer> rungs, int eta, Objective objective) {
        if (rungs.isEmpty()) {
            throw new IllegalArgumentException("--rungs must name at least one step");
        }
        this.rungs = rungs.stream().mapToInt(Integer::intValue).toArray();
        for (int i = 0; i < this.rungs.length; i++) {
            if (this.rungs[i] <= 0 || (i > 0 && this.rungs[i] <= this.rungs[i - 1])) {
                throw new IllegalArgumentException(
                        "--rungs must be positive and increasing, got " + Arrays.toString(this.rungs));
            }
            recorded.add(new ArrayList<>());
        }
        if (eta < 2) {
            throw new IllegalArgumentException("--eta must be >= 2, got " + eta);
        }
        this.eta = eta;
        this.objective = objective;
    }

    @Override
    public Decision report(long candidateId, int step, Map<String, Double> metrics) {
        Double value = metrics.get(objective.metric());
        if (value == null || !Double.isFinite(value)) {
            return Decision.CONTINUE; // nothing to judge it by
        }
        double score = objective.maximize() ? value : -value;
        int rung = nextRung.getOrDefault(candidateId, 0);
        Decision decision = Decision.CONTINUE;
        for (; rung < rungs.length && step >= rungs[rung]; rung++) {
            List<Double> before = recorded.get(rung);
            boolean promising = before.isEmpty() || score >= quantile(before, 1.0 - 1.0 / eta);
            int at = Collections.binarySearch(before, score);
            before.add(at >= 0 ? at : -at - 1, score);
            if (!promising && rung < rungs.length - 1) {
                decision = Decision.STOP;
            }
        }
        nextRung.put(candidateId, rung);
        return decision;
    }

    @Override
    public void completed(long candidateId) {
        nextRung.remove(candidateId);
    }

    /** The q-quantile of sorted values, interpolated linearly between order statistics (numpy's default). */
    static double quantile(List<Double> sorted, double q) {
        double position = q * (sorted.size() - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.size() - 1);
        double fraction = position - below;
        return sorted.get(below) + fraction * (sorted.get(above) - sorted.get(below));
    }

    @Override
    public String toString() {
        return "asha(rungs " + Arrays.toString(rungs) + ", eta " + eta + ")";
    }
}
