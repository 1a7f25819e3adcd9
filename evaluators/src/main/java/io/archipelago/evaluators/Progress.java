package io.archipelago.evaluators;

import java.util.Map;

/**
 * Where an evaluator reports its learning curve while it runs, and learns whether to go on: a
 * scheduler (successive halving, median stopping) may stop an evaluation that is not promising.
 */
@FunctionalInterface
public interface Progress {
    /** Nobody follows: every report answers "go on". */
    Progress IGNORED = (step, metrics) -> true;

    /**
     * @param step 1-based, increasing (the epoch just finished)
     * @param metrics named as the evaluation's final metrics
     * @return false when the evaluation should stop now and answer with what it has
     */
    boolean report(int step, Map<String, Double> metrics);

    /**
     * Whether a stop has been asked since the last report: an evaluator between steps (a long
     * epoch, a simulated wait) may end early with its last step's metrics.
     */
    default boolean stopRequested() {
        return false;
    }
}
