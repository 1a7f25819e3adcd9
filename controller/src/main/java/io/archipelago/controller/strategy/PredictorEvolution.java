package io.archipelago.controller.strategy;

import io.archipelago.core.objective.Fitness;
import io.archipelago.core.predictor.Predictor;
import io.archipelago.core.predictor.PredictorModel;
import io.archipelago.core.space.SearchSpace;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Predictor-guided evolution in the spirit of BANANAS (White et al., AAAI 2021): mutate the best
 * cells observed so far into a large pool of unseen candidates, let the predictor rank the pool,
 * and evaluate only the top of it.
 */
public final class PredictorEvolution<A> extends ModelGuidedStrategy<A> {
    private final int parents;
    private final int poolSize;

    /**
     * @param parents how many of the best observed cells are mutated
     * @param poolSize candidates the predictor ranks per model version
     */
    public PredictorEvolution(
            SearchSpace<A> space,
            Fitness objective,
            Predictor<A> predictor,
            Schedule schedule,
            long seed,
            int parents,
            int poolSize) {
        super(space, objective, predictor, schedule, seed);
        if (parents < 1 || poolSize < 1) {
            throw new IllegalArgumentException(
                    "predictor evolution needs parents >= 1 and pool >= 1, got " + parents + ", " + poolSize);
        }
        this.parents = parents;
        this.poolSize = poolSize;
    }

    @Override
    protected List<A> propose(PredictorModel<A> model, List<Observation<A>> observed, int count) {
        if (observed.isEmpty()) {
            return List.of();
        }
        List<A> best = bestObserved(observed, parents);
        List<A> pool = new ArrayList<>(poolSize);
        Set<String> inPool = new HashSet<>();
        // Mutations of mutations too: one edit away from the parents is a small neighbourhood.
        for (int attempt = 0; attempt < poolSize * 10 && pool.size() < poolSize; attempt++) {
            A child = best.get(attempt % best.size());
            int edits = 1 + random.nextInt(2);
            for (int e = 0; e < edits; e++) {
                child = space.mutate(child, random);
            }
            if (!novelty.seen(child) && inPool.add(space.canonicalKey(child))) {
                pool.add(child);
            }
        }
        return claimBest(pool, model.predict(pool), count);
    }
}
