package io.archipelago.controller.strategy;

import io.archipelago.core.objective.Objective;
import io.archipelago.core.space.SearchSpace;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Regularised (aging) evolution, Real et al. 2019, in its asynchronous form: the first
 * {@code populationSize} trials are random; after that every ask takes a tournament of
 * {@code sampleSize} members of the population, mutates the winner, and every successful tell
 * appends the child and retires the oldest member. No generation barrier: a child is bred
 * whenever a slot frees up, from whatever has come back by then.
 *
 * <p>Children are novel by canonical key (a mutation into an already-proposed function is drawn
 * again), so the budget is spent on new architectures.
 */
public final class RegularizedEvolution<A> implements Strategy<A> {
    private static final int DRAWS = 200;

    private final SearchSpace<A> space;
    private final int populationSize;
    private final int sampleSize;
    private final SplittableRandom random;
    private final Incumbent<A> incumbent;
    private final Novelty<A> novelty;
    private final ArrayDeque<Observation<A>> population = new ArrayDeque<>();
    private final List<Observation<A>> tournamentView = new ArrayList<>();
    private long nextId;

    public RegularizedEvolution(SearchSpace<A> space, Objective objective, long seed, int populationSize, int sampleSize) {
        if (populationSize < 2 || sampleSize < 1 || sampleSize > populationSize) {
            throw new IllegalArgumentException("evolution needs population >= 2 and 1 <= sample <= population, got population="
                    + populationSize + ", sample=" + sampleSize);
        }
        this.space = space;
        this.populationSize = populationSize;
        this.sampleSize = sampleSize;
        this.random = new SplittableRandom(seed);
        this.incumbent = new Incumbent<>(objective);
        this.novelty = new Novelty<>(space);
    }

    @Override
    public List<Trial<A>> ask(int n) {
        List<Trial<A>> trials = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            boolean seeding = nextId < populationSize || population.isEmpty();
            Optional<A> next = seeding
                    ? novelty.draw(() -> space.sample(random), DRAWS)
                    : novelty.draw(() -> space.mutate(tournament(), random), DRAWS);
            if (next.isEmpty()) {
                break;
            }
            trials.add(new Trial<>(nextId++, next.get()));
        }
        return trials;
    }

    /** The best of {@code sampleSize} members drawn uniformly with replacement. */
    private A tournament() {
        if (tournamentView.size() != population.size()) {
            tournamentView.clear();
            tournamentView.addAll(population);
        }
        Observation<A> winner = null;
        for (int i = 0; i < sampleSize; i++) {
            Observation<A> contender = tournamentView.get(random.nextInt(tournamentView.size()));
            if (winner == null || contender.score() > winner.score()) {
                winner = contender;
            }
        }
        return winner.trial().architecture();
    }

    @Override
    public void tell(Trial<A> trial, TrialResult result) {
        incumbent.observe(trial, result).ifPresent(observation -> {
            population.addLast(observation);
            if (population.size() > populationSize) {
                population.removeFirst();
            }
            tournamentView.clear();
        });
    }

    @Override
    public Optional<Observation<A>> best() {
        return incumbent.best();
    }
}
