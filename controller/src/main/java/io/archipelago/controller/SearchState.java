package io.archipelago.controller;

import io.archipelago.controller.journal.JournalReplayException;
import io.archipelago.controller.strategy.ModelGuidedStrategy;
import io.archipelago.controller.strategy.Observation;
import io.archipelago.controller.strategy.Strategy;
import io.archipelago.controller.strategy.Trial;
import io.archipelago.controller.strategy.TrialResult;
import io.archipelago.core.predictor.PredictorModel;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.ResultSource;
import io.archipelago.proto.ResultTold;
import io.archipelago.proto.SearchSnapshot;
import io.archipelago.proto.SearchSpec;
import io.archipelago.proto.StepOp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a search's steps say, applied: the strategy (driven by the same asks and tells, in the
 * same order, as when the events were written), the candidates in flight and the counters. The
 * journal's event handler replays steps into it with {@link #applyOp}, checking as it goes that
 * the strategy proposes what the journal says it did (the rest of the journal, spec aside, is
 * the journal actor's: {@link SearchJournal.State}).
 *
 * <p>During recovery the journal actor ({@link SearchJournal}) builds it from the events; then
 * the controller owns it and applies each op live, as it happens, before journaling it (so the
 * journal's order is the order the strategy saw). Everything here follows from the ops alone,
 * except {@link #deliver} (a model fitted live, handed over before the op that uses it).
 */
final class SearchState<A> {
    private final SearchSpace<A> space;
    private final Strategy<A> strategy;
    private final ModelGuidedStrategy<A> guided;

    private SearchSpec spec; // null until the search-created event
    /**
     * Every result replayed, in order (what the observer's files are rebuilt from, and the router's
     * cache seeded with, once recovery is done); null once taken: a live search keeps no result
     * here (at hundreds of thousands of results they were most of its heap, and the GC's work).
     */
    private List<ResultTold> replayed = new ArrayList<>();
    /** Asked and not yet told, in the order asked. */
    private final Map<Long, Trial<A>> outstanding = new LinkedHashMap<>();

    private final Map<Long, Trial<A>> outstandingView = Collections.unmodifiableMap(outstanding);
    /** What the last ask returned (the controller dispatches them). */
    private List<Trial<A>> justAsked = List.of();
    /** Fits the strategy asked for that no model-fitted event has answered yet, by version. */
    private final TreeMap<Integer, ModelGuidedStrategy.FitRequest<A>> fitRequests = new TreeMap<>();

    private final Collection<ModelGuidedStrategy.FitRequest<A>> fitRequestsView =
            Collections.unmodifiableCollection(fitRequests.values());
    private final Map<Integer, PredictorModel<A>> delivered = new HashMap<>();

    private int evaluations;
    private int failed;
    private int cached;
    private int consecutiveRepeats;

    /** A search to be rebuilt from its journal: the search-created event ({@link #created}) comes first. */
    SearchState(SearchSpace<A> space, Strategy<A> strategy) {
        this.space = space;
        this.strategy = strategy;
        this.guided = strategy.modelGuided().orElse(null);
    }

    /** A search with no journal: nothing to replay, and no result kept. */
    static <A> SearchState<A> unjournaled(SearchSpace<A> space, Strategy<A> strategy, SearchSpec spec) {
        SearchState<A> state = new SearchState<>(space, strategy);
        state.created(spec);
        state.takeReplayed();
        return state;
    }

    /** A state rebuilt from a snapshot: its steps replayed into {@code strategy}, which must be fresh. */
    static <A> SearchState<A> fromSnapshot(SearchSpace<A> space, Strategy<A> strategy, SearchSnapshot snapshot) {
        SearchState<A> state = new SearchState<>(space, strategy);
        state.created(snapshot.getSpec());
        for (StepOp op : snapshot.getOpsList()) {
            state.applyOp(op);
        }
        state.justAsked = List.of();
        return state;
    }

    /** The search-created event: the search's spec, which every step follows. */
    void created(SearchSpec spec) {
        this.spec = spec;
    }

    /** The results replayed so far; from now on results are not kept. */
    List<ResultTold> takeReplayed() {
        List<ResultTold> taken = replayed;
        replayed = null;
        return taken == null ? List.of() : taken;
    }

    /** Hands over a model fitted live, for the model-fitted event that follows (replay fits it again instead). */
    void deliver(int version, PredictorModel<A> model) {
        delivered.put(version, model);
    }

    /** One op: replayed from the journal, or live (the controller applies each op as it happens, then journals it). */
    void applyOp(StepOp op) {
        if (spec == null) {
            throw new JournalReplayException(
                    "a step before the search-created event: the journal does not start with its search");
        }
        switch (op.getOpCase()) {
            case TOLD -> tell(op.getTold());
            case ASKED -> ask(op.getAsked().getCount());
            case FITTED -> fitted(op.getFitted().getVersion(), op.getFitted().getOk());
            default -> throw new JournalReplayException("journal step with an empty op");
        }
    }

    private void ask(int count) {
        List<Trial<A>> trials = strategy.ask(count);
        for (Trial<A> trial : trials) {
            outstanding.put(trial.id(), trial);
        }
        justAsked = trials;
    }

    private void tell(ResultTold told) {
        EvaluationResult result = told.getResult();
        Trial<A> trial = outstanding.remove(result.getCandidateId());
        if (trial == null) {
            throw new JournalReplayException("the journal tells a result for candidate " + result.getCandidateId()
                    + ", which the strategy had not proposed (or was told already): the journal does not replay");
        }
        String proposed = space.format(trial.architecture());
        if (!proposed.equals(result.getArchitecture().getEncoding())) {
            throw new JournalReplayException("candidate " + trial.id() + " replays as " + proposed
                    + " but the journal has " + result.getArchitecture().getEncoding()
                    + ": the strategy does not replay (another version, or another seed?)");
        }
        if (replayed != null) {
            replayed.add(told);
        }
        boolean ok = result.getStatus() == EvaluationStatus.EVALUATION_STATUS_OK;
        if (told.getSource() == ResultSource.RESULT_SOURCE_EVALUATED) {
            evaluations++;
            consecutiveRepeats = 0;
            if (!ok) {
                failed++;
            }
        } else {
            consecutiveRepeats++;
            if (told.getSource() == ResultSource.RESULT_SOURCE_CACHED) {
                cached++;
            }
        }
        strategy.tell(
                trial, ok ? TrialResult.ok(result.getMetricsMap()) : TrialResult.failed(result.getFailureReason()));
        if (guided != null) {
            for (var request = guided.takeFitRequest(); request.isPresent(); request = guided.takeFitRequest()) {
                fitRequests.put(request.get().version(), request.get());
            }
        }
    }

    private void fitted(int version, boolean ok) {
        if (guided == null) {
            throw new JournalReplayException("the journal has a fitted model (version " + version + ") but strategy "
                    + spec.getStrategy() + " fits none");
        }
        ModelGuidedStrategy.FitRequest<A> request = fitRequests.remove(version);
        PredictorModel<A> model = delivered.remove(version);
        if (model == null && ok) {
            if (request == null) {
                throw new JournalReplayException(
                        "the journal has model version " + version + " fitted, which the strategy never asked for");
            }
            // Replay: fit it again, here and now (fits are deterministic per seed).
            model = guided.predictor().fit(request.architectures(), request.targets(), request.seed());
        }
        guided.modelReady(version, ok ? model : null);
    }

    /** Whether asks return nothing only because a model is still being fitted. */
    boolean awaitingModel() {
        return guided != null && guided.awaitingModel();
    }

    /** Candidates asked and not yet told, by id, in the order asked (a read-only view). */
    Map<Long, Trial<A>> outstanding() {
        return outstandingView;
    }

    /** What the last ask returned. */
    List<Trial<A>> justAsked() {
        return justAsked;
    }

    /** Fits the strategy asked for and no model-fitted op has answered yet, by version (a read-only view). */
    Collection<ModelGuidedStrategy.FitRequest<A>> pendingFits() {
        return fitRequestsView;
    }

    /** Results an evaluator produced (successful or not): what the budget counts. */
    int evaluations() {
        return evaluations;
    }

    /** Evaluations that failed. */
    int failed() {
        return failed;
    }

    /** Results answered from the router's cache. */
    int cached() {
        return cached;
    }

    /** Results in a row that needed no evaluation (cached or rejected). */
    int consecutiveRepeats() {
        return consecutiveRepeats;
    }

    Optional<Observation<A>> best() {
        return strategy.best();
    }

    Optional<Double> bestScore() {
        return best().map(o -> o.score());
    }
}
