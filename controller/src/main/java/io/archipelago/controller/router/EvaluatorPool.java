package io.archipelago.controller.router;

import io.archipelago.proto.EvaluationRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The evaluators of one kind, as the Receptionist lists them: their slots with each node's load,
 * the dispatches waiting for a free slot (one queue per search: {@link PoolShare}), and the
 * controllers watching how many slots take work.
 *
 * <p>Searches sharing the pool take turns by weight: a free slot goes to the waiting search that
 * holds the fewest slots per unit of weight (ties: the one served longest ago), so while searches
 * of weights 3 and 1 both have candidates waiting, they hold 3/4 and 1/4 of the slots; a search
 * with nothing waiting leaves its part to the others. A slot runs one evaluation at a time,
 * whichever search it is for.
 */
final class EvaluatorPool {
    final String kind;
    private final Map<ActorRef<EvaluationRequest>, Slot> slots = new LinkedHashMap<>();
    private final Map<Tenant, PoolShare> shares = new LinkedHashMap<>();
    /** The shares in order, as an array: the hot path picks among them without an iterator. */
    private PoolShare[] order = new PoolShare[0];
    /** The share whose head {@link #nextWaiting} returned. */
    private PoolShare chosen;
    /** Slots granted so far: the clock of {@link PoolShare#lastServed}. */
    private long grants;
    /** Dispatches waiting, all searches: what the node's metrics read (from their own thread) as the queue depth. */
    private volatile int waitingCount;
    /** Who watches the capacity, each with its search (null: none, it watches for good). */
    private final Map<ActorRef<Router.Event>, String> watchers = new HashMap<>();

    private final Map<String, int[]> nodeLoad = new HashMap<>(); // node -> {busy, slots}
    /** When the pool last lost its last live slot; 0 while it has one (or before it ever had one: see the sweep). */
    private long emptySinceNanos = System.nanoTime();

    EvaluatorPool(String kind) {
        this.kind = kind;
    }

    /** Tells {@code watcher} (of search {@code searchId}, or null) the live slots now, and again whenever they change. */
    void watch(ActorRef<Router.Event> watcher, String searchId) {
        watchers.put(watcher, searchId);
        watcher.tell(new Router.Capacity(kind, liveSlots()));
    }

    /** The search's part of this pool. */
    PoolShare share(Tenant tenant) {
        PoolShare share = shares.get(tenant);
        if (share == null) {
            share = new PoolShare(tenant);
            shares.put(tenant, share);
            order = shares.values().toArray(new PoolShare[0]);
        }
        return share;
    }

    /** Queues a new dispatch behind the others of its search. */
    void enqueue(Dispatch dispatch) {
        dispatch.share.waiting.addLast(dispatch);
        waitingCount++;
    }

    /** Queues a dispatch to run again, ahead of the others of its search: it has waited already. */
    void requeue(Dispatch dispatch) {
        dispatch.share.waiting.addFirst(dispatch);
        waitingCount++;
    }

    /** The next dispatch to run (of the search whose turn it is), left in the queue; null when none waits. */
    Dispatch nextWaiting() {
        if (order.length == 1) { // one search: its queue in order, as before searches shared pools
            chosen = order[0];
            return chosen.waiting.peekFirst();
        }
        PoolShare best = null;
        for (PoolShare share : order) {
            if (share.waiting.isEmpty()) {
                continue;
            }
            if (best == null) {
                best = share;
                continue;
            }
            // running/weight compared without division: exact, whatever the weights
            long mine = (long) share.running * best.tenant.weight;
            long theirs = (long) best.running * share.tenant.weight;
            if (mine < theirs || (mine == theirs && share.lastServed < best.lastServed)) {
                best = share;
            }
        }
        chosen = best;
        return best == null ? null : best.waiting.peekFirst();
    }

    /** Takes out what {@link #nextWaiting} returned: it goes to a slot now. */
    void removeNextWaiting() {
        chosen.waiting.pollFirst();
        chosen.lastServed = ++grants;
        waitingCount--;
    }

    /** Every waiting dispatch of {@code tenant}, taken out of the queue. */
    List<Dispatch> withdraw(Tenant tenant) {
        PoolShare share = shares.get(tenant);
        if (share == null) {
            return List.of();
        }
        List<Dispatch> taken = new ArrayList<>(share.waiting);
        waitingCount -= taken.size();
        share.waiting.clear();
        forgetIfDone(share);
        return taken;
    }

    /** The search left the router: its watchers go, and its share once nothing of it runs here. */
    void leave(Tenant tenant) {
        watchers.values().removeIf(searchId -> tenant.searchId.equals(searchId));
        PoolShare share = shares.get(tenant);
        if (share != null) {
            waitingCount -= share.waiting.size();
            share.waiting.clear();
            forgetIfDone(share);
        }
    }

    private void forgetIfDone(PoolShare share) {
        if (share.idle() && share.tenant.left) {
            shares.remove(share.tenant);
            order = shares.values().toArray(new PoolShare[0]);
        }
    }

    /** Slots running {@code tenant}'s evaluations, and its dispatches waiting, here: {running, waiting}. */
    int[] load(Tenant tenant) {
        PoolShare share = shares.get(tenant);
        return share == null ? new int[2] : new int[] {share.running, share.waiting.size()};
    }

    /**
     * The waiting dispatches of every search whose deadline has passed while the pool was without
     * a live slot, taken out of the queue; none while the pool has one.
     */
    List<Dispatch> stranded(long nowNanos) {
        if (emptySinceNanos == 0) {
            return List.of();
        }
        List<Dispatch> stranded = new ArrayList<>();
        for (PoolShare share : shares.values()) {
            if (!share.waiting.isEmpty() && nowNanos - emptySinceNanos > share.tenant.timeoutNanos) {
                stranded.addAll(share.waiting);
                waitingCount -= share.waiting.size();
                share.waiting.clear();
            }
        }
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

    void occupy(Slot slot, Dispatch dispatch, int attempt) {
        slot.run(dispatch.key, attempt, dispatch.share);
        dispatch.share.running++;
        nodeLoad.get(slot.node)[0]++;
    }

    void release(Slot slot) {
        PoolShare share = slot.free();
        share.running--;
        forgetIfDone(share);
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

    /** Dispatches waiting for a slot, all searches; safe to read from any thread. */
    int waitingCount() {
        return waitingCount;
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
        for (ActorRef<Router.Event> watcher : watchers.keySet()) {
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
                slot.share().running--; // the router retries what it ran
                forgetIfDone(slot.share());
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
