package io.archipelago.core.predictor;

import java.util.List;

/**
 * A fitted predictor: immutable and safe to query from several threads.
 *
 * @param <A> the search space's architecture type
 */
public interface PredictorModel<A> {

    /** One score per architecture; higher means predicted better. Only the order is meaningful. */
    double[] predict(List<A> architectures);

    /**
     * The probability that {@code a} is better than {@code b}. Pairwise models (a comparator)
     * answer it directly; the default compares the two scores.
     */
    default double compare(A a, A b) {
        double[] scores = predict(List.of(a, b));
        return scores[0] > scores[1] ? 1 : scores[0] < scores[1] ? 0 : 0.5;
    }
}
