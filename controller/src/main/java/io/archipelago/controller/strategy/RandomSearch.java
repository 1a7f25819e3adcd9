package io.archipelago.controller.strategy;

import io.archipelago.core.objective.Fitness;
import io.archipelago.core.space.SearchSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Uniform random sampling: the baseline every strategy must beat. By default it never proposes an
 * architecture equivalent to an earlier one (by canonical key); {@link #withRepeats} draws with
 * replacement, which load tests need to push more candidates than the space has.
 */
public final class RandomSearch<A> implements Strategy<A> {
    private static final int DRAWS = 1000;

    private final SearchSpace<A> space;
    private final SplittableRandom random;
    private final Incumbent<A> incumbent;
    private final Novelty<A> novelty; // null: repeats allowed
    private long nextId;

    public RandomSearch(SearchSpace<A> space, Fitness objective, long seed) {
        this(space, objective, seed, true);
    }

    private RandomSearch(SearchSpace<A> space, Fitness objective, long seed, boolean novel) {
        this.space = space;
        this.random = new SplittableRandom(seed);
        this.incumbent = new Incumbent<>(objective);
        this.novelty = novel ? new Novelty<>(space) : null;
    }

    /** Random sampling with replacement. */
    public static <A> RandomSearch<A> withRepeats(SearchSpace<A> space, Fitness objective, long seed) {
        return new RandomSearch<>(space, objective, seed, false);
    }

    @Override
    public List<Trial<A>> ask(int n) {
        List<Trial<A>> trials = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Optional<A> next = novelty == null
                    ? Optional.of(space.sample(random))
                    : novelty.draw(() -> space.sample(random), DRAWS);
            if (next.isEmpty()) {
                break;
            }
            trials.add(new Trial<>(nextId++, next.get()));
        }
        return trials;
    }

    @Override
    public void tell(Trial<A> trial, TrialResult result) {
        incumbent.observe(trial, result);
    }

    @Override
    public Optional<Observation<A>> best() {
        return incumbent.best();
    }
}
