package io.archipelago.controller;

import io.archipelago.proto.SearchSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * What a controller needs to run one search.
 *
 * @param searchId unique id of the search (on the wire with every candidate)
 * @param evaluatorKind the evaluator pool that evaluates its candidates
 * @param fidelity the fidelity asked of the evaluator (e.g. 12 epochs)
 * @param budget evaluations actually run (cache answers are free)
 * @param generational false (the point of Archipelago): ask whenever a slot frees up; true: wait
 *     for every candidate of a generation before asking for the next, as synchronous tools do
 *     (kept to measure what asynchrony buys)
 * @param maxConsecutiveRepeats stop after this many answers in a row that cost no evaluation (a
 *     strategy that only re-proposes known architectures would otherwise never finish)
 * @param minSlots the first candidate goes out once the evaluator pool has this many slots (in a
 *     cluster, evaluator nodes join after the controller starts); afterwards any capacity is used
 * @param mergedKinds further pools that evaluate every candidate too (e.g. {@code latency:pixel7}
 *     beside an accuracy pool); the controller merges their metrics into one result per candidate,
 *     and the first candidate goes out once each has a slot
 * @param snapshotEvery journal a snapshot of the search after at least this many events (steps)
 *     once it has doubled since the last one, so a long search recovers from one record and the
 *     steps after it; 0: no snapshots (the journal plugin then needs no snapshot store)
 * @param journaled false: no journal at all, nothing to resume (benchmarks of the engine alone)
 * @param scheduler what stops unpromising evaluations early (null: none; each runs to its fidelity)
 */
public record SearchSettings(
        String searchId,
        String evaluatorKind,
        int fidelity,
        int budget,
        boolean generational,
        int maxConsecutiveRepeats,
        int minSlots,
        List<String> mergedKinds,
        int snapshotEvery,
        boolean journaled,
        io.archipelago.controller.scheduler.SchedulerSpec scheduler) {

    public SearchSettings {
        if (budget <= 0) {
            throw new IllegalArgumentException("budget must be > 0, got " + budget);
        }
        if (maxConsecutiveRepeats <= 0) {
            throw new IllegalArgumentException("maxConsecutiveRepeats must be > 0, got " + maxConsecutiveRepeats);
        }
        if (minSlots <= 0) {
            throw new IllegalArgumentException("minSlots must be > 0, got " + minSlots);
        }
        if (snapshotEvery < 0) {
            throw new IllegalArgumentException("snapshotEvery must be >= 0, got " + snapshotEvery);
        }
        mergedKinds = List.copyOf(mergedKinds);
        if (mergedKinds.contains(evaluatorKind) || new HashSet<>(mergedKinds).size() != mergedKinds.size()) {
            throw new IllegalArgumentException(
                    "each evaluator pool may evaluate a candidate once; got " + evaluatorKind + " and " + mergedKinds);
        }
    }

    public static SearchSettings of(String searchId, String evaluatorKind, int fidelity, int budget) {
        return new SearchSettings(
                searchId, evaluatorKind, fidelity, budget, false, 10_000, 1, List.of(), 0, true, null);
    }

    public SearchSettings scheduler(io.archipelago.controller.scheduler.SchedulerSpec value) {
        return new SearchSettings(
                searchId,
                evaluatorKind,
                fidelity,
                budget,
                generational,
                maxConsecutiveRepeats,
                minSlots,
                mergedKinds,
                snapshotEvery,
                journaled,
                value);
    }

    public SearchSettings generational(boolean value) {
        return new SearchSettings(
                searchId,
                evaluatorKind,
                fidelity,
                budget,
                value,
                maxConsecutiveRepeats,
                minSlots,
                mergedKinds,
                snapshotEvery,
                journaled,
                scheduler);
    }

    public SearchSettings minSlots(int value) {
        return new SearchSettings(
                searchId,
                evaluatorKind,
                fidelity,
                budget,
                generational,
                maxConsecutiveRepeats,
                value,
                mergedKinds,
                snapshotEvery,
                journaled,
                scheduler);
    }

    public SearchSettings mergedKinds(List<String> value) {
        return new SearchSettings(
                searchId,
                evaluatorKind,
                fidelity,
                budget,
                generational,
                maxConsecutiveRepeats,
                minSlots,
                value,
                snapshotEvery,
                journaled,
                scheduler);
    }

    public SearchSettings snapshotEvery(int value) {
        return new SearchSettings(
                searchId,
                evaluatorKind,
                fidelity,
                budget,
                generational,
                maxConsecutiveRepeats,
                minSlots,
                mergedKinds,
                value,
                journaled,
                scheduler);
    }

    public SearchSettings journaled(boolean value) {
        return new SearchSettings(
                searchId,
                evaluatorKind,
                fidelity,
                budget,
                generational,
                maxConsecutiveRepeats,
                minSlots,
                mergedKinds,
                snapshotEvery,
                value,
                scheduler);
    }

    /** The journal's record of this search, to be completed with how it was started (strategy, seed, options). */
    public SearchSpec.Builder spec(String space) {
        return SearchSpec.newBuilder()
                .setSearchId(searchId)
                .setBudget(budget)
                .setSpace(space)
                .addAllEvaluatorKinds(kinds())
                .setCreatedAtMs(System.currentTimeMillis());
    }

    /** Every pool a candidate goes to: the evaluator's first, then the merged ones. */
    public List<String> kinds() {
        List<String> all = new ArrayList<>(1 + mergedKinds.size());
        all.add(evaluatorKind);
        all.addAll(mergedKinds);
        return all;
    }
}
