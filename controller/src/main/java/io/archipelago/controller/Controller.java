package io.archipelago.controller;

import io.archipelago.controller.SearchEvent.ResultRecorded;
import io.archipelago.controller.SearchEvent.SearchFinished;
import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.controller.journal.JournalReplayException;
import io.archipelago.controller.router.Router;
import io.archipelago.controller.strategy.ModelGuidedStrategy;
import io.archipelago.controller.strategy.Observation;
import io.archipelago.controller.strategy.Strategy;
import io.archipelago.controller.strategy.Trial;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.predictors.PredictorActor;
import io.archipelago.proto.Candidate;
import io.archipelago.proto.CandidatesAsked;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.JournalEvent;
import io.archipelago.proto.ModelFitted;
import io.archipelago.proto.ResultSource;
import io.archipelago.proto.ResultTold;
import io.archipelago.proto.SearchResumed;
import io.archipelago.proto.SearchSnapshot;
import io.archipelago.proto.SearchSpec;
import io.archipelago.proto.SearchStep;
import io.archipelago.proto.StepOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * Runs one search: drives a {@link Strategy} against the router until the budget of evaluations
 * is spent. It keeps every evaluator slot busy: whenever results free slots it asks the strategy
 * for as many candidates as there are free slots (and budget left), never waiting for a
 * generation, unless {@link SearchSettings#generational()} asks it to, for comparison.
 *
 * <p><b>Event-sourced.</b> The search is a journal (Pekko Persistence, persistence id
 * {@code search|<id>}): the search's spec, then one {@link SearchStep} per batch of answers
 * (results told, models fitted, candidates asked, in the order they happened), resumptions, and
 * the end. All state a crash must not lose is {@link SearchState}, changed only by applying
 * those events, so a new controller with the same persistence id and a fresh strategy rebuilds
 * the search and dispatches again what was in flight. Answers that arrive while a step is being
 * written wait (Pekko stashes them) and go into the next step together: one write per batch,
 * not per result (group commit).
 *
 * <p>A search can ask several pools for each candidate (accuracy from one, latency on a device
 * from another: {@link SearchSettings#mergedKinds()}). Each pool gets its own dispatch; the
 * strategy is told once, when every pool has answered, with the metrics merged. A candidate takes
 * a slot in every pool, so the free slots are those of the fullest pool.
 */
public final class Controller<A> extends EventSourcedBehavior<Controller.Command, JournalEvent, SearchState<A>> {

    public sealed interface Command {}

    private record FromRouter(Router.Event event) implements Command {}

    private record FromPredictor(PredictorActor.Fitted<?> fitted) implements Command {}

    /** Turns the answers received since the last step into the next step. */
    private enum Flush implements Command { INSTANCE }

    /** After recovery: create the search, or resume it. */
    private enum Begin implements Command { INSTANCE }

    private record Finish(String reason) implements Command {}

    /** A result to pass to the observer once its step is persisted. */
    private record Recorded(ResultTold told, int evaluations) {}

    private final ActorContext<Command> context;
    private final SearchSettings settings;
    private final SearchSpec spec;
    private final SearchSpace<A> space;
    private final Strategy<A> strategy;
    private final ActorRef<Router.Command> router;
    private final ActorRef<SearchEvent> observer;
    private final ActorRef<Router.Event> routerEvents;
    /** Model-guided strategies only: their fits run on a predictor actor, never here. */
    private final ActorRef<PredictorActor.Command> predictorActor;
    private final ActorRef<PredictorActor.Fitted<A>> fittedAdapter;
    private final List<String> kinds;

    // Not journaled: what this incarnation of the controller sees of the cluster and the clock.
    /** Answers (router events, fitted models) waiting for the next step. */
    private List<Command> inbox = new ArrayList<>();
    /** Candidates some of whose pools have answered. */
    private final Map<Long, Parts> parts = new HashMap<>();
    /** Per pool: its slots, and the dispatches of outstanding candidates it has not answered. */
    private final Map<String, int[]> pools = new HashMap<>(); // kind -> {capacity, pending}
    private final Set<Integer> fitsSent = new HashSet<>();
    private final long startNanos = System.nanoTime();
    private long firstDispatchNanos;
    private long lastResultNanos;
    private int maxSlots;
    private boolean begun;
    private boolean started;
    private double busySeconds;

    /**
     * @param spec what the journal's first event records; a resumed search passes the spec its journal has
     */
    public static <A> Behavior<Command> create(SearchSettings settings, SearchSpec spec, SearchSpace<A> space, Strategy<A> strategy,
                                               ActorRef<Router.Command> router, ActorRef<SearchEvent> observer) {
        return Behaviors.setup(context -> new Controller<>(context, settings, spec, space, strategy, router, observer));
    }

    /** A search whose spec records only its settings (benchmarks, tests: nothing resumes it from its options). */
    public static <A> Behavior<Command> create(SearchSettings settings, SearchSpace<A> space, Strategy<A> strategy,
                                               ActorRef<Router.Command> router, ActorRef<SearchEvent> observer) {
        return create(settings, settings.spec(space.id()).build(), space, strategy, router, observer);
    }

    public static PersistenceId persistenceId(String searchId) {
        return PersistenceId.of("search", searchId);
    }

    private Controller(ActorContext<Command> context, SearchSettings settings, SearchSpec spec, SearchSpace<A> space, Strategy<A> strategy,
                       ActorRef<Router.Command> router, ActorRef<SearchEvent> observer) {
        super(persistenceId(settings.searchId()));
        if (!spec.getSearchId().equals(settings.searchId())) {
            throw new IllegalArgumentException("spec of search " + spec.getSearchId() + " given to search " + settings.searchId());
        }
        this.context = context;
        this.settings = settings;
        this.spec = spec;
        this.space = space;
        this.strategy = strategy;
        this.router = router;
        this.observer = observer;
        this.routerEvents = context.messageAdapter(Router.Event.class, FromRouter::new);
        if (strategy instanceof ModelGuidedStrategy<A> modelGuided) {
            this.predictorActor = context.spawn(PredictorActor.create(modelGuided.predictor()), "predictor", PredictorActor.dispatcher());
            @SuppressWarnings({"unchecked", "rawtypes"})
            ActorRef<PredictorActor.Fitted<A>> adapter = (ActorRef) context.messageAdapter(PredictorActor.Fitted.class, FromPredictor::new);
            this.fittedAdapter = adapter;
        } else {
            this.predictorActor = null;
            this.fittedAdapter = null;
        }
        this.kinds = settings.kinds();
        for (String kind : kinds) {
            pools.put(kind, new int[2]);
            router.tell(new Router.WatchCapacity(kind, routerEvents));
        }
    }

    @Override
    public SearchState<A> emptyState() {
        return new SearchState<>(space, strategy);
    }

    @Override
    public EventHandler<SearchState<A>, JournalEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onEvent(JournalEvent.class, SearchState::apply).build();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        // Keep two snapshots; a snapshot holds the whole search, so older ones are never needed.
        return settings.snapshotEvery() > 0 ? RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2) : RetentionCriteria.disabled();
    }

    @Override
    public SnapshotAdapter<SearchState<A>> snapshotAdapter() {
        return new SnapshotAdapter<>() {
            @Override
            public Object toJournal(SearchState<A> state) {
                return state.toSnapshot();
            }

            @Override
            public SearchState<A> fromJournal(Object from) {
                // The strategy is still fresh: recovery loads at most one snapshot, before any event.
                return SearchState.fromSnapshot(space, strategy, (SearchSnapshot) from);
            }
        };
    }

    @Override
    public SignalHandler<SearchState<A>> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> context.getSelf().tell(Begin.INSTANCE))
                .onSignal(RecoveryFailed.class, (state, failed) -> {
                    String reason = JournalReplayException.describe(failed.getFailure());
                    context.getLog().error("search {} cannot be replayed: {}", settings.searchId(), reason);
                    observer.tell(new SearchEvent.SearchAborted(settings.searchId(), reason));
                })
                .build();
    }

    @Override
    public CommandHandler<Command, JournalEvent, SearchState<A>> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Begin.class, (state, begin) -> begin(state))
                .onCommand(FromRouter.class, this::receive)
                .onCommand(FromPredictor.class, this::receive)
                .onCommand(Flush.class, (state, flush) -> step(state))
                .onCommand(Finish.class, (state, finish) -> finish(state, finish.reason()))
                .build();
    }

    /** Recovery is done: a new search records its spec; a journaled one resumes, re-dispatching what was in flight. */
    private Effect<JournalEvent, SearchState<A>> begin(SearchState<A> state) {
        if (state.spec != null && !state.spec.getSearchId().equals(settings.searchId())) {
            observer.tell(new SearchEvent.SearchAborted(settings.searchId(), "the journal holds search " + state.spec.getSearchId()
                    + ", not " + settings.searchId()));
            return Effect().stop();
        }
        List<ResultTold> told = state.told();
        int evaluations = 0;
        for (ResultTold t : told) { // rebuilds the observer's files from the journal
            if (t.getSource() == ResultSource.RESULT_SOURCE_EVALUATED) {
                evaluations++;
            }
            observer.tell(recorded(t, evaluations, Double.NaN));
        }
        if (state.finished) {
            observer.tell(new SearchFinished(report(state, state.stopReason)));
            return Effect().stop();
        }
        if (state.spec == null) {
            return Effect().persist(JournalEvent.newBuilder().setCreated(spec).build()).thenRun(s -> beginStepping());
        }
        List<Long> inFlight = new ArrayList<>(state.outstanding.keySet());
        context.getLog().info("search {} resumes after {} evaluations with {} candidate(s) in flight", settings.searchId(),
                state.evaluations, inFlight.size());
        SearchResumed resumed = SearchResumed.newBuilder().setController(context.getSystem().address().toString())
                .addAllRedispatched(inFlight).setResumedAtMs(System.currentTimeMillis()).build();
        return Effect().persist(JournalEvent.newBuilder().setResumed(resumed).build()).thenRun(s -> {
            dispatch(List.copyOf(s.outstanding.values()));
            sendFits(s);
            beginStepping();
        });
    }

    private void beginStepping() {
        begun = true;
        context.getSelf().tell(Flush.INSTANCE);
    }

    /** Collects an answer for the next step; the first one of a batch schedules it. */
    private Effect<JournalEvent, SearchState<A>> receive(SearchState<A> state, Command answer) {
        if (inbox.isEmpty() && begun) {
            context.getSelf().tell(Flush.INSTANCE);
        }
        inbox.add(answer);
        return Effect().none();
    }

    /**
     * One step: the answers collected since the last one become results told (each candidate once,
     * when all its pools have answered) and models fitted; then the free slots are filled. All of
     * it is persisted as one event; the new candidates go out once it is written.
     */
    private Effect<JournalEvent, SearchState<A>> step(SearchState<A> state) {
        if (!begun || state.finished) {
            return Effect().none();
        }
        List<Command> answers = inbox;
        inbox = new ArrayList<>();
        List<StepOp> ops = new ArrayList<>();
        List<Recorded> recorded = new ArrayList<>();
        int evaluations = state.evaluations;
        int repeats = state.consecutiveRepeats;
        Set<Long> told = new HashSet<>();
        for (Command answer : answers) {
            if (answer instanceof FromPredictor p) {
                ops.add(fitted(state, p.fitted()));
                continue;
            }
            Router.Event event = ((FromRouter) answer).event();
            if (event instanceof Router.Capacity c) {
                onCapacity(c);
                continue;
            }
            ResultTold result = complete(state, (Router.Completed) event, told);
            if (result == null) {
                continue;
            }
            if (result.getSource() == ResultSource.RESULT_SOURCE_EVALUATED) {
                evaluations++;
                repeats = 0;
            } else {
                repeats++;
            }
            ops.add(StepOp.newBuilder().setTold(result).build());
            recorded.add(new Recorded(result, evaluations));
        }
        int inFlight = state.outstanding.size() - told.size();
        String finish = null;
        if (evaluations >= settings.budget() && inFlight == 0) {
            finish = "budget of " + settings.budget() + " evaluations spent";
        } else if (repeats >= settings.maxConsecutiveRepeats() && inFlight == 0) {
            finish = "stopped after " + repeats + " answers in a row that needed no evaluation";
        }
        int ask = finish == null ? freeSlots(evaluations, inFlight) : 0;
        if (ask > 0) {
            ops.add(StepOp.newBuilder().setAsked(CandidatesAsked.newBuilder().setCount(ask)).build());
        }
        if (ops.isEmpty()) {
            return Effect().none();
        }
        List<JournalEvent> events = new ArrayList<>(2);
        events.add(JournalEvent.newBuilder().setStep(SearchStep.newBuilder().addAllOps(ops)).build());
        String reason = finish;
        if (reason != null) {
            events.add(finished(reason));
        }
        var effect = Effect().persist(events).thenRun(s -> {
            for (Recorded r : recorded) {
                observer.tell(recorded(r.told(), r.evaluations(), s.bestScore().orElse(Double.NaN)));
            }
            if (reason != null) {
                observer.tell(new SearchFinished(report(s, reason)));
                return;
            }
            sendFits(s);
            if (!s.justAsked.isEmpty()) {
                dispatch(s.justAsked);
            } else if (ask > 0 && s.outstanding.isEmpty() && !s.awaitingModel()) {
                context.getSelf().tell(new Finish("the strategy has nothing new to propose"));
            }
        });
        return reason != null ? effect.thenStop() : effect;
    }

    private Effect<JournalEvent, SearchState<A>> finish(SearchState<A> state, String reason) {
        if (state.finished) {
            return Effect().none();
        }
        return Effect().persist(finished(reason)).thenRun(s -> observer.tell(new SearchFinished(report(s, reason)))).thenStop();
    }

    private static JournalEvent finished(String reason) {
        return JournalEvent.newBuilder().setFinished(io.archipelago.proto.SearchFinished.newBuilder().setStopReason(reason)
                .setFinishedAtMs(System.currentTimeMillis())).build();
    }

    private void onCapacity(Router.Capacity c) {
        int[] pool = pools.get(c.kind());
        if (pool == null) {
            return;
        }
        pool[0] = c.slots();
        if (c.kind().equals(settings.evaluatorKind())) {
            maxSlots = Math.max(maxSlots, c.slots());
        }
    }

    /** A pool's answer; the candidate's merged result once every pool has answered (once per candidate), else null. */
    private ResultTold complete(SearchState<A> state, Router.Completed part, Set<Long> toldThisStep) {
        EvaluationResult result = part.result();
        int[] pool = pools.get(result.getEvaluatorKind());
        if (pool == null || !result.getSearchId().equals(settings.searchId()) || !state.outstanding.containsKey(result.getCandidateId())
                || toldThisStep.contains(result.getCandidateId())) {
            return null; // not ours, or told already: count nothing twice
        }
        Parts candidate = parts.computeIfAbsent(result.getCandidateId(), id -> new Parts(kinds));
        if (!candidate.add(part)) {
            return null; // this pool answered already
        }
        pool[1]--;
        if (!candidate.complete()) {
            return null; // its other pools have not answered yet
        }
        parts.remove(result.getCandidateId());
        toldThisStep.add(result.getCandidateId());
        lastResultNanos = System.nanoTime();
        Router.Completed merged = candidate.merged();
        if (merged.source() == Router.Source.EVALUATED) {
            busySeconds += candidate.primaryCostSeconds(); // utilisation is of the evaluator pool's slots
        }
        return ResultTold.newBuilder().setResult(merged.result()).setSource(source(merged.source())).setAttempts(merged.attempts()).build();
    }

    private StepOp fitted(SearchState<A> state, PredictorActor.Fitted<?> message) {
        @SuppressWarnings("unchecked")
        PredictorActor.Fitted<A> fitted = (PredictorActor.Fitted<A>) message;
        if (!fitted.ok()) {
            context.getLog().warn("{}; that model's proposals are random", fitted.failure());
        } else {
            state.deliver(fitted.version(), fitted.model());
        }
        return StepOp.newBuilder().setFitted(ModelFitted.newBuilder().setVersion(fitted.version()).setOk(fitted.ok())).build();
    }

    /** Hands the strategy's due fits to the predictor actor (each once per incarnation). */
    private void sendFits(SearchState<A> state) {
        if (predictorActor == null) {
            return;
        }
        for (ModelGuidedStrategy.FitRequest<A> r : state.fitRequests.values()) {
            if (fitsSent.add(r.version())) {
                predictorActor.tell(new PredictorActor.Fit<>(r.version(), r.architectures(), r.targets(), r.seed(), fittedAdapter));
            }
        }
    }

    /** How many candidates to ask for now: free slots in every pool, within the budget (0 before the search may start). */
    private int freeSlots(int evaluations, int inFlight) {
        if (!started) {
            if (!ready()) {
                return 0; // waiting for evaluator nodes to join
            }
            started = true;
            context.getLog().info("search {} starts with {} evaluator slot(s) in {}", settings.searchId(),
                    pools.get(settings.evaluatorKind())[0], kinds);
        }
        if (settings.generational() && inFlight > 0) {
            return 0;
        }
        int free = settings.budget() - evaluations - inFlight;
        for (int[] pool : pools.values()) {
            free = Math.min(free, pool[0] - pool[1]);
        }
        return Math.max(0, free);
    }

    /** Every pool has the slots the search needs to start. */
    private boolean ready() {
        for (String kind : kinds) {
            if (pools.get(kind)[0] < (kind.equals(settings.evaluatorKind()) ? settings.minSlots() : 1)) {
                return false;
            }
        }
        return true;
    }

    /** Sends trials to every pool of the search. */
    private void dispatch(List<Trial<A>> trials) {
        if (trials.isEmpty()) {
            return;
        }
        List<Candidate> candidates = new ArrayList<>(trials.size() * kinds.size());
        for (Trial<A> trial : trials) {
            Candidate candidate = Candidate.newBuilder()
                    .setSearchId(settings.searchId())
                    .setCandidateId(trial.id())
                    .setArchitecture(space.toProto(trial.architecture()))
                    .setEvaluatorKind(settings.evaluatorKind())
                    .setFidelity(settings.fidelity())
                    .build();
            candidates.add(candidate);
            for (String kind : settings.mergedKinds()) {
                candidates.add(candidate.toBuilder().setEvaluatorKind(kind).build());
            }
        }
        for (int[] pool : pools.values()) {
            pool[1] += trials.size();
        }
        if (firstDispatchNanos == 0) {
            firstDispatchNanos = System.nanoTime();
        }
        router.tell(new Router.Submit(candidates, routerEvents));
    }

    private static ResultRecorded recorded(ResultTold told, int evaluations, double bestScore) {
        return new ResultRecorded(told.getResult(), source(told.getSource()), told.getAttempts(), evaluations, bestScore);
    }

    private static ResultSource source(Router.Source source) {
        return switch (source) {
            case EVALUATED -> ResultSource.RESULT_SOURCE_EVALUATED;
            case CACHED -> ResultSource.RESULT_SOURCE_CACHED;
            case REJECTED -> ResultSource.RESULT_SOURCE_REJECTED;
        };
    }

    private static Router.Source source(ResultSource source) {
        return switch (source) {
            case RESULT_SOURCE_EVALUATED -> Router.Source.EVALUATED;
            case RESULT_SOURCE_CACHED -> Router.Source.CACHED;
            case RESULT_SOURCE_REJECTED -> Router.Source.REJECTED;
            default -> throw new JournalReplayException("result with unknown source " + source);
        };
    }

    private SearchReport report(SearchState<A> state, String reason) {
        Optional<Observation<A>> best = state.strategy.best();
        long now = System.nanoTime();
        double dispatchSeconds = firstDispatchNanos == 0 ? 0 : (lastResultNanos - firstDispatchNanos) / 1e9;
        return new SearchReport(settings.searchId(), reason,
                best.map(o -> space.format(o.trial().architecture())).orElse(null),
                best.map(Observation::metrics).orElse(Map.of()),
                state.evaluations, state.failed, state.cached, busySeconds, maxSlots, dispatchSeconds, (now - startNanos) / 1e9);
    }

    /**
     * A candidate while its pools answer: each pool's {@link Router.Completed} once, then one
     * merged result (metrics and labels united, costs summed, failed if any pool failed).
     */
    private static final class Parts {
        private final List<String> kinds;
        /** In the order of {@code kinds}: the evaluator's pool first. */
        private final Router.Completed[] parts;
        private int received;

        Parts(List<String> kinds) {
            this.kinds = kinds;
            this.parts = new Router.Completed[kinds.size()];
        }

        /** @return false when this pool had answered already, or is not one of the search's */
        boolean add(Router.Completed part) {
            int i = kinds.indexOf(part.result().getEvaluatorKind());
            if (i < 0 || parts[i] != null) {
                return false;
            }
            parts[i] = part;
            received++;
            return true;
        }

        boolean complete() {
            return received == parts.length;
        }

        /** What the evaluator's own pool spent (the merged result's cost also counts the other pools'). */
        double primaryCostSeconds() {
            return parts[0].result().getCostSeconds();
        }

        Router.Completed merged() {
            if (parts.length == 1) {
                return parts[0];
            }
            EvaluationResult.Builder merged = parts[0].result().toBuilder().clearMetrics().clearLabels().clearFailureReason()
                    .setCostSeconds(0).setEvaluatorKind("");
            List<String> evaluators = new ArrayList<>(parts.length);
            List<String> kinds = new ArrayList<>(parts.length);
            List<String> failures = new ArrayList<>();
            Router.Source source = Router.Source.CACHED;
            int attempts = 0;
            for (Router.Completed part : parts) {
                EvaluationResult r = part.result();
                merged.putAllMetrics(r.getMetricsMap()).putAllLabels(r.getLabelsMap())
                        .setCostSeconds(merged.getCostSeconds() + r.getCostSeconds())
                        .setAttempt(Math.max(merged.getAttempt(), r.getAttempt()));
                kinds.add(r.getEvaluatorKind());
                if (!r.getEvaluator().isEmpty()) {
                    evaluators.add(r.getEvaluator());
                }
                if (r.getStatus() != EvaluationStatus.EVALUATION_STATUS_OK) {
                    failures.add(r.getEvaluatorKind() + ": " + r.getFailureReason());
                }
                if (part.source() == Router.Source.EVALUATED || (part.source() == Router.Source.REJECTED && source == Router.Source.CACHED)) {
                    source = part.source();
                }
                attempts = Math.max(attempts, part.attempts());
            }
            merged.setEvaluatorKind(String.join("+", kinds)).setEvaluator(String.join(" + ", evaluators));
            if (failures.isEmpty()) {
                merged.setStatus(EvaluationStatus.EVALUATION_STATUS_OK);
            } else {
                merged.setStatus(EvaluationStatus.EVALUATION_STATUS_FAILED).setFailureReason(String.join("; ", failures));
            }
            return new Router.Completed(merged.build(), source, attempts);
        }
    }
}
