package io.archipelago.controller;

import io.archipelago.controller.router.Router;
import io.archipelago.controller.strategy.Trial;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.proto.Architecture;
import io.archipelago.proto.Candidate;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.ResultSource;
import io.archipelago.proto.ResultTold;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Turns a search's trials into the candidates its pools are sent: one for the evaluator's pool, a copy under each merged pool's kind. */
final class CandidateBuilder<A> {
    private final SearchSettings settings;
    private final SearchSpace<A> space;

    CandidateBuilder(SearchSettings settings, SearchSpace<A> space) {
        this.settings = settings;
        this.space = space;
    }

    /** Every pool's candidate of each trial. */
    List<Candidate> forPools(List<Trial<A>> trials) {
        List<Candidate> candidates =
                new ArrayList<>(trials.size() * (1 + settings.mergedKinds().size()));
        for (Trial<A> trial : trials) {
            Candidate candidate = candidate(trial.id(), space.toProto(trial.architecture()));
            candidates.add(candidate);
            for (String kind : settings.mergedKinds()) {
                candidates.add(candidate.toBuilder().setEvaluatorKind(kind).build());
            }
        }
        return candidates;
    }

    /**
     * What a resumed search's router should know: a repeat of an architecture evaluated before the
     * crash is then answered from its cache, as it would have been without the crash. Only for one
     * evaluator pool: the journal keeps the merged result of several pools, not what each answered.
     */
    Optional<Router.Seed> cacheSeed(List<ResultTold> replayed) {
        if (!settings.mergedKinds().isEmpty()) {
            return Optional.empty();
        }
        List<Candidate> candidates = new ArrayList<>();
        List<EvaluationResult> results = new ArrayList<>();
        for (ResultTold told : replayed) {
            EvaluationResult result = told.getResult();
            if (told.getSource() == ResultSource.RESULT_SOURCE_EVALUATED
                    && result.getStatus() == EvaluationStatus.EVALUATION_STATUS_OK) {
                candidates.add(candidate(result.getCandidateId(), result.getArchitecture()));
                results.add(result);
            }
        }
        return candidates.isEmpty() ? Optional.empty() : Optional.of(new Router.Seed(candidates, results));
    }

    /** What the evaluator pool is asked to evaluate. */
    private Candidate candidate(long id, Architecture architecture) {
        return Candidate.newBuilder()
                .setSearchId(settings.searchId())
                .setCandidateId(id)
                .setArchitecture(architecture)
                .setEvaluatorKind(settings.evaluatorKind())
                .setFidelity(settings.fidelity())
                .build();
    }
}
