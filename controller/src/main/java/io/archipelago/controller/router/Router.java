package io.archipelago.controller.router;

import io.archipelago.evaluators.EvaluatorActor;
import io.archipelago.evaluators.NodeMeters;
import io.archipelago.proto.Candidate;
import io.archipelago.proto.EvaluationRequest;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.IntermediateResult;
import io.archipelago.proto.StopEvaluation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
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
 *       yet tried the candidate; with no free slot the candidate waits in its pool's queue
 *       ({@link EvaluatorPool}).</li>
 *   <li>An in-flight table ({@link InFlight}) holds each {@link Dispatch} with its deadline. A
 *       failed, timed-out or orphaned (evaluator left) attempt is retried on another evaluator up
 *       to {@code maxAttempts}; then the candidate completes as failed with the last reason. A late
 *       answer to a superseded attempt is ignored (it only frees its slot), so nothing is counted
 *       twice.</li>
 *   <li>A result cache ({@link ResultCache}) keyed by (space, canonical architecture, evaluator
 *       kind, fidelity) answers repeated candidates without spending a slot; a candidate whose key
 *       is already in flight waits for that evaluation instead of starting another.</li>
 *   <li>A pool left without a live slot (its only node died, e.g. the one latency node of a device)
 *       keeps its candidates queued for the node to come back; after {@code timeout} without any
 *       they complete as failed, naming the pool, so a search never waits forever.</li>
 *   <li>Results carrying a pinned label ({@link LabelPins}: which supernet scored them) must agree
 *       with the search's first; one that does not is a failed attempt, retried elsewhere.</li>
 *   <li>A slot whose node is draining hands its request back: the candidate goes to another slot
 *       under the same attempt number, and the slot gets no more work (it leaves the pool when its
 *       node does). Pool capacity, as controllers see it, counts only slots that take work, so a
 *       controller never submits more than the live slots can run.</li>
 *   <li>One router may serve several searches (a cluster's search host runs all its searches on
 *       one): each {@link Join}s with its own settings and weight, and keeps its own cache, pins
 *       and retries ({@link Tenant}); the pools' slots go to them by weight ({@link
 *       EvaluatorPool}), one evaluation per slot whatever the search. A search that does not join
 *       is served with the router's settings at weight 1.</li>
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
                throw new IllegalArgumentException(
                        candidates.size() + " candidates for " + results.size() + " results");
            }
        }
    }

    /**
     * Send {@code replyTo} the slot count of {@code kind}'s pool now and whenever it changes, until
     * search {@code searchId} leaves (null: for good).
     */
    public record WatchCapacity(String kind, ActorRef<Event> replyTo, String searchId) implements Command {
        public WatchCapacity(String kind, ActorRef<Event> replyTo) {
            this(kind, replyTo, null);
        }
    }

    /** A search on a shared router: its own settings, and its weight in the pools' slots (>= 1). */
    public record Join(String searchId, int weight, Settings settings) implements Command {
        public Join {
            if (weight < 1) {
                throw new IllegalArgumentException("a search's share must be >= 1, got " + weight);
            }
        }
    }

    /**
     * The search ended: what the router keeps of it goes (its cache, pins, watchers and waiting
     * candidates); an evaluation of it still running only frees its slot when it answers.
     */
    public record Leave(String searchId) implements Command {}

    /**
     * Cancel the search's evaluations: its waiting candidates are taken back (never run), its running
     * ones are asked to stop where their evaluator can, and a failed attempt is no more retried.
     * {@code replyTo} gets {@link Withdrawn}; the running ones complete as usual.
     */
    public record Withdraw(String searchId, String reason, ActorRef<Event> replyTo) implements Command {}

    /** Send {@code replyTo} how the searches share the slots now. */
    public record ReportLoad(ActorRef<Load> replyTo) implements Command {}

    /** Per search: its weight, the slots running its evaluations, and its candidates waiting for one (all pools). */
    public record Load(Map<String, SearchLoad> searches) {}

    public record SearchLoad(int weight, int running, int waiting) {}

    private record ResultArrived(EvaluationResult result) implements Command {}

    /**
     * Stop the candidate's evaluation in {@code evaluatorKind}'s pool (a scheduler gave up on it): its
     * evaluator ends at its next step and answers with what it has, which completes it as usual.
     */
    public record Stop(String searchId, long candidateId, String evaluatorKind, String reason) implements Command {}

    private record ProgressArrived(IntermediateResult point) implements Command {}

    private record PoolChanged(String kind, Set<ActorRef<EvaluationRequest>> members) implements Command {}

    private enum Sweep implements Command {
        INSTANCE
    }

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

    /** A point of a running candidate's learning curve (only with {@link Settings#followProgress()}). */
    public record Progress(IntermediateResult point) implements Event {}

    /** The answer to {@link Withdraw}: these candidates were taken back unrun; none of them completes. */
    public record Withdrawn(List<Long> candidateIds) implements Event {}

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
                default ->
                    throw new io.archipelago.controller.journal.JournalReplayException(
                            "result with unknown source " + source);
            };
        }
    }

    /**
     * @param timeout how long one attempt may take before it is retried elsewhere
     * @param maxAttempts dispatches per candidate before it fails
     * @param cacheCapacity results kept (least recently used are dropped beyond it)
     */
    public record Settings(Duration timeout, int maxAttempts, int cacheCapacity, boolean followProgress) {
        public static final Settings DEFAULTS = new Settings(Duration.ofHours(1), 3, 1_000_000);

        /** Evaluators report to nobody while they run (no scheduler follows them). */
        public Settings(Duration timeout, int maxAttempts, int cacheCapacity) {
            this(timeout, maxAttempts, cacheCapacity, false);
        }

        /** Evaluators send their learning curves as they go, and stops reach them (a scheduler's search). */
        public Settings withProgress() {
            return new Settings(timeout, maxAttempts, cacheCapacity, true);
        }

        public Settings {
            if (timeout.isNegative() || timeout.isZero() || maxAttempts < 1 || cacheCapacity < 0) {
                throw new IllegalArgumentException("invalid router settings: timeout=" + timeout + ", maxAttempts="
                        + maxAttempts + ", cacheCapacity=" + cacheCapacity);
            }
        }
    }

    public static Behavior<Command> create(Settings settings) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new Router(context, timers, settings)));
    }

    /** The router's settings: those of a search that does not join. */
    private final Settings settings;

    private final TimerScheduler<Command> timers;
    private Duration sweep;
    private final Tenants tenants;
    private final String selfSerialized;
    private final String progressSerialized;
    private final ActorRef<Receptionist.Listing> listingAdapter;
    private final Map<String, EvaluatorPool> pools = new HashMap<>();
    private final Map<String, String> kindOfServiceId = new HashMap<>();
    private final InFlight inFlight = new InFlight();
    /** The pools' queue-depth gauges in the node's metrics, removed when the router stops. */
    private final List<AutoCloseable> gauges = new ArrayList<>();

    private Router(ActorContext<Command> context, TimerScheduler<Command> timers, Settings settings) {
        super(context);
        this.settings = settings;
        this.timers = timers;
        this.tenants = new Tenants(settings);
        ActorRef<EvaluationResult> resultAdapter = context.messageAdapter(EvaluationResult.class, ResultArrived::new);
        this.selfSerialized = ActorRefResolver.get(context.getSystem()).toSerializationFormat(resultAdapter);
        this.progressSerialized = ActorRefResolver.get(context.getSystem())
                .toSerializationFormat(context.messageAdapter(IntermediateResult.class, ProgressArrived::new));
        this.listingAdapter = context.messageAdapter(Receptionist.Listing.class, this::toPoolChanged);
        sweepAtLeastEvery(settings.timeout());
    }

    /** Deadlines are checked every tenth of the shortest timeout served (within 10 ms..1 s). */
    private void sweepAtLeastEvery(Duration timeout) {
        Duration every = timeout.dividedBy(10);
        every = every.compareTo(Duration.ofMillis(10)) < 0
                ? Duration.ofMillis(10)
                : every.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : every;
        if (sweep == null || every.compareTo(sweep) < 0) {
            sweep = every;
            timers.startTimerWithFixedDelay(Sweep.INSTANCE, sweep);
        }
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
                .onMessage(ProgressArrived.class, arrived -> onProgress(arrived.point()))
                .onMessage(Stop.class, this::onStop)
                .onMessage(Join.class, this::onJoin)
                .onMessage(Leave.class, this::onLeave)
                .onMessage(Withdraw.class, this::onWithdraw)
                .onMessage(ReportLoad.class, this::onReportLoad)
                .onMessage(PoolChanged.class, this::onPoolChanged)
                .onMessageEquals(Sweep.INSTANCE, this::onSweep)
                .onSignal(PostStop.class, stopped -> removeGauges())
                .build();
    }

    private Behavior<Command> removeGauges() {
        for (AutoCloseable gauge : gauges) {
            try {
                gauge.close();
            } catch (Exception e) {
                getContext().getLog().warn("cannot remove a queue-depth gauge: {}", e.toString());
            }
        }
        return this;
    }

    private EvaluatorPool pool(String kind) {
        EvaluatorPool pool = pools.get(kind);
        if (pool == null) {
            pool = new EvaluatorPool(kind);
            pools.put(kind, pool);
            gauges.add(NodeMeters.get(getContext().getSystem())
                    .queueDepth(kind, "all", pool, EvaluatorPool::waitingCount));
            ServiceKey<EvaluationRequest> key = EvaluatorActor.serviceKey(kind);
            kindOfServiceId.put(key.id(), kind);
            getContext().getSystem().receptionist().tell(Receptionist.subscribe(key, listingAdapter));
        }
        return pool;
    }

    private Behavior<Command> onWatchCapacity(WatchCapacity watch) {
        pool(watch.kind()).watch(watch.replyTo(), watch.searchId());
        return this;
    }

    private Behavior<Command> onJoin(Join join) {
        if (tenants.join(join)) {
            sweepAtLeastEvery(join.settings().timeout());
        } else {
            getContext().getLog().warn("search {} joined the router twice; its first terms stay", join.searchId());
        }
        return this;
    }

    private Behavior<Command> onLeave(Leave leave) {
        tenants.leave(leave.searchId(), inFlight, pools.values());
        return this;
    }

    private Behavior<Command> onWithdraw(Withdraw withdraw) {
        List<Long> taken = tenants.withdraw(withdraw.searchId(), inFlight, pools.values());
        for (Dispatch running : tenants.running(withdraw.searchId(), inFlight)) {
            stop(running, withdraw.reason());
        }
        withdraw.replyTo().tell(new Withdrawn(taken));
        return this;
    }

    private Behavior<Command> onReportLoad(ReportLoad report) {
        report.replyTo().tell(tenants.load(pools.values()));
        return this;
    }

    private Behavior<Command> onSubmit(Submit submit) {
        for (Candidate candidate : submit.candidates()) {
            accept(candidate, submit.replyTo());
        }
        return this;
    }

    private Behavior<Command> onSeed(Seed seed) {
        if (seed.candidates().isEmpty()) {
            return this;
        }
        Tenant tenant = tenants.of(seed.candidates().get(0).getSearchId());
        for (EvaluationResult result : seed.results()) {
            if (result.getStatus() == EvaluationStatus.EVALUATION_STATUS_OK) {
                tenant.pins.admit(result); // the journal's results agree: they passed here before
            }
        }
        tenant.cache.seed(seed.candidates(), seed.results());
        return this;
    }

    private void accept(Candidate candidate, ActorRef<Event> replyTo) {
        CandidateKey key = CandidateKey.of(candidate);
        if (inFlight.contains(key)) {
            return; // already being evaluated: a resubmission must not run it twice
        }
        String cacheKey;
        try {
            cacheKey = ResultCache.key(candidate);
        } catch (IllegalArgumentException invalid) {
            replyTo.tell(new Completed(failure(candidate, invalid.getMessage(), 0), Source.REJECTED, 0));
            return;
        }
        Tenant tenant = tenants.of(candidate.getSearchId());
        EvaluationResult cached = tenant.cache.get(cacheKey);
        if (cached != null) {
            replyTo.tell(new Completed(ResultCache.answerFor(candidate, cached), Source.CACHED, 0));
            return;
        }
        EvaluatorPool pool = pool(candidate.getEvaluatorKind());
        Dispatch dispatch = new Dispatch(key, candidate, replyTo, cacheKey, pool, tenant);
        if (inFlight.add(dispatch)) {
            pool.enqueue(dispatch);
            drain(pool);
        }
    }

    /** Sends waiting dispatches of {@code pool} to free slots while both exist. */
    private void drain(EvaluatorPool pool) {
        for (Dispatch next; (next = pool.nextWaiting()) != null; ) {
            Slot slot = pool.freeSlotFor(next);
            if (slot == null) {
                return;
            }
            pool.removeNextWaiting();
            send(next, slot);
        }
    }

    private void send(Dispatch dispatch, Slot slot) {
        Tenant tenant = dispatch.tenant();
        int attempt = dispatch.sentTo(slot, tenant.timeoutNanos);
        dispatch.pool.occupy(slot, dispatch, attempt);
        EvaluationRequest.Builder request = EvaluationRequest.newBuilder()
                .setCandidate(dispatch.candidate)
                .setAttempt(attempt)
                .setReplyTo(selfSerialized);
        if (tenant.settings.followProgress()) {
            request.setProgressTo(progressSerialized);
        }
        slot.ref.tell(request.build());
    }

    /** A point of the current attempt's curve goes to the controller; a superseded attempt's is dropped. */
    private Behavior<Command> onProgress(IntermediateResult point) {
        Dispatch dispatch =
                inFlight.get(new CandidateKey(point.getSearchId(), point.getCandidateId(), point.getEvaluatorKind()));
        if (dispatch != null && dispatch.slot() != null && dispatch.attempt() == point.getAttempt()) {
            dispatch.replyTo.tell(new Progress(point));
        }
        return this;
    }

    private Behavior<Command> onStop(Stop stop) {
        Dispatch dispatch = inFlight.get(new CandidateKey(stop.searchId(), stop.candidateId(), stop.evaluatorKind()));
        if (dispatch != null && dispatch.slot() != null) {
            stop(dispatch, stop.reason());
        }
        return this;
    }

    private static void stop(Dispatch running, String reason) {
        EvaluatorActor.control(running.slot().ref)
                .tell(StopEvaluation.newBuilder()
                        .setSearchId(running.key.searchId())
                        .setCandidateId(running.key.candidateId())
                        .setAttempt(running.attempt())
                        .setReason(reason)
                        .build());
    }

    private Behavior<Command> onResult(EvaluationResult result) {
        CandidateKey key = CandidateKey.of(result);
        Dispatch dispatch = inFlight.get(key);
        if (dispatch == null || dispatch.slot() == null || dispatch.attempt() != result.getAttempt()) {
            releaseLate(key, result.getAttempt());
            return this;
        }
        EvaluatorPool pool = dispatch.pool;
        Slot slot = dispatch.detach();
        pool.release(slot);
        if (result.getStatus() == EvaluationStatus.EVALUATION_STATUS_HANDED_BACK) {
            handBack(dispatch, slot);
        } else if (result.getStatus() == EvaluationStatus.EVALUATION_STATUS_OK) {
            String refused = dispatch.tenant().pins.admit(result);
            if (refused == null) {
                dispatch.tenant().cache.put(dispatch.cacheKey, result);
                complete(dispatch, result);
            } else {
                getContext().getLog().warn(refused);
                retryOrFail(dispatch, refused);
            }
        } else {
            retryOrFail(
                    dispatch,
                    result.getFailureReason().isEmpty() ? "evaluator reported failure" : result.getFailureReason());
        }
        drain(pool);
        return this;
    }

    /** The slot's node is draining: retire the slot and queue the candidate again, attempt not spent. */
    private void handBack(Dispatch dispatch, Slot slot) {
        dispatch.handedBack(slot);
        dispatch.pool.requeue(dispatch);
        if (slot.retire()) {
            getContext().getLog().info("evaluator {} is draining; it gets no more work", slot.ref.path());
            dispatch.pool.capacityChanged();
        }
    }

    /** A superseded attempt answered after all: its slot is free again; the answer is dropped. */
    private void releaseLate(CandidateKey key, int attempt) {
        for (EvaluatorPool pool : pools.values()) {
            Slot slot = pool.running(key, attempt);
            if (slot != null) {
                pool.release(slot);
                drain(pool);
                return;
            }
        }
    }

    private void retryOrFail(Dispatch dispatch, String reason) {
        dispatch.failed(reason);
        Tenant tenant = dispatch.tenant();
        if (tenant.withdrawn) {
            complete(
                    dispatch,
                    failure(dispatch.candidate, "search cancelled; last attempt: " + reason, dispatch.attempt()));
        } else if (dispatch.attempt() < tenant.settings.maxAttempts()) {
            dispatch.pool.requeue(dispatch);
        } else {
            String why = "failed after " + dispatch.attempt() + " attempt(s): " + reason;
            complete(dispatch, failure(dispatch.candidate, why, dispatch.attempt()));
        }
    }

    private void complete(Dispatch dispatch, EvaluationResult result) {
        inFlight.remove(dispatch);
        dispatch.replyTo.tell(new Completed(result, Source.EVALUATED, dispatch.attempt()));
        for (Dispatch follower : dispatch.followers()) {
            follower.replyTo.tell(new Completed(ResultCache.answerFor(follower.candidate, result), Source.CACHED, 0));
        }
    }

    private Behavior<Command> onSweep() {
        if (inFlight.isEmpty()) {
            return this;
        }
        long now = System.nanoTime();
        for (EvaluatorPool pool : pools.values()) {
            for (Dispatch dispatch : pool.stranded(now)) {
                String why = "no evaluator in pool " + pool.kind + " for "
                        + dispatch.tenant().settings.timeout().toMillis() + " ms";
                complete(
                        dispatch,
                        failure(
                                dispatch.candidate,
                                dispatch.lastFailure() == null ? why : why + "; last: " + dispatch.lastFailure(),
                                dispatch.attempt()));
            }
        }
        List<Dispatch> expired = inFlight.overdue(now);
        if (expired != null) {
            for (Dispatch dispatch : expired) {
                // The slot stays busy with the stale attempt until it answers or leaves.
                String evaluator = dispatch.detach().ref.path().toString();
                retryOrFail(
                        dispatch,
                        "timed out after "
                                + dispatch.tenant().settings.timeout().toMillis() + " ms on " + evaluator);
                drain(dispatch.pool);
            }
        }
        return this;
    }

    private Behavior<Command> onPoolChanged(PoolChanged change) {
        EvaluatorPool pool = pools.get(change.kind());
        for (Slot slot : pool.update(change.members())) {
            if (slot.busy()) {
                Dispatch orphan = inFlight.get(slot.runningKey());
                if (orphan != null && orphan.slot() == slot) {
                    orphan.detach();
                    retryOrFail(orphan, "evaluator " + slot.ref.path() + " left the pool");
                }
            }
        }
        getContext()
                .getLog()
                .info("pool {} now has {} slot(s) on {} node(s)", pool.kind, pool.slotCount(), pool.nodeCount());
        pool.capacityChanged();
        drain(pool);
        return this;
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
