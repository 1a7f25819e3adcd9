package io.archipelago.controller;

import io.archipelago.controller.SearchEvent.ResultRecorded;
import io.archipelago.controller.SearchEvent.SearchFinished;
import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.controller.router.Router;
import io.archipelago.controller.strategy.ModelGuidedStrategy;
import io.archipelago.controller.strategy.Observation;
import io.archipelago.controller.strategy.Strategy;
import io.archipelago.controller.strategy.Trial;
import io.archipelago.controller.strategy.TrialResult;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.predictors.PredictorActor;
import io.archipelago.proto.Candidate;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Runs one search: drives a {@link Strategy} against the router until the budget of evaluations
 * is spent. It keeps every evaluator slot busy: whenever results free slots it asks the strategy
 * for as many candidates as there are free slots (and budget left), never waiting for a
 * generation, unless {@link SearchSettings#generational()} asks it to, for comparison.
 *
 * <p>A search can ask several pools for each candidate (accuracy from one, latency on a device
 * from another: {@link SearchSettings#mergedKinds()}). Each pool gets its own dispatch; the
 * strategy is told once, when every pool has answered, with the metrics merged. A candidate takes
 * a slot in every pool, so the free slots are those of the fullest pool.
 */
public final class Controller<A> extends AbstractBehavior<Controller.Command> {

    public sealed interface Command {}

    private record FromRouter(Router.Event event) implements Command {}

    private record FromPredictor(PredictorActor.Fitted<?> fitted) implements Command {}

    private final SearchSettings settings;
    private final SearchSpace<A> space;
    private final Strategy<A> strategy;
    private final ActorRef<Router.Command> router;
    private final ActorRef<SearchEvent> observer;
    private final ActorRef<Router.Event> routerEvents;
    /** Model-guided strategies only: their fits run on a predictor actor, never here. */
    private final ModelGuidedStrategy<A> guided;
    private final ActorRef<PredictorActor.Command> predictorActor;
    private final ActorRef<PredictorActor.Fitted<A>> fittedAdapter;
    private final List<String> kinds;
    private final Map<Long, Pending<A>> outstanding = new HashMap<>();
    /** Per pool: its slots, and the dispatches of outstanding candidates it has not answered. */
    private final Map<String, int[]> pools = new HashMap<>(); // kind -> {capacity, pending}
    private final long startNanos = System.nanoTime();
    private long firstDispatchNanos;
    private long lastResultNanos;
    private int maxSlots;
    private boolean started;
    private int evaluations;
    private int failed;
    private int cached;
    private int consecutiveRepeats;
    private double busySeconds;

    public static <A> Behavior<Command> create(SearchSettings settings, SearchSpace<A> space, Strategy<A> strategy,
                                               ActorRef<Router.Command> router, ActorRef<SearchEvent> observer) {
        return Behaviors.setup(context -> new Controller<>(context, settings, space, strategy, router, observer));
    }

    private Controller(ActorContext<Command> context, SearchSettings settings, SearchSpace<A> space, Strategy<A> strategy,
                       ActorRef<Router.Command> router, ActorRef<SearchEvent> observer) {
        super(context);
        this.settings = settings;
        this.space = space;
        this.strategy = strategy;
        this.router = router;
        this.observer = observer;
        this.routerEvents = context.messageAdapter(Router.Event.class, FromRouter::new);
        if (strategy instanceof ModelGuidedStrategy<A> modelGuided) {
            this.guided = modelGuided;
            this.predictorActor = context.spawn(PredictorActor.create(modelGuided.predictor()), "predictor", PredictorActor.dispatcher());
            @SuppressWarnings({"unchecked", "rawtypes"})
            ActorRef<PredictorActor.Fitted<A>> adapter = (ActorRef) context.messageAdapter(PredictorActor.Fitted.class, FromPredictor::new);
            this.fittedAdapter = adapter;
        } else {
            this.guided = null;
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
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(FromRouter.class, message -> onRouterEvent(message.event()))
                .onMessage(FromPredictor.class, message -> onFitted(message.fitted()))
                .build();
    }

    @SuppressWarnings("unchecked")
    private Behavior<Command> onFitted(PredictorActor.Fitted<?> message) {
        PredictorActor.Fitted<A> fitted = (PredictorActor.Fitted<A>) message;
        if (!fitted.ok()) {
            getContext().getLog().warn("{}; that model's proposals are random", fitted.failure());
        }
        guided.modelReady(fitted.version(), fitted.model());
        return launch();
    }

    /** Hands the strategy's due fits to the predictor actor. */
    private void requestFits() {
        if (guided != null) {
            for (var request = guided.takeFitRequest(); request.isPresent(); request = guided.takeFitRequest()) {
                var r = request.get();
                predictorActor.tell(new PredictorActor.Fit<>(r.version(), r.architectures(), r.targets(), r.seed(), fittedAdapter));
            }
        }
    }

    private Behavior<Command> onRouterEvent(Router.Event event) {
        if (event instanceof Router.Capacity c) {
            int[] pool = pools.get(c.kind());
            if (pool == null) {
                return this;
            }
            pool[0] = c.slots();
            if (c.kind().equals(settings.evaluatorKind())) {
                maxSlots = Math.max(maxSlots, c.slots());
            }
            return launch();
        }
        return onCompleted((Router.Completed) event);
    }

    /** Fills free slots with new candidates (or, generationally, only when all are back). */
    private Behavior<Command> launch() {
        if (!started) {
            if (!ready()) {
                return this; // waiting for evaluator nodes to join
            }
            started = true;
            getContext().getLog().info("search {} starts with {} evaluator slot(s) in {}", settings.searchId(),
                    pools.get(settings.evaluatorKind())[0], kinds);
        }
        int inFlight = outstanding.size();
        if (settings.generational() && inFlight > 0) {
            return this;
        }
        int free = settings.budget() - evaluations - inFlight;
        for (int[] pool : pools.values()) {
            free = Math.min(free, pool[0] - pool[1]);
        }
        if (free <= 0) {
            return this;
        }
        List<Trial<A>> trials = strategy.ask(free);
        if (trials.isEmpty()) {
            boolean waitsForModel = guided != null && guided.awaitingModel();
            return inFlight == 0 && !waitsForModel ? finish("the strategy has nothing new to propose") : this;
        }
        List<Candidate> candidates = new ArrayList<>(trials.size());
        for (Trial<A> trial : trials) {
            outstanding.put(trial.id(), new Pending<>(trial, kinds));
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
        return this;
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

    private Behavior<Command> onCompleted(Router.Completed part) {
        EvaluationResult partResult = part.result();
        Pending<A> pending = outstanding.get(partResult.getCandidateId());
        int[] pool = pools.get(partResult.getEvaluatorKind());
        if (pending == null || pool == null || !partResult.getSearchId().equals(settings.searchId()) || !pending.add(part)) {
            return this; // not ours, or answered already: count nothing twice
        }
        pool[1]--;
        if (!pending.complete()) {
            return launch(); // a slot of this pool is free again; the candidate waits for its other pools
        }
        outstanding.remove(partResult.getCandidateId());
        Trial<A> trial = pending.trial;
        Router.Completed completed = pending.merged();
        EvaluationResult result = completed.result();
        lastResultNanos = System.nanoTime();
        boolean ok = result.getStatus() == EvaluationStatus.EVALUATION_STATUS_OK;
        if (completed.source() == Router.Source.EVALUATED) {
            evaluations++;
            busySeconds += pending.primaryCostSeconds(); // utilisation is of the evaluator pool's slots
            consecutiveRepeats = 0;
            if (!ok) {
                failed++;
            }
        } else {
            consecutiveRepeats++;
            if (completed.source() == Router.Source.CACHED) {
                cached++;
            }
        }
        strategy.tell(trial, ok ? TrialResult.ok(result.getMetricsMap()) : TrialResult.failed(result.getFailureReason()));
        requestFits();
        double bestScore = strategy.best().map(Observation::score).orElse(Double.NaN);
        observer.tell(new ResultRecorded(result, completed.source(), completed.attempts(), evaluations, bestScore));
        if (evaluations >= settings.budget() && outstanding.isEmpty()) {
            return finish("budget of " + settings.budget() + " evaluations spent");
        }
        if (consecutiveRepeats >= settings.maxConsecutiveRepeats() && outstanding.isEmpty()) {
            return finish("stopped after " + consecutiveRepeats + " answers in a row that needed no evaluation");
        }
        return launch();
    }

    private Behavior<Command> finish(String reason) {
        Optional<Observation<A>> best = strategy.best();
        long now = System.nanoTime();
        double dispatchSeconds = firstDispatchNanos == 0 ? 0 : (lastResultNanos - firstDispatchNanos) / 1e9;
        SearchReport report = new SearchReport(settings.searchId(), reason,
                best.map(o -> space.format(o.trial().architecture())).orElse(null),
                best.map(Observation::metrics).orElse(Map.of()),
                evaluations, failed, cached, busySeconds, maxSlots, dispatchSeconds, (now - startNanos) / 1e9);
        observer.tell(new SearchFinished(report));
        return Behaviors.stopped();
    }

    /**
     * A candidate while its pools answer: each pool's {@link Router.Completed} once, then one
     * merged result (metrics and labels united, costs summed, failed if any pool failed).
     */
    private static final class Pending<A> {
        final Trial<A> trial;
        private final List<String> kinds;
        /** In the order of {@code kinds}: the evaluator's pool first. */
        private final Router.Completed[] parts;
        private int received;

        Pending(Trial<A> trial, List<String> kinds) {
            this.trial = trial;
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
