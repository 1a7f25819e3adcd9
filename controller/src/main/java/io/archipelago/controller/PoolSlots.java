package io.archipelago.controller;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The evaluator pools a search's candidates go to (the evaluator's, then any merged ones such as
 * a latency device's): the slots each offers now, and how many of the search's dispatches each
 * has not answered yet. A candidate goes out only when every pool has a slot for it.
 */
final class PoolSlots {
    private static final class Pool {
        int capacity;
        int pending;
    }

    private final Map<String, Pool> pools = new LinkedHashMap<>();
    private final String evaluatorKind;
    private final int minSlots;
    private int maxEvaluatorSlots;

    /** @param minSlots the evaluator pool's slots the search waits for before it starts (merged pools: one) */
    PoolSlots(List<String> kinds, String evaluatorKind, int minSlots) {
        kinds.forEach(kind -> pools.put(kind, new Pool()));
        this.evaluatorKind = evaluatorKind;
        this.minSlots = minSlots;
    }

    boolean has(String kind) {
        return pools.containsKey(kind);
    }

    /** A pool's slots changed (nodes joined or left); false when it is not one of the search's. */
    boolean capacity(String kind, int slots) {
        Pool pool = pools.get(kind);
        if (pool == null) {
            return false;
        }
        pool.capacity = slots;
        if (kind.equals(evaluatorKind)) {
            maxEvaluatorSlots = Math.max(maxEvaluatorSlots, slots);
        }
        return true;
    }

    /** Every pool has the slots the search needs to start. */
    boolean ready() {
        for (Map.Entry<String, Pool> pool : pools.entrySet()) {
            if (pool.getValue().capacity < (pool.getKey().equals(evaluatorKind) ? minSlots : 1)) {
                return false;
            }
        }
        return true;
    }

    /** Candidates that can go out now: the fewest free slots of any pool. */
    int free() {
        int free = Integer.MAX_VALUE;
        for (Pool pool : pools.values()) {
            free = Math.min(free, pool.capacity - pool.pending);
        }
        return free;
    }

    /** Each of {@code candidates} went to every pool. */
    void dispatched(int candidates) {
        pools.values().forEach(pool -> pool.pending += candidates);
    }

    /** A pool answered one dispatch: its slot is free again. */
    void answered(String kind) {
        pools.get(kind).pending--;
    }

    int evaluatorSlots() {
        return pools.get(evaluatorKind).capacity;
    }

    /** The most slots the evaluator pool offered at once (what utilisation is measured against). */
    int maxEvaluatorSlots() {
        return maxEvaluatorSlots;
    }
}
