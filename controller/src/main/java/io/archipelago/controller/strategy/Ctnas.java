package io.archipelago.controller.strategy;

import io.archipelago.core.objective.Fitness;
import io.archipelago.core.predictor.Predictor;
import io.archipelago.core.predictor.PredictorModel;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.TokenEncoding;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * CTNAS (Chen et al., CVPR 2021): a REINFORCE policy whose reward is the comparator's probability
 * that a sampled cell beats the current baseline cell, so the policy learns from thousands of
 * cheap comparisons per real evaluation. The baseline follows the curriculum of the paper: it is
 * the best cell evaluated so far, so the bar rises as the search finds better cells. Each model
 * version trains the policy for {@code policySteps} comparisons, then proposes the unseen samples
 * the comparator rates most likely to beat the baseline.
 */
public final class Ctnas<A> extends ModelGuidedStrategy<A> {
    private final OpPolicy<A> policy;
    private final int policySteps;
    private final int candidates;

    /**
     * @param policySteps policy-gradient steps (one comparison each) per model version
     * @param candidates unseen policy samples the comparator ranks per model version
     */
    public <S extends SearchSpace<A> & TokenEncoding<A>> Ctnas(
            S space,
            Fitness objective,
            Predictor<A> comparator,
            Schedule schedule,
            long seed,
            double learningRate,
            int policySteps,
            int candidates) {
        super(space, objective, comparator, schedule, seed);
        if (policySteps < 0 || candidates < 1) {
            throw new IllegalArgumentException(
                    "CTNAS needs policy steps >= 0 and candidates >= 1, got " + policySteps + ", " + candidates);
        }
        this.policy = new OpPolicy<>(space, learningRate, 0.9);
        this.policySteps = policySteps;
        this.candidates = candidates;
    }

    @Override
    protected List<A> propose(PredictorModel<A> comparator, List<Observation<A>> observed, int count) {
        if (observed.isEmpty()) {
            return List.of();
        }
        A baseline = bestObserved(observed, 1).get(0);
        for (int step = 0; step < policySteps; step++) {
            A sample = policy.sample(random);
            policy.reinforce(sample, comparator.compare(sample, baseline));
        }
        List<A> pool = new ArrayList<>();
        Set<String> inPool = new HashSet<>();
        for (int draw = 0; draw < candidates * 20 && pool.size() < candidates; draw++) {
            A sample = policy.sample(random);
            if (!novelty.seen(sample) && inPool.add(space.canonicalKey(sample))) {
                pool.add(sample);
            }
        }
        double[] beats = new double[pool.size()];
        for (int i = 0; i < beats.length; i++) {
            beats[i] = comparator.compare(pool.get(i), baseline);
        }
        return claimBest(pool, beats, count);
    }
}
