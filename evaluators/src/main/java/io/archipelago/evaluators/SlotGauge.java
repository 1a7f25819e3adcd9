package io.archipelago.evaluators;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a node's evaluator slots are doing, shared by the slots of one node: how many are busy,
 * how many evaluations they have finished, and whether the node is draining. Slots update it
 * from their own threads; the node's status agent and its shutdown task read it.
 */
public final class SlotGauge {
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicLong finished = new AtomicLong();
    private volatile boolean draining;

    /** From now on the slots hand every new request back; evaluations already running finish. */
    public void startDraining() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    public int busy() {
        return busy.get();
    }

    public long finished() {
        return finished.get();
    }

    /** A slot began an evaluation (an evaluator actor, or a worker gateway for its workers' slots). */
    public void started() {
        busy.incrementAndGet();
    }

    /** A slot's evaluation ended, however it ended. */
    public void ended() {
        finished.incrementAndGet();
        busy.decrementAndGet();
    }
}
