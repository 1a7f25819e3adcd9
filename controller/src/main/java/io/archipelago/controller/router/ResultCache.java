package io.archipelago.controller.router;

import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.SearchSpaces;
import io.archipelago.proto.Candidate;
import io.archipelago.proto.EvaluationResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Successful results by what they evaluated: the space, the architecture in its canonical form
 * (so equivalent encodings share one entry), the evaluator kind and the fidelity. The least
 * recently used are dropped beyond the capacity; a capacity of 0 keeps nothing.
 */
final class ResultCache {
    private final int capacity;
    private final Map<String, EvaluationResult> results;

    ResultCache(int capacity) {
        this.capacity = capacity;
        this.results = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, EvaluationResult> eldest) {
                return size() > capacity;
            }
        };
    }

    /** What {@code candidate} evaluates, as a key; an invalid candidate (unknown space, unparseable architecture) throws. */
    static String key(Candidate candidate) {
        SearchSpace<?> space = SearchSpaces.byId(candidate.getArchitecture().getSpace());
        return canonical(space, candidate.getArchitecture().getEncoding())
                + '\u0001'
                + candidate.getEvaluatorKind()
                + '\u0001'
                + candidate.getFidelity()
                + '\u0001'
                + space.id();
    }

    private static <A> String canonical(SearchSpace<A> space, String encoding) {
        return space.canonicalKey(space.parse(encoding));
    }

    /** The result kept for {@code key}; null when none is. */
    EvaluationResult get(String key) {
        return results.get(key);
    }

    void put(String key, EvaluationResult result) {
        if (capacity > 0) {
            results.put(key, result);
        }
    }

    /** Results evaluated before (a resumed search's), each with the candidate it answered; one kept already stays. */
    void seed(List<Candidate> candidates, List<EvaluationResult> evaluated) {
        if (capacity == 0) {
            return;
        }
        for (int i = 0; i < candidates.size(); i++) {
            try {
                results.putIfAbsent(key(candidates.get(i)), evaluated.get(i));
            } catch (IllegalArgumentException notInTheSpace) {
                // it was rejected then too: nothing to remember
            }
        }
    }

    /** {@code result}, evaluated for another candidate, as the answer to {@code candidate}. */
    static EvaluationResult answerFor(Candidate candidate, EvaluationResult result) {
        return result.toBuilder()
                .setSearchId(candidate.getSearchId())
                .setCandidateId(candidate.getCandidateId())
                .setArchitecture(candidate.getArchitecture())
                .setEvaluatorKind(candidate.getEvaluatorKind())
                .build();
    }
}
