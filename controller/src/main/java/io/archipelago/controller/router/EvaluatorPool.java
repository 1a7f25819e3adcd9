package io.archipelago.controller.router;

import io.archipelago.proto.EvaluationRequest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The evaluators of one kind, as the Receptionist lists them: their slots with each node's load,
 * the dispatches waiting for a free slot, and the controllers watching how many slots take work.
 */
final class EvaluatorPool {
    final String kind;
    private final Map<ActorRef<EvaluationRequest>, Slot> slots = new LinkedHashMap<>();
    private final ArrayDeque<Dispatch> waiting = new ArrayDeque<>();
    private final Set<ActorRef<Router.Event>> watchers = new HashSet<>();
    private final Map<String, int[]> nodeLoad = new HashMap<>(); // node -> {busy, slots}
    /** When the pool last lost its last live slot; 0 while it has one (or before it ever had one: see the sweep). */
    private long emptySinceNanos = System.nanoTime();

    EvaluatorPool(String kind) {
        this.kind = kind;
    }

    /** Tells {@code watcher} the live slots now, and again whenever they change. */
    void watch(ActorRef<Router.Event> watcher) {
        watchers.add(watcher);
        watcher.tell(new Router.Capacity(kind, liveSlots()));
    }

    /** Queues a new dispatch behind the others. */
    void enqueue(Dispatch dispatch) {
        waiting.addLast(dispatch);
    }

    /** Queues a dispatch to run again, ahead of the others: it has waited already. */
    void requeue(Dispatch dispatch) {
        waiting.addFirst(dispatch);
    }

    /** The next dispatch to run, left in the queue; null when none waits. */
    Dispatch nextWaiting() {
        return waiting.peekFirst();
    }

    void removeNextWaiting() {
        waiting.pollFirst();
    }

    /**
     * Every waiting dispatch, taken out of the queue, once the pool has been without a live slot
     * for longer than {@code timeoutNanos}; none before.
     */
    List<Dispatch> stranded(long nowNanos, long timeoutNanos) {
        if (emptySinceNanos == 0 || waiting.isEmpty() || nowNanos - emptySinceNanos <= timeoutNanos) {
            return List.of();
        }
        List<Dispatch> stranded = new ArrayList<>(waiting);
        waiting.clear();
        return stranded;
    }

    /** A free slot on the least-loaded node, preferring evaluators that have not tried the candidate; null when none is free. */
    Slot freeSlotFor(Dispatch dispatch) {
        Slot best = null;
        boolean bestUntried = false;
        double bestLoad = Double.MAX_VALUE;
        for (Slot slot : slots.values()) {
            if (slot.busy() || slot.retired()) {
                continue;
            }
            boolean untried = !dispatch.triedOn(slot);
            int[] load = nodeLoad.get(slot.node);
            double fraction = (double) load[0] / load[1];
            if (best == null || (untried && !bestUntried) || (untried == bestUntried && fraction < bestLoad)) {
                best = slot;
                bestUntried = untried;
                bestLoad = fraction;
            }
        }
        return best;
    }

    void occupy(Slot slot, CandidateKey key, int attempt) {
        slot.run(key, attempt);
        nodeLoad.get(slot.node)[0]++;
    }

    void release(Slot slot) {
        slot.free();
        nodeLoad.get(slot.node)[0]--;
    }

    /** The slot running this attempt of {@code key}; null when none does. */
    Slot running(CandidateKey key, int attempt) {
        for (Slot slot : slots.values()) {
            if (slot.runs(key, attempt)) {
                return slot;
            }
        }
        return null;
    }

    int liveSlots() {
        int live = 0;
        for (Slot slot : slots.values()) {
            if (!slot.retired()) {
                live++;
            }
        }
        return live;
    }

    /** Tells the watchers the live slots now (and notes when the pool was left without any). */
    void capacityChanged() {
        int live = liveSlots();
        if (live == 0 && emptySinceNanos == 0) {
            emptySinceNanos = System.nanoTime();
        } else if (live > 0) {
            emptySinceNanos = 0;
        }
        Router.Capacity capacity = new Router.Capacity(kind, live);
        for (ActorRef<Router.Event> watcher : watchers) {
            watcher.tell(capacity);
        }
    }

    /**
     * The pool is now {@code members}: new evaluators get a slot, and the slots of those that left
     * are dropped and returned (a busy one still names the dispatch it was running).
     */
    List<Slot> update(Set<ActorRef<EvaluationRequest>> members) {
        List<Slot> gone = new ArrayList<>();
        for (Slot slot : slots.values()) {
            if (!members.contains(slot.ref)) {
                gone.add(slot);
            }
        }
        for (Slot slot : gone) {
            slots.remove(slot.ref);
            int[] load = nodeLoad.get(slot.node);
            load[1]--;
            if (slot.busy()) {
                load[0]--;
            }
            if (load[1] == 0) {
                nodeLoad.remove(slot.node);
            }
        }
        for (ActorRef<EvaluationRequest> ref : members) {
            if (!slots.containsKey(ref)) {
                Slot slot = new Slot(ref);
                slots.put(ref, slot);
                nodeLoad.computeIfAbsent(slot.node, n -> new int[2])[1]++;
            }
        }
        return gone;
    }

    int slotCount() {
        return slots.size();
    }

    int nodeCount() {
        return nodeLoad.size();
    }
}
