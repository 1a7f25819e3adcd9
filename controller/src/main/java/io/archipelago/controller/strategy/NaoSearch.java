package io.archipelago.controller.strategy;

import io.archipelago.core.objective.Fitness;
import io.archipelago.core.predictor.PredictorModel;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.TokenEncoding;
import io.archipelago.predictors.nao.NaoModel;
import io.archipelago.predictors.nao.NaoPredictor;
import java.util.ArrayList;
import java.util.List;

/**
 * NAO's search (Luo et al., NeurIPS 2018): with the encoder-predictor-decoder fitted on the cells
 * evaluated so far, take the best of them as seeds, move each one's embedding up the predictor's
 * gradient until it decodes to a different cell, and evaluate the decoded cells. Invalid or
 * already-proposed decodes are never sent; seeds are taken best first until enough are found.
 */
public final class NaoSearch<A> extends ModelGuidedStrategy<A> {
    private final int seeds;

    /** @param seeds how many of the best observed cells are moved per model version (at most) */
    public <S extends SearchSpace<A> & TokenEncoding<A>> NaoSearch(
            S space, Fitness objective, NaoPredictor<A> predictor, Schedule schedule, long seed, int seeds) {
        super(space, objective, predictor, schedule, seed);
        if (seeds < 1) {
            throw new IllegalArgumentException("NAO needs at least 1 seed cell per model, got " + seeds);
        }
        this.seeds = seeds;
    }

    @Override
    protected List<A> propose(PredictorModel<A> model, List<Observation<A>> observed, int count) {
        NaoModel<A> nao = (NaoModel<A>) model;
        List<A> chosen = new ArrayList<>(count);
        // One new cell per seed first (NAO proper), then more steps from the best seeds.
        for (int perSeed = 1; perSeed <= 3 && chosen.size() < count; perSeed++) {
            for (A start : bestObserved(observed, seeds)) {
                if (chosen.size() >= count) {
                    break;
                }
                for (A candidate : nao.propose(start, perSeed, novelty::seen)) {
                    if (chosen.size() < count && novelty.claim(candidate)) {
                        chosen.add(candidate);
                    }
                }
            }
        }
        return chosen;
    }
}
