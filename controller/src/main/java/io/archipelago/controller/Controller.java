package io.archipelago.controller;

import io.archipelago.controller.SearchEvent.ResultRecorded;
import io.archipelago.controller.SearchEvent.SearchFinished;
import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.controller.journal.EncodedStep;
import io.archipelago.controller.journal.JournalReplayException;
import io.archipelago.controller.router.Router;
import io.archipelago.controller.scheduler.Scheduler;
import io.archipelago.controller.strategy.Strategy;
import io.archipelago.controller.strategy.Trial;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.predictors.PredictorActor;
import io.archipelago.proto.CandidatesAsked;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.IntermediateResult;
import io.archipelago.proto.ModelFitted;
import io.archipelago.proto.ResultSource;
import io.archipelago.proto.ResultTold;
import io.archipelago.proto.SearchSpec;
import io.archipelago.proto.StepOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * Runs one search: drives a {@link Strategy} against the router until the budget of evaluations
 * is spent. It keeps every evaluator slot busy: whenever results free slots it asks the strategy
 * for as many candidates as there are free slots (and budget left), never waiting for a
 * generation, unless {@link SearchSettings#generational()} asks it to, for comparison.
 *
 * <p><b>Durable.</b> The search is event-sourced: its child {@link SearchJournal} (Pekko
 * Persistence, persistence id {@code search|<id>}) first replays the journal into a fresh
 * strategy; a journaled search resumes (the candidates that were in flight are dispatched
 * again), a new one records its spec. Then every ask, tell and model arrival is applied here as it
 * happens and journaled behind (never waiting for the database). A search is reported finished
 * only once its end is in the journal. A database that goes away mid-search is waited for, within
 * a window, by the {@link JournalKeeper} between the two.
 *
 * <p>A search can ask several pools for each candidate (accuracy from one, latency on a device
 * from another: {@link SearchSettings#mergedKinds()}). Each pool gets its own dispatch; the
 * strategy is told once, when every pool has answered, with the metrics merged. A candidate takes
 * a slot in every pool, so the free slots are those of the fullest pool.
 */
public final class Controller<A> extends AbstractBehavior<Controller.Command> {

    public sealed interface Command {}

    /**
     * Stop the search: no more candidates are asked for, those waiting for a slot are withdrawn,
     * running ones are stopped where their evaluator can and recorded when they answer; then the
     * end is journaled with {@code "cancelled: " + reason} as its stop reason.
     */
    public record Cancel(String reason) implements Command {}

    private record FromRouter(Router.Event event) implements Command {}

    private record FromPredictor(PredictorActor.Fitted<?> fitted) implements Command {}

    private record FromJournal(SearchJournal.Reply reply) implements Command {}

    /** Sends the journal what was applied since the last batch. */
    private enum JournalBatch implements Command {
        INSTANCE
    }

    /**
     * How long applied ops gather before they go to the journal as one batch (group commit): one
     * message and one write per few hundred results when they pour in, not one per result. A crash
     * loses at most this much (those candidates are asked and evaluated again on resume).
     */
    static final java.time.Duration COMMIT_WINDOW = java.time.Duration.ofMillis(50);

    private final SearchSettings settings;
    private final SearchSpace<A> space;
    private final ActorRef<Router.Command> router;
    private final ActorRef<SearchEvent> observer;
    private final ActorRef<Router.Event> routerEvents;
    private final ActorRef<JournalKeeper.Command> journal; // null: not journaled
    private final ModelFits<A> fits;
    private final List<String> kinds;
    /** The search, once the journal has replayed it (null before). */
    private SearchState<A> state;
    /** Ops applied since the last batch went to the journal (null: not journaled). */
    private final StepBatch batch;
    /** Candidates some of whose pools have answered. */
    private final Map<Long, MergedAnswers> parts = new HashMap<>();
    /** Per pool: its slots, and the dispatches of outstanding candidates it has not answered. */
    private final PoolSlots pools;

    private final CandidateBuilder<A> candidates;
    /** What stops unpromising evaluations early (null: none). */
    private final Scheduler scheduler;

    private final RunClock clock = new RunClock();
    private boolean started;
    private boolean finishing;
    /** Why the search was cancelled (null: it was not). */
    private String cancelled;
    /** Outstanding candidates that the router took back on cancel: they never complete. */
    private final java.util.Set<Long> withdrawn = new java.util.HashSet<>();

    /**
     * @param spec what the journal records first for a new search (a resumed search passes the spec its journal has)
     */
    public static <A> Behavior<Command> create(
            SearchSettings settings,
            SearchSpec spec,
            SearchSpace<A> space,
            Strategy<A> strategy,
            ActorRef<Router.Command> router,
            ActorRef<SearchEvent> observer) {
        if (!spec.getSearchId().equals(settings.searchId())) {
            throw new IllegalArgumentException(
                    "spec of search " + spec.getSearchId() + " given to search " + settings.searchId());
        }
        return Behaviors.setup(context -> new Controller<>(context, settings, spec, space, strategy, router, observer));
    }

    /** A search whose spec records only its settings (benchmarks, tests: nothing resumes it from its options). */
    public static <A> Behavior<Command> create(
            SearchSettings settings,
            SearchSpace<A> space,
            Strategy<A> strategy,
            ActorRef<Router.Command> router,
            ActorRef<SearchEvent> observer) {
        return create(settings, settings.spec(space.id()).build(), space, strategy, router, observer);
    }

    /** The journal's persistence id of a search. */
    public static PersistenceId persistenceId(String searchId) {
        return SearchJournal.persistenceId(searchId);
    }

    private Controller(
            ActorContext<Command> context,
            SearchSettings settings,
            SearchSpec spec,
            SearchSpace<A> space,
            Strategy<A> strategy,
            ActorRef<Router.Command> router,
            ActorRef<SearchEvent> observer) {
        super(context);
        this.settings = settings;
        this.space = space;
        this.router = router;
        this.observer = observer;
        this.routerEvents = context.messageAdapter(Router.Event.class, FromRouter::new);
        this.fits = new ModelFits<>(context, strategy, FromPredictor::new);
        this.kinds = settings.kinds();
        this.pools = new PoolSlots(kinds, settings.evaluatorKind(), settings.minSlots());
        this.candidates = new CandidateBuilder<>(settings, space);
        this.scheduler =
                settings.scheduler() == null ? null : settings.scheduler().create();
        for (String kind : kinds) {
            router.tell(new Router.WatchCapacity(kind, routerEvents, settings.searchId()));
        }
        if (settings.journaled()) {
            this.journal = context.spawn(
                    JournalKeeper.create(
                            settings.searchId(),
                            spec,
                            space,
                            strategy,
                            settings.snapshotEvery(),
                            context.messageAdapter(SearchJournal.Reply.class, FromJournal::new)),
                    "journal");
            context.watch(journal);
            this.batch = new StepBatch();
        } else {
            this.journal = null;
            this.batch = null;
            this.state = SearchState.unjournaled(space, strategy, spec);
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(FromRouter.class, message -> journaled(onRouterEvent(message.event())))
                .onMessage(FromPredictor.class, message -> journaled(onFitted(message.fitted())))
                .onMessage(FromJournal.class, message -> journaled(onJournal(message.reply())))
                .onMessage(Cancel.class, message -> journaled(onCancel(message)))
                .onMessage(JournalBatch.class, message -> {
                    batch.scheduleFired();
                    sendBatch();
                    return this;
                })
                .onSignal(
                        ChildFailed.class, failed -> journalStopped(JournalReplayException.describe(failed.getCause())))
                .onSignal(Terminated.class, terminated -> journalStopped("the journal stopped"))
                .build();
    }

    /** After each message: the ops it applied go to the journal with the next batch. */
    private Behavior<Command> journaled(Behavior<Command> next) {
        if (journal != null && batch.needsSchedule()) {
            getContext().scheduleOnce(COMMIT_WINDOW, getContext().getSelf(), JournalBatch.INSTANCE);
        }
        return next;
    }

    private void sendBatch() {
        EncodedStep step = journal == null ? null : batch.take();
        if (step != null) {
            journal.tell(new JournalKeeper.Send(new SearchJournal.Append(step)));
        }
    }

    private Behavior<Command> journalStopped(String reason) {
        if (finishing) {
            return Behaviors.same(); // it stops after writing the end, which we heard about first
        }
        return abort(
                "the journal failed: " + reason + "; the search stops (resume it once the journal is back)", false);
    }

    private Behavior<Command> abort(String reason, boolean replay) {
        getContext().getLog().error("search {}: {}", settings.searchId(), reason);
        observer.tell(new SearchEvent.SearchAborted(settings.searchId(), reason, replay));
        return Behaviors.stopped();
    }

    /** Applies an op to the search now and queues it for the journal, encoded while it is at hand. */
    private void apply(StepOp op) {
        state.applyOp(op);
        if (journal != null) {
            batch.add(op);
        }
    }

    private Behavior<Command> onJournal(SearchJournal.Reply reply) {
        if (reply instanceof SearchJournal.Failed failed) {
            return abort(failed.reason(), failed.replay());
        }
        if (reply instanceof SearchJournal.Finished finished) {
            observer.tell(new SearchFinished(report(finished.reason())));
            return Behaviors.stopped();
        }
        @SuppressWarnings("unchecked")
        SearchJournal.Recovered<A> recovered = (SearchJournal.Recovered<A>) reply;
        state = recovered.state();
        List<ResultTold> replayed = state.takeReplayed();
        int evaluations = 0;
        for (ResultTold t : replayed) { // the observer rebuilds its files from the journal
            if (t.getSource() == ResultSource.RESULT_SOURCE_EVALUATED) {
                evaluations++;
                if (scheduler != null) {
                    scheduler.replay(t.getResult()); // its rungs hold what they held before the crash
                }
            }
            observer.tell(recorded(t, evaluations, Double.NaN));
        }
        if (recovered.finished()) {
            observer.tell(new SearchFinished(report(recovered.stopReason())));
            return Behaviors.stopped();
        }
        if (!recovered.fresh()) {
            List<Long> inFlight = new ArrayList<>(state.outstanding().keySet());
            getContext()
                    .getLog()
                    .info(
                            "search {} resumes after {} evaluations with {} candidate(s) in flight",
                            settings.searchId(),
                            state.evaluations(),
                            inFlight.size());
            journal.tell(new JournalKeeper.Send(new SearchJournal.Resume(
                    inFlight, getContext().getSystem().address().toString())));
            candidates
                    .cacheSeed(replayed)
                    .ifPresent(router::tell); // before anything is submitted: the router reads its messages in order
            dispatch(List.copyOf(state.outstanding().values()));
            fits.send(state.pendingFits());
        }
        return launch();
    }

    private Behavior<Command> onFitted(PredictorActor.Fitted<?> message) {
        @SuppressWarnings("unchecked")
        PredictorActor.Fitted<A> fitted = (PredictorActor.Fitted<A>) message;
        if (finishing) {
            return this;
        }
        if (!fitted.ok()) {
            getContext().getLog().warn("{}; that model's proposals are random", fitted.failure());
        } else {
            state.deliver(fitted.version(), fitted.model());
        }
        apply(StepOp.newBuilder()
                .setFitted(ModelFitted.newBuilder().setVersion(fitted.version()).setOk(fitted.ok()))
                .build());
        return launch();
    }

    private Behavior<Command> onRouterEvent(Router.Event event) {
        if (event instanceof Router.Capacity c) {
            return pools.capacity(c.kind(), c.slots()) ? launch() : this;
        }
        if (event instanceof Router.Progress p) {
            return onProgress(p.point());
        }
        if (event instanceof Router.Withdrawn w) {
            withdrawn.addAll(w.candidateIds());
            return endIfCancelled();
        }
        return onCompleted((Router.Completed) event);
    }

    private Behavior<Command> onCancel(Cancel cancel) {
        if (finishing || cancelled != null) {
            return this;
        }
        cancelled = cancel.reason();
        getContext().getLog().info("search {} is cancelled: {}", settings.searchId(), cancelled);
        router.tell(new Router.Withdraw(settings.searchId(), "search cancelled: " + cancelled, routerEvents));
        return this; // the router's Withdrawn ends it, or the last running candidate's answer does
    }

    /** A cancelled search ends once every candidate it still has out is either answered or withdrawn. */
    private Behavior<Command> endIfCancelled() {
        if (state == null
                || finishing
                || !withdrawn.containsAll(state.outstanding().keySet())) {
            return this;
        }
        return finish("cancelled: " + cancelled);
    }

    /** Fills free slots with new candidates (or, generationally, only when all are back). */
    private Behavior<Command> launch() {
        if (state == null || finishing) {
            return this; // the journal is still being replayed, or the end is being written
        }
        if (cancelled != null) {
            return endIfCancelled();
        }
        if (!started) {
            if (!pools.ready()) {
                return this; // waiting for evaluator nodes to join
            }
            started = true;
            getContext()
                    .getLog()
                    .info(
                            "search {} starts with {} evaluator slot(s) in {}",
                            settings.searchId(),
                            pools.evaluatorSlots(),
                            kinds);
        }
        int inFlight = state.outstanding().size();
        if (settings.generational() && inFlight > 0) {
            return this;
        }
        int free = Math.min(settings.budget() - state.evaluations() - inFlight, pools.free());
        if (free <= 0) {
            return this;
        }
        apply(StepOp.newBuilder()
                .setAsked(CandidatesAsked.newBuilder().setCount(free))
                .build());
        List<Trial<A>> trials = state.justAsked();
        if (trials.isEmpty()) {
            return inFlight == 0 && !state.awaitingModel() ? finish("the strategy has nothing new to propose") : this;
        }
        dispatch(trials);
        return this;
    }

    /** Sends trials to every pool of the search. */
    private void dispatch(List<Trial<A>> trials) {
        if (trials.isEmpty()) {
            return;
        }
        if (cancelled != null) { // a resumed search cancelled while its journal replayed: nothing runs again
            trials.forEach(trial -> withdrawn.add(trial.id()));
            return;
        }
        pools.dispatched(trials.size());
        clock.dispatched();
        router.tell(new Router.Submit(candidates.forPools(trials), routerEvents));
    }

    /** The scheduler judges each point of a running candidate's curve; a stop goes to its evaluator. */
    private Behavior<Command> onProgress(IntermediateResult point) {
        if (scheduler == null
                || state == null
                || finishing
                || !point.getEvaluatorKind().equals(settings.evaluatorKind())
                || !state.outstanding().containsKey(point.getCandidateId())) {
            return this;
        }
        if (scheduler.report(point.getCandidateId(), point.getStep(), point.getMetricsMap())
                == Scheduler.Decision.STOP) {
            router.tell(new Router.Stop(
                    settings.searchId(),
                    point.getCandidateId(),
                    point.getEvaluatorKind(),
                    scheduler + " stopped it at step " + point.getStep()));
        }
        return this;
    }

    private Behavior<Command> onCompleted(Router.Completed part) {
        EvaluationResult partResult = part.result();
        if (state == null
                || finishing
                || !pools.has(partResult.getEvaluatorKind())
                || !partResult.getSearchId().equals(settings.searchId())
                || !state.outstanding().containsKey(partResult.getCandidateId())) {
            return this; // not ours, or told already: count nothing twice
        }
        MergedAnswers candidate = parts.computeIfAbsent(partResult.getCandidateId(), id -> new MergedAnswers(kinds));
        if (!candidate.add(part)) {
            return this; // this pool answered already
        }
        pools.answered(partResult.getEvaluatorKind());
        if (!candidate.complete()) {
            return launch(); // a slot of this pool is free again; the candidate waits for its other pools
        }
        parts.remove(partResult.getCandidateId());
        Router.Completed completed = candidate.merged();
        clock.resultIn();
        if (completed.source() == Router.Source.EVALUATED) {
            clock.busy(candidate.primaryCostSeconds()); // utilisation is of the evaluator pool's slots
        }
        ResultTold told = ResultTold.newBuilder()
                .setResult(completed.result())
                .setSource(completed.source().toProto())
                .setAttempts(completed.attempts())
                .build();
        apply(StepOp.newBuilder().setTold(told).build());
        if (scheduler != null) {
            scheduler.completed(partResult.getCandidateId());
        }
        fits.send(state.pendingFits());
        observer.tell(recorded(told, state.evaluations(), state.bestScore().orElse(Double.NaN)));
        if (cancelled != null) {
            return endIfCancelled();
        }
        if (state.evaluations() >= settings.budget() && state.outstanding().isEmpty()) {
            return finish("budget of " + settings.budget() + " evaluations spent");
        }
        if (state.consecutiveRepeats() >= settings.maxConsecutiveRepeats()
                && state.outstanding().isEmpty()) {
            return finish(
                    "stopped after " + state.consecutiveRepeats() + " answers in a row that needed no evaluation");
        }
        return launch();
    }

    /** Asks the journal to write the end; the search is reported finished once it has. */
    private Behavior<Command> finish(String reason) {
        if (journal == null) {
            observer.tell(new SearchFinished(report(reason)));
            return Behaviors.stopped();
        }
        finishing = true;
        sendBatch(); // what was applied goes first
        journal.tell(new JournalKeeper.Send(new SearchJournal.Finish(report(reason))));
        return this;
    }

    /** A journaled result as the observer sees it. */
    public static ResultRecorded recorded(ResultTold told, int evaluations, double bestScore) {
        return new ResultRecorded(
                told.getResult(), Router.Source.of(told.getSource()), told.getAttempts(), evaluations, bestScore);
    }

    private SearchReport report(String reason) {
        return clock.report(settings.searchId(), reason, state, space, pools.maxEvaluatorSlots());
    }
}
