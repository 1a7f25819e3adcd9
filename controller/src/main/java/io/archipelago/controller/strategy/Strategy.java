package io.archipelago.controller.strategy;

import java.util.List;
import java.util.Optional;

/**
 * A search strategy as an ask/tell object (Optuna's samplers, Ray Tune's searchers): it proposes
 * architectures and learns from their results, and knows nothing about how or where they are
 * evaluated. Given the same seed and the same sequence of asks and tells it proposes the same
 * architectures, so a journal of tells can rebuild it.
 *
 * <p>Results may come back in any order and while other trials are still out: the controller
 * asks again as soon as an evaluator slot frees up, never waiting for a generation.
 *
 * @param <A> the search space's architecture type
 */
public interface Strategy<A> {

    /**
     * Up to {@code n} new trials, numbered consecutively from 0 over the strategy's life. Fewer
     * (or none) when the strategy has nothing more to propose.
     */
    List<Trial<A>> ask(int n);

    /** The result of a trial this strategy asked for; failed trials carry their reason. */
    void tell(Trial<A> trial, TrialResult result);

    /** The best successful trial so far by the strategy's objective. */
    Optional<Observation<A>> best();

    /**
     * The strategy as one that proposes with models fitted on its observations, if it is one:
     * whoever drives it then fits the models it asks for, and hands them back.
     */
    default Optional<ModelGuidedStrategy<A>> modelGuided() {
        return Optional.empty();
    }
}
