package io.archipelago.controller.scheduler;

import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.IntermediateResult;
import java.util.Map;

/**
 * When to stop, apart from what to try (Ray Tune's {@code TrialScheduler} beside its
 * {@code Searcher}, Optuna's pruners): told each point of each running candidate's learning curve,
 * it answers whether that evaluation should go on. A stopped candidate's result is what it had
 * measured at that point; the strategy is told it as any other. Deterministic: the same points in
 * the same order give the same decisions, so a resumed search rebuilds it from the journal.
 */
public interface Scheduler {
    enum Decision {
        CONTINUE,
        STOP
    }

    /**
     * @param step the point's step (e.g. the epoch just finished)
     * @param metrics what was measured there, named as the final metrics
     */
    Decision report(long candidateId, int step, Map<String, Double> metrics);

    /** The candidate has its final result: it reports no more. */
    void completed(long candidateId);

    /** A result the journal holds (a resumed search): its curve counts as it did when it was measured. */
    default void replay(EvaluationResult result) {
        for (IntermediateResult point : result.getIntermediatesList()) {
            report(result.getCandidateId(), point.getStep(), point.getMetricsMap());
        }
        completed(result.getCandidateId());
    }
}
