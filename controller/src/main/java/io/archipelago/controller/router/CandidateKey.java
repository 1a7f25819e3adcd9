package io.archipelago.controller.router;

import io.archipelago.proto.Candidate;
import io.archipelago.proto.EvaluationResult;

/** One dispatch: a candidate that several pools evaluate (accuracy and latency) has one per kind. */
record CandidateKey(String searchId, long candidateId, String kind) {

    static CandidateKey of(Candidate candidate) {
        return new CandidateKey(candidate.getSearchId(), candidate.getCandidateId(), candidate.getEvaluatorKind());
    }

    /** The dispatch a result answers. */
    static CandidateKey of(EvaluationResult result) {
        return new CandidateKey(result.getSearchId(), result.getCandidateId(), result.getEvaluatorKind());
    }
}
