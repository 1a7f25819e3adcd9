package io.archipelago.controller;

import io.archipelago.controller.journal.JournalReplayException;
import io.archipelago.controller.strategy.ModelGuidedStrategy;
import io.archipelago.controller.strategy.Strategy;
import io.archipelago.controller.strategy.Trial;
import io.archipelago.controller.strategy.TrialResult;
import io.archipelago.core.predictor.PredictorModel;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.JournalEvent;
import io.archipelago.proto.ResultSource;
import io.archipelago.proto.ResultTold;
import io.archipelago.proto.SearchSpec;
import io.archipelago.proto.SearchSnapshot;
import io.archipelago.proto.StepOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a search's journal says, applied: the strategy (driven by the same asks and tells, in the
 * same order, as when the events were written), the candidates in flight and the counters. The
 * controller's event handler is {@link #apply}; during recovery the same method rebuilds the
 * search, and it checks as it goes that the strategy proposes what the journal says it did.
 *
 * <p>Everything here follows from the events alone, except {@link #deliver} (models fitted off
 * the controller's thread, handed over before the event that uses them is applied).
 */
final class SearchState<A> {
    final SearchSpace<A> space;
    final Strategy<A> strategy;
    private final ModelGuidedStrategy<A> guided;

    SearchSpec spec; // null until the search-created event
    /** Every step op so far, in order: a snapshot is these (replayed into a fresh strategy). */
    final List<StepOp> ops = new ArrayList<>();
    /** Asked and not yet told, in the order asked. */
    final Map<Long, Trial<A>> outstanding = new LinkedHashMap<>();
    /** What the last applied step asked (the controller dispatches them once it is persisted). */
    List<Trial<A>> justAsked = List.of();
    /** Fits the strategy asked for that no model-fitted event has answered yet, by version. */
    final TreeMap<Integer, ModelGuidedStrategy.FitRequest<A>> fitRequests = new TreeMap<>();
    private final Map<Integer, PredictorModel<A>> delivered = new HashMap<>();

    int evaluations;
    int failed;
    int cached;
    int consecutiveRepeats;
    int resumes;
    boolean finished;
    String stopReason;

    SearchState(SearchSpace<A> space, Strategy<A> strategy) {
        this.space = space;
        this.strategy = strategy;
        this.guided = strategy instanceof ModelGuidedStrategy<A> g ? g : null;
    }

    /** A state rebuilt from a snapshot: its steps replayed into {@code strategy}, which must be fresh. */
    static <A> SearchState<A> fromSnapshot(SearchSpace<A> space, Strategy<A> strategy, SearchSnapshot snapshot) {
        SearchState<A> state = new SearchState<>(space, strategy);
        state.spec = snapshot.getSpec();
        for (StepOp op : snapshot.getOpsList()) {
            state.applyOp(op);
        }
        state.justAsked = List.of();
        state.resumes = snapshot.getResumes();
        state.finished = snapshot.getFinished();
        state.stopReason = snapshot.getFinished() ? snapshot.getStopReason() : null;
        return state;
    }

    SearchSnapshot toSnapshot() {
        SearchSnapshot.Builder snapshot = SearchSnapshot.newBuilder().addAllOps(ops).setFinished(finished).setResumes(resumes);
        if (spec != null) {
            snapshot.setSpec(spec);
        }
        if (stopReason != null) {
            snapshot.setStopReason(stopReason);
        }
        return snapshot.build();
    }

    /** Hands over a model fitted live, for the model-fitted event that follows (replay fits it again instead). */
    void deliver(int version, PredictorModel<A> model) {
        delivered.put(version, model);
    }

    SearchState<A> apply(JournalEvent event) {
        switch (event.getEventCase()) {
            case CREATED -> spec = event.getCreated();
            case STEP -> {
                justAsked = List.of();
                event.getStep().getOpsList().forEach(this::applyOp);
            }
            case RESUMED -> resumes++;
            case FINISHED -> {
                finished = true;
                stopReason = event.getFinished().getStopReason();
            }
            default -> throw new JournalReplayException("journal event with no content (" + event.getEventCase() + ")");
        }
        return this;
    }

    private void applyOp(StepOp op) {
        if (spec == null) {
            throw new JournalReplayException("a step before the search-created event: the journal does not start with its search");
        }
        switch (op.getOpCase()) {
            case TOLD -> tell(op.getTold());
            case ASKED -> ask(op.getAsked().getCount());
            case FITTED -> fitted(op.getFitted().getVersion(), op.getFitted().getOk());
            default -> throw new JournalReplayException("journal step with an empty op");
        }
        ops.add(op);
    }

    private void ask(int count) {
        List<Trial<A>> trials = strategy.ask(count);
        for (Trial<A> trial : trials) {
            outstanding.put(trial.id(), trial);
        }
        justAsked = justAsked.isEmpty() ? trials : concat(justAsked, trials);
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
            throw new JournalReplayException("candidate " + trial.id() + " replays as " + proposed + " but the journal has "
                    + result.getArchitecture().getEncoding() + ": the strategy does not replay (another version, or another seed?)");
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
        strategy.tell(trial, ok ? TrialResult.ok(result.getMetricsMap()) : TrialResult.failed(result.getFailureReason()));
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
                throw new JournalReplayException("the journal has model version " + version + " fitted, which the strategy never asked for");
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

    Optional<Double> bestScore() {
        return strategy.best().map(o -> o.score());
    }

    /** Every result told so far, in order. */
    List<ResultTold> told() {
        List<ResultTold> told = new ArrayList<>();
        for (StepOp op : ops) {
            if (op.hasTold()) {
                told.add(op.getTold());
            }
        }
        return told;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
