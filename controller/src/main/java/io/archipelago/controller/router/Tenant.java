package io.archipelago.controller.router;

import java.util.HashMap;
import java.util.Map;

/**
 * One search the router serves, with what is its alone: its settings (deadline, attempts, whether
 * its evaluators report progress), its result cache and label pins (answers from another search
 * would make a search's results depend on what else runs), the identical candidates in flight
 * that others follow, and its weight: where searches share a pool's slots, each gets its weight
 * over the weights of the searches that have candidates waiting ({@link PoolShare}).
 */
final class Tenant {
    final String searchId;
    final int weight;
    final Router.Settings settings;
    final long timeoutNanos;
    final ResultCache cache;
    final LabelPins pins = new LabelPins();
    /** Of identical candidates in flight (one cache key), the first, which is evaluated; the others follow it. */
    final Map<String, Dispatch> leaders = new HashMap<>();
    /** The search was cancelled: its waiting candidates were withdrawn, and a failed attempt is not retried. */
    boolean withdrawn;
    /** The search ended: nothing of it is kept once its last running evaluation answers. */
    boolean left;

    Tenant(String searchId, int weight, Router.Settings settings) {
        if (weight < 1) {
            throw new IllegalArgumentException("a search's share of the evaluator slots must be >= 1, got " + weight);
        }
        this.searchId = searchId;
        this.weight = weight;
        this.settings = settings;
        this.timeoutNanos = settings.timeout().toNanos();
        this.cache = new ResultCache(settings.cacheCapacity());
    }
}
