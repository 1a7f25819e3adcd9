package io.archipelago.controller.router;

import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.SearchSpaces;
import io.archipelago.evaluators.EvaluatorActor;
import io.archipelago.proto.Candidate;
import io.archipelago.proto.EvaluationRequest;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Fans candidates out to pools of evaluator actors, one pool per evaluator kind, found through
 * the Receptionist (so pools follow evaluators as they come and go).
 *
 * <ul>
 *   <li>Dispatch goes to a free slot on the least-loaded node, preferring evaluators that have not
 *       yet tried the candidate; with no free slot the candidate waits in its pool's queue.</li>
 *   <li>An in-flight table holds each dispatch with its deadline. A failed, timed-out or orphaned
 *       (evaluator left) attempt is retried on another evaluator up to {@code maxAttempts}; then
 *       the candidate completes as failed with the last reason. A late answer to a superseded
 *       attempt is ignored (it only frees its slot), so nothing is counted twice.</li>
 *   <li>A result cache keyed by (space, canonical architecture, evaluator kind, fidelity) answers
 *       repeated candidates without spending a slot; a candidate whose key is already in flight
 *       waits for that evaluation instead of starting another.</li>
 *   <li>A pool left without a live slot (its only node died, e.g. the one latency node of a device)
 *       keeps its candidates queued for the node to come back; after {@code timeout} without any
 *       they complete as failed, naming the pool, so a search never waits forever.</li>
 *   <li>A slot whose node is draining hands its request back: the candidate goes to another slot
 *       under the same attempt number, and the slot gets no more work (it leaves the pool when its
 *       node does). Pool capacity, as controllers see it, counts only slots that take work, so a
 *       controller never submits more than the live slots can run.</li>
 * </ul>
 */
public final class Router extends AbstractBehavior<Router.Command> {

    public sealed interface Command {}

    /** Evaluate these candidates; each ends in exactly one {@link Completed} sent to {@code replyTo}. */
    public record Submit(List<Candidate> candidates, ActorRef<Event> replyTo) implements Command {}

    /**
     * Results evaluated earlier (a resumed search's journal), each with the candidate it answered:
     * the cache answers their architectures again, as it did before the controller's node died,
     * instead of spending budget and evaluator time on them a second time.
     */
    public record Seed(List<Candidate> candidates, List<EvaluationResult> results) implements Command {
        public Seed {
            if (candidates.size() != results.size()) {
                throw new IllegalArgumentException(candidates.size() + " candidates for " + results.size() + " results");
            }
        }
    }

    /** Send {@code replyTo} the slot count of {@code kind}'s pool now and whenever it changes. */
    public record WatchCapacity(String kind, ActorRef<Event> replyTo) implements Command {}

    private record ResultArrived(EvaluationResult result) implements Command {}

    private record PoolChanged(String kind, Set<ActorRef<EvaluationRequest>> members) implements Command {}

    private enum Sweep implements Command { INSTANCE }

    /** What the router tells a controller. */
    public sealed interface Event {}

    /**
     * The final outcome of a candidate.
     *
     * @param attempts how many times it was dispatched (0 when it never ran)
     */
    public record Completed(EvaluationResult result, Source source, int attempts) implements Event {}

    /** The number of evaluator slots in {@code kind}'s pool. */
    public record Capacity(String kind, int slots) implements Event {}

    /** Where a {@link Completed} result came from; only {@code EVALUATED} spent evaluator time. */
    public enum Source {
        /** An evaluator ran it (successfully or not, after retries). */
        EVALUATED,
        /** Answered from the cache, or by an identical candidate's evaluation in flight. */
        CACHED,
        /** Never dispatched: the candidate itself is invalid (e.g. unknown space). */
        REJECTED;

        /** As the journal records it. */
        public io.archipelago.proto.ResultSource toProto() {
            return switch (this) {
                case EVALUATED -> io.archipelago.proto.ResultSource.RESULT_SOURCE_EVALUATED;
                case CACHED -> io.archipelago.proto.ResultSource.RESULT_SOURCE_CACHED;
                case REJECTED -> io.archipelago.proto.ResultSource.RESULT_SOURCE_REJECTED;
            };
        }

        /** As the journal recorded it; a source this version does not know makes the journal unreadable. */
        public static Source of(io.archipelago.proto.ResultSource source) {
            return switch (source) {
                case RESULT_SOURCE_EVALUATED -> EVALUATED;
                case RESULT_SOURCE_CACHED -> CACHED;
                case RESULT_SOURCE_REJECTED -> REJECTED;
                default -> throw new io.archipelago.controller.journal.JournalReplayException("result with unknown source " + source);
            };
        }
    }

    /**
     * @param timeout how long one attempt may take before it is retried elsewhere
     * @param maxAttempts dispatches per candidate before it fails
     * @param cacheCapacity results kept (least recently used are dropped beyond it)
     */
    public record Settings(Duration timeout, int maxAttempts, int cacheCapacity) {
        public static final Settings DEFAULTS = new Settings(Duration.ofHours(1), 3, 1_000_000);

        public Settings {
            if (timeout.isNegative() || timeout.isZero() || maxAttempts < 1 || cacheCapacity < 0) {
                throw new IllegalArgumentException("invalid router settings: timeout=" + timeout + ", maxAttempts=" + maxAttempts
                        + ", cacheCapacity=" + cacheCapacity);
            }
        }
    }

    public static Behavior<Command> create(Settings settings) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new Router(context, timers, settings)));
    }

    /** One dispatch: a candidate that several pools evaluate (accuracy and latency) has one per kind. */
    private record CandidateKey(String searchId, long candidateId, String kind) {}

    /** One evaluator actor: one slot. */
    private static final class Slot {
        final ActorRef<EvaluationRequest> ref;
        final String node;
        /** The dispatch it is running (also after that attempt timed out, until it answers). */
        CandidateKey runningKey;
        int runningAttempt;
        /** Its node is draining: it takes no more work. */
        boolean retired;

        Slot(ActorRef<EvaluationRequest> ref) {
            this.ref = ref;
            this.node = ref.path().address().toString();
        }

        boolean busy() {
            return runningKey != null;
        }
    }

    private static final class Pool {
        final String kind;
        final Map<ActorRef<EvaluationRequest>, Slot> slots = new LinkedHashMap<>();
        final ArrayDeque<Dispatch> waiting = new ArrayDeque<>();
        final Set<ActorRef<Event>> watchers = new HashSet<>();
        final Map<String, int[]> nodeLoad = new HashMap<>(); // node -> {busy, slots}
        /** When the pool last lost its last live slot; 0 while it has one (or before it ever had one: see the sweep). */
        long emptySinceNanos = System.nanoTime();

        Pool(String kind) {
            this.kind = kind;
        }
    }

    private static final class Dispatch {
        final CandidateKey key;
        final Candidate candidate;
        final ActorRef<Event> replyTo;
        final String cacheKey;
        final Pool pool;
        final List<ActorRef<EvaluationRequest>> tried = new ArrayList<>(2);
        List<Dispatch> followers; // identical candidates waiting for this evaluation
        int attempt;
        Slot slot; // null while waiting for a slot
        long deadlineNanos;
        String lastFailure;

        Dispatch(CandidateKey key, Candidate candidate, ActorRef<Event> replyTo, String cacheKey, Pool pool) {
            this.key = key;
            this.candidate = candidate;
            this.replyTo = replyTo;
            this.cacheKey = cacheKey;
            this.pool = pool;
        }
    }

    private final Settings settings;
    private final long timeoutNanos;
    private final String selfSerialized;
    private final ActorRef<Receptionist.Listing> listingAdapter;
    private final Map<String, Pool> pools = new HashMap<>();
    private final Map<String, String> kindOfServiceId = new HashMap<>();
    private final Map<CandidateKey, Dispatch> inFlight = new HashMap<>();
    private final Map<String, Dispatch> inFlightByCacheKey = new HashMap<>();
    private final Map<String, EvaluationResult> cache;

    private Router(ActorContext<Command> context, TimerScheduler<Command> timers, Settings settings) {
        super(context);
        this.settings = settings;
        this.timeoutNanos = settings.timeout().toNanos();
        ActorRef<EvaluationResult> resultAdapter = context.messageAdapter(EvaluationResult.class, ResultArrived::new);
        this.selfSerialized = ActorRefResolver.get(context.getSystem()).toSerializationFormat(resultAdapter);
        this.listingAdapter = context.messageAdapter(Receptionist.Listing.class, this::toPoolChanged);
        int capacity = settings.cacheCapacity();
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, EvaluationResult> eldest) {
                return size() > capacity;
            }
        };
        Duration sweep = settings.timeout().dividedBy(10);
        sweep = sweep.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10) : sweep.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : sweep;
        timers.startTimerWithFixedDelay(Sweep.INSTANCE, sweep);
    }

    private Command toPoolChanged(Receptionist.Listing listing) {
        String kind = kindOfServiceId.get(listing.getKey().id());
        return new PoolChanged(kind, listing.getServiceInstances(EvaluatorActor.serviceKey(kind)));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Submit.class, this::onSubmit)
                .onMessage(Seed.class, this::onSeed)
                .onMessage(WatchCapacity.class, this::onWatchCapacity)
                .onMessage(ResultArrived.class, arrived -> onResult(arrived.result()))
                .onMessage(PoolChanged.class, this::onPoolChanged)
                .onMessageEquals(Sweep.INSTANCE, this::onSweep)
                .build();
    }

    private Pool pool(String kind) {
        Pool pool = pools.get(kind);
        if (pool == null) {
            pool = new Pool(kind);
            pools.put(kind, pool);
            ServiceKey<EvaluationRequest> key = EvaluatorActor.serviceKey(kind);
            kindOfServiceId.put(key.id(), kind);
            getContext().getSystem().receptionist().tell(Receptionist.subscribe(key, listingAdapter));
        }
        return pool;
    }

    private Behavior<Command> onWatchCapacity(WatchCapacity watch) {
        Pool pool = pool(watch.kind());
        pool.watchers.add(watch.replyTo());
        watch.replyTo().tell(new Capacity(pool.kind, liveSlots(pool)));
        return this;
    }

    private Behavior<Command> onSubmit(Submit submit) {
        for (Candidate candidate : submit.candidates()) {
            accept(candidate, submit.replyTo());
        }
        return this;
    }

    private Behavior<Command> onSeed(Seed seed) {
        if (settings.cacheCapacity() == 0) {
            return this;
        }
        for (int i = 0; i < seed.candidates().size(); i++) {
            try {
                cache.putIfAbsent(cacheKey(seed.candidates().get(i)), seed.results().get(i));
            } catch (IllegalArgumentException notInTheSpace) {
                // it was rejected then too: nothing to remember
            }
        }
        return this;
    }

    private void accept(Candidate candidate, ActorRef<Event> replyTo) {
        CandidateKey key = new CandidateKey(candidate.getSearchId(), candidate.getCandidateId(), candidate.getEvaluatorKind());
        if (inFlight.containsKey(key)) {
            return; // already being evaluated: a resubmission must not run it twice
        }
        String cacheKey;
        try {
            cacheKey = cacheKey(candidate);
        } catch (IllegalArgumentException invalid) {
            replyTo.tell(new Completed(failure(candidate, invalid.getMessage(), 0), Source.REJECTED, 0));
            return;
        }
        EvaluationResult cached = cache.get(cacheKey);
        if (cached != null) {
            replyTo.tell(new Completed(answerFor(candidate, cached), Source.CACHED, 0));
            return;
        }
        Pool pool = pool(candidate.getEvaluatorKind());
        Dispatch dispatch = new Dispatch(key, candidate, replyTo, cacheKey, pool);
        inFlight.put(key, dispatch);
        Dispatch leader = inFlightByCacheKey.putIfAbsent(cacheKey, dispatch);
        if (leader != null) {
            if (leader.followers == null) {
                leader.followers = new ArrayList<>(1);
            }
            leader.followers.add(dispatch);
            return;
        }
        pool.waiting.addLast(dispatch);
        drain(pool);
    }

    private static String cacheKey(Candidate candidate) {
        SearchSpace<?> space = SearchSpaces.byId(candidate.getArchitecture().getSpace());
        return canonical(space, candidate.getArchitecture().getEncoding()) + '\u0001' + candidate.getEvaluatorKind() + '\u0001'
                + candidate.getFidelity() + '\u0001' + space.id();
    }

    private static <A> String canonical(SearchSpace<A> space, String encoding) {
        return space.canonicalKey(space.parse(encoding));
    }

    /** Sends waiting dispatches of {@code pool} to free slots while both exist. */
    private void drain(Pool pool) {
        while (!pool.waiting.isEmpty()) {
            Dispatch next = pool.waiting.peekFirst();
            Slot slot = freeSlot(pool, next);
            if (slot == null) {
                return;
            }
            pool.waiting.pollFirst();
            send(next, slot);
        }
    }

    /** A free slot on the least-loaded node, preferring evaluators that have not tried the candidate. */
    private static Slot freeSlot(Pool pool, Dispatch dispatch) {
        Slot best = null;
        boolean bestUntried = false;
        double bestLoad = Double.MAX_VALUE;
        for (Slot slot : pool.slots.values()) {
            if (slot.busy() || slot.retired) {
                continue;
            }
            boolean untried = !dispatch.tried.contains(slot.ref);
            int[] load = pool.nodeLoad.get(slot.node);
            double fraction = (double) load[0] / load[1];
            if (best == null || (untried && !bestUntried) || (untried == bestUntried && fraction < bestLoad)) {
                best = slot;
                bestUntried = untried;
                bestLoad = fraction;
            }
        }
        return best;
    }

    private void send(Dispatch dispatch, Slot slot) {
        dispatch.attempt++;
        dispatch.slot = slot;
        dispatch.deadlineNanos = System.nanoTime() + timeoutNanos;
        dispatch.tried.add(slot.ref);
        slot.runningKey = dispatch.key;
        slot.runningAttempt = dispatch.attempt;
        dispatch.pool.nodeLoad.get(slot.node)[0]++;
        slot.ref.tell(EvaluationRequest.newBuilder()
                .setCandidate(dispatch.candidate)
                .setAttempt(dispatch.attempt)
                .setReplyTo(selfSerialized)
                .build());
    }

    private void release(Pool pool, Slot slot) {
        slot.runningKey = null;
        pool.nodeLoad.get(slot.node)[0]--;
    }

    private Behavior<Command> onResult(EvaluationResult result) {
        CandidateKey key = new CandidateKey(result.getSearchId(), result.getCandidateId(), result.getEvaluatorKind());
        Dispatch dispatch = inFlight.get(key);
        if (dispatch == null || dispatch.slot == null || dispatch.attempt != result.getAttempt()) {
            releaseLate(key, result.getAttempt());
            return this;
        }
        Pool pool = dispatch.pool;
        Slot slot = dispatch.slot;
        release(pool, slot);
        dispatch.slot = null;
        if (result.getStatus() == EvaluationStatus.EVALUATION_STATUS_HANDED_BACK) {
            handBack(dispatch, slot);
        } else if (result.getStatus() == EvaluationStatus.EVALUATION_STATUS_OK) {
            if (settings.cacheCapacity() > 0) {
                cache.put(dispatch.cacheKey, result);
            }
            complete(dispatch, result);
        } else {
            retryOrFail(dispatch, result.getFailureReason().isEmpty() ? "evaluator reported failure" : result.getFailureReason());
        }
        drain(pool);
        return this;
    }

    /** The slot's node is draining: retire the slot and queue the candidate again, attempt not spent. */
    private void handBack(Dispatch dispatch, Slot slot) {
        dispatch.tried.remove(slot.ref);
        dispatch.attempt--;
        dispatch.pool.waiting.addFirst(dispatch);
        if (!slot.retired) {
            slot.retired = true;
            getContext().getLog().info("evaluator {} is draining; it gets no more work", slot.ref.path());
            notifyWatchers(dispatch.pool);
        }
    }

    private static int liveSlots(Pool pool) {
        int live = 0;
        for (Slot slot : pool.slots.values()) {
            if (!slot.retired) {
                live++;
            }
        }
        return live;
    }

    private void notifyWatchers(Pool pool) {
        int live = liveSlots(pool);
        if (live == 0 && pool.emptySinceNanos == 0) {
            pool.emptySinceNanos = System.nanoTime();
        } else if (live > 0) {
            pool.emptySinceNanos = 0;
        }
        Capacity capacity = new Capacity(pool.kind, live);
        for (ActorRef<Event> watcher : pool.watchers) {
            watcher.tell(capacity);
        }
    }

    /** A superseded attempt answered after all: its slot is free again; the answer is dropped. */
    private void releaseLate(CandidateKey key, int attempt) {
        for (Pool pool : pools.values()) {
            for (Slot slot : pool.slots.values()) {
                if (key.equals(slot.runningKey) && slot.runningAttempt == attempt) {
                    release(pool, slot);
                    drain(pool);
                    return;
                }
            }
        }
    }

    private void retryOrFail(Dispatch dispatch, String reason) {
        dispatch.lastFailure = reason;
        if (dispatch.attempt < settings.maxAttempts()) {
            dispatch.pool.waiting.addFirst(dispatch);
        } else {
            String why = "failed after " + dispatch.attempt + " attempt(s): " + reason;
            complete(dispatch, failure(dispatch.candidate, why, dispatch.attempt));
        }
    }

    private void complete(Dispatch dispatch, EvaluationResult result) {
        inFlight.remove(dispatch.key);
        inFlightByCacheKey.remove(dispatch.cacheKey);
        dispatch.replyTo.tell(new Completed(result, Source.EVALUATED, dispatch.attempt));
        if (dispatch.followers != null) {
            for (Dispatch follower : dispatch.followers) {
                inFlight.remove(follower.key);
                follower.replyTo.tell(new Completed(answerFor(follower.candidate, result), Source.CACHED, 0));
            }
        }
    }

    private Behavior<Command> onSweep() {
        if (inFlight.isEmpty()) {
            return this;
        }
        long now = System.nanoTime();
        for (Pool pool : pools.values()) {
            if (pool.emptySinceNanos != 0 && !pool.waiting.isEmpty() && now - pool.emptySinceNanos > timeoutNanos) {
                String why = "no evaluator in pool " + pool.kind + " for " + settings.timeout().toMillis() + " ms";
                for (Dispatch dispatch; (dispatch = pool.waiting.pollFirst()) != null; ) {
                    complete(dispatch, failure(dispatch.candidate, dispatch.lastFailure == null ? why : why + "; last: " + dispatch.lastFailure,
                            dispatch.attempt));
                }
            }
        }
        List<Dispatch> expired = null;
        for (Dispatch dispatch : inFlight.values()) {
            if (dispatch.slot != null && now - dispatch.deadlineNanos > 0) {
                if (expired == null) {
                    expired = new ArrayList<>();
                }
                expired.add(dispatch);
            }
        }
        if (expired != null) {
            for (Dispatch dispatch : expired) {
                // The slot stays busy with the stale attempt until it answers or leaves.
                String evaluator = dispatch.slot.ref.path().toString();
                dispatch.slot = null;
                retryOrFail(dispatch, "timed out after " + settings.timeout().toMillis() + " ms on " + evaluator);
                drain(dispatch.pool);
            }
        }
        return this;
    }

    private Behavior<Command> onPoolChanged(PoolChanged change) {
        Pool pool = pools.get(change.kind());
        Set<ActorRef<EvaluationRequest>> members = change.members();
        List<Slot> gone = new ArrayList<>();
        for (Slot slot : pool.slots.values()) {
            if (!members.contains(slot.ref)) {
                gone.add(slot);
            }
        }
        for (Slot slot : gone) {
            pool.slots.remove(slot.ref);
            int[] load = pool.nodeLoad.get(slot.node);
            load[1]--;
            if (slot.busy()) {
                load[0]--;
                Dispatch orphan = inFlight.get(slot.runningKey);
                if (orphan != null && orphan.slot == slot) {
                    orphan.slot = null;
                    retryOrFail(orphan, "evaluator " + slot.ref.path() + " left the pool");
                }
            }
            if (load[1] == 0) {
                pool.nodeLoad.remove(slot.node);
            }
        }
        for (ActorRef<EvaluationRequest> ref : members) {
            if (!pool.slots.containsKey(ref)) {
                Slot slot = new Slot(ref);
                pool.slots.put(ref, slot);
                pool.nodeLoad.computeIfAbsent(slot.node, n -> new int[2])[1]++;
            }
        }
        getContext().getLog().info("pool {} now has {} slot(s) on {} node(s)", pool.kind, pool.slots.size(), pool.nodeLoad.size());
        notifyWatchers(pool);
        drain(pool);
        return this;
    }

    private static EvaluationResult answerFor(Candidate candidate, EvaluationResult result) {
        return result.toBuilder()
                .setSearchId(candidate.getSearchId())
                .setCandidateId(candidate.getCandidateId())
                .setArchitecture(candidate.getArchitecture())
                .setEvaluatorKind(candidate.getEvaluatorKind())
                .build();
    }

    private static EvaluationResult failure(Candidate candidate, String reason, int attempts) {
        return EvaluationResult.newBuilder()
                .setSearchId(candidate.getSearchId())
                .setCandidateId(candidate.getCandidateId())
                .setArchitecture(candidate.getArchitecture())
                .setEvaluatorKind(candidate.getEvaluatorKind())
                .setStatus(EvaluationStatus.EVALUATION_STATUS_FAILED)
                .setFailureReason(reason)
                .setAttempt(attempts)
                .build();
    }
}
