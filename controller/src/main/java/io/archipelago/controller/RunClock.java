package io.archipelago.controller;

import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.controller.strategy.Observation;
import io.archipelago.core.space.SearchSpace;
import java.util.Map;
import java.util.Optional;

/**
 * The timings of one incarnation of a search, for its report: utilisation is the evaluator
 * pool's busy slot-time over the slot-time it offered while candidates were out (first dispatch
 * to last result), so the wait for nodes to join and the end's journal write count against
 * neither.
 */
final class RunClock {
    private final long startNanos = System.nanoTime();
    private long firstDispatchNanos;
    private long lastResultNanos;
    private double busySeconds;

    void dispatched() {
        if (firstDispatchNanos == 0) {
            firstDispatchNanos = System.nanoTime();
        }
    }

    void resultIn() {
        lastResultNanos = System.nanoTime();
    }

    /** An evaluation's cost in the evaluator pool (cached and repeated answers took no slot-time). */
    void busy(double seconds) {
        busySeconds += seconds;
    }

    <A> SearchReport report(
            String searchId, String reason, SearchState<A> state, SearchSpace<A> space, int maxEvaluatorSlots) {
        Optional<Observation<A>> best = state.best();
        long now = System.nanoTime();
        double dispatchSeconds = firstDispatchNanos == 0 ? 0 : (lastResultNanos - firstDispatchNanos) / 1e9;
        return new SearchReport(
                searchId,
                reason,
                best.map(o -> space.format(o.trial().architecture())).orElse(null),
                best.map(Observation::metrics).orElse(Map.of()),
                state.evaluations(),
                state.failed(),
                state.cached(),
                busySeconds,
                maxEvaluatorSlots,
                dispatchSeconds,
                (now - startNanos) / 1e9);
    }
}
