package io.archipelago.controller;

import io.archipelago.controller.router.Router;
import io.archipelago.proto.EvaluationResult;
import java.util.Map;

/** What a controller reports to its observer (the run recorder, a test probe). */
public sealed interface SearchEvent {

    /**
     * A candidate's final result, sent as it arrives.
     *
     * @param evaluations evaluations actually run so far, this one included
     * @param bestScore the strategy's best score so far (NaN before the first success)
     */
    record ResultRecorded(
            EvaluationResult result, Router.Source source, int attempts, int evaluations, double bestScore)
            implements SearchEvent {}

    /**
     * The search cannot go on; nothing more follows.
     *
     * @param replay true: its journal does not replay (a newer format, a corrupted event, a
     *     strategy that proposes something else), and nothing was written to it; false: the
     *     journal failed while the search ran (what it wrote stays, and the search can be resumed)
     */
    record SearchAborted(String searchId, String reason, boolean replay) implements SearchEvent {}

    /** The search ended; nothing more follows. */
    record SearchFinished(SearchReport report) implements SearchEvent {}

    /**
     * @param bestArchitecture encoding of the best architecture, or null when nothing succeeded
     * @param bestMetrics its metrics as its evaluator reported them
     * @param evaluations evaluations actually run (ok + failed)
     * @param failed evaluations that failed after their retries
     * @param cached candidates answered from the cache
     * @param busySeconds evaluator time spent, summed over evaluations
     * @param maxSlots the largest pool the search saw
     * @param dispatchSeconds time from first dispatch to last result
     */
    record SearchReport(
            String searchId,
            String stopReason,
            String bestArchitecture,
            Map<String, Double> bestMetrics,
            int evaluations,
            int failed,
            int cached,
            double busySeconds,
            int maxSlots,
            double dispatchSeconds,
            double wallSeconds) {

        /** Busy slot-time over available slot-time while the search was dispatching. */
        public double utilization() {
            return maxSlots == 0 || dispatchSeconds <= 0 ? 0 : busySeconds / (maxSlots * dispatchSeconds);
        }
    }
}
