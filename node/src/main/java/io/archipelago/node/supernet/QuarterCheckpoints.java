package io.archipelago.node.supernet;

import java.util.List;

/**
 * The steps a quarter, half, three quarters and all of the way through a run: {@code supernet
 * train --quarter-checkpoints} keeps a checkpoint at each, so that {@code bench supernet} can rank
 * cells part-way through the very run it measures at the end (same schedule, no retraining).
 */
public final class QuarterCheckpoints {
    public static final List<Double> FRACTIONS = List.of(0.25, 0.5, 0.75, 1.0);

    private QuarterCheckpoints() {}

    /** The step at {@code fraction} of {@code totalSteps}, rounded, never before step 1. */
    public static long step(long totalSteps, double fraction) {
        return Math.max(1, Math.round(totalSteps * fraction));
    }

    static boolean isQuarter(long step, long totalSteps) {
        for (double f : FRACTIONS) {
            if (step(totalSteps, f) == step) {
                return true;
            }
        }
        return false;
    }
}
