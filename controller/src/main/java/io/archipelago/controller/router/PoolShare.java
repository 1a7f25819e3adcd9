package io.archipelago.controller.router;

import java.util.ArrayDeque;

/** One search's part of one pool: its candidates waiting for a slot there, and how many run there now. */
final class PoolShare {
    final Tenant tenant;
    final ArrayDeque<Dispatch> waiting = new ArrayDeque<>();
    int running;
    /** When it was last given a slot (the pool's count of grants then): ties go to whoever waited longest. */
    long lastServed;

    PoolShare(Tenant tenant) {
        this.tenant = tenant;
    }

    /** Slots it holds per unit of weight: the share with the least gets the next free slot. */
    double load() {
        return (double) running / tenant.weight;
    }

    boolean idle() {
        return running == 0 && waiting.isEmpty();
    }
}
