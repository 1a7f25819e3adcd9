package io.archipelago.controller.strategy;

import io.archipelago.core.objective.Fitness;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.TokenEncoding;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * REINFORCE controller (Zoph &amp; Le; MnasNet; ENAS without weight sharing): samples architectures
 * from a per-position op policy and moves the policy towards those whose reward (the objective's
 * score) beats a moving-average baseline. Asynchronous: every tell is one policy-gradient step, and
 * every ask samples from the policy as it is then. Samples are novel by canonical key.
 */
public final class Reinforce<A> implements Strategy<A> {
    private static final int DRAWS = 200;

    private final SearchSpace<A> space;
    private final OpPolicy<A> policy;
    private final SplittableRandom random;
    private final Incumbent<A> incumbent;
    private final Novelty<A> novelty;
    private long nextId;

    /**
     * @param learningRate step on the policy's logits per unit of normalised advantage (e.g. 0.1)
     * @param baselineDecay weight of the past in the reward baseline (e.g. 0.9)
     */
    public <S extends SearchSpace<A> & TokenEncoding<A>> Reinforce(
            S space, Fitness objective, long seed, double learningRate, double baselineDecay) {
        this.space = space;
        this.policy = new OpPolicy<>(space, learningRate, baselineDecay);
        this.random = new SplittableRandom(seed);
        this.incumbent = new Incumbent<>(objective);
        this.novelty = new Novelty<>(space);
    }

    @Override
    public List<Trial<A>> ask(int n) {
        List<Trial<A>> trials = novelty.trials(n, nextId, id -> policy.sample(random), DRAWS);
        nextId += trials.size();
        return trials;
    }

    @Override
    public void tell(Trial<A> trial, TrialResult result) {
        incumbent
                .observe(trial, result)
                .ifPresent(o -> policy.reinforce(o.trial().architecture(), o.score()));
    }

    @Override
    public Optional<Observation<A>> best() {
        return incumbent.best();
    }

    /** The policy's current most likely architecture. */
    public A mode() {
        return policy.mode();
    }
}
