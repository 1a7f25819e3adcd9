package io.archipelago.controller.strategy;

import io.archipelago.core.objective.Fitness;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.objective.RankAggregation;
import io.archipelago.core.space.SearchSpace;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 *
 * <p>Fitness is either one objective's score, or (TEG-NAS style, {@link #byRanks}) the combined
 * rank of several metrics <em>within the current population</em>, for indicators such as the
 * training-free ones that only mean something relative to each other.
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
    /** Rank mode: the metrics combined by rank; null when fitness is the objective's score. */
    private final List<Objective> rankedBy;

    private double[] tournamentRanks;
    private final List<Observation<A>> history = new ArrayList<>();
    private long nextId;

    public RegularizedEvolution(
            SearchSpace<A> space, Fitness objective, long seed, int populationSize, int sampleSize) {
        this(space, objective, null, seed, populationSize, sampleSize);
    }

    /**
     * Evolution whose fitness is the combined rank of {@code metrics} within the current
     * population (lower is fitter); the best cell is the one with the best combined rank among
     * every cell evaluated.
     */
    public static <A> RegularizedEvolution<A> byRanks(
            SearchSpace<A> space, List<Objective> metrics, long seed, int populationSize, int sampleSize) {
        if (metrics.isEmpty()) {
            throw new IllegalArgumentException("rank-based evolution needs at least one metric");
        }
        return new RegularizedEvolution<>(
                space, metrics.get(0), List.copyOf(metrics), seed, populationSize, sampleSize);
    }

    private RegularizedEvolution(
            SearchSpace<A> space,
            Fitness objective,
            List<Objective> rankedBy,
            long seed,
            int populationSize,
            int sampleSize) {
        if (populationSize < 2 || sampleSize < 1 || sampleSize > populationSize) {
            throw new IllegalArgumentException(
                    "evolution needs population >= 2 and 1 <= sample <= population, got population=" + populationSize
                            + ", sample=" + sampleSize);
        }
        this.space = space;
        this.populationSize = populationSize;
        this.sampleSize = sampleSize;
        this.random = new SplittableRandom(seed);
        this.incumbent = new Incumbent<>(objective);
        this.novelty = new Novelty<>(space);
        this.rankedBy = rankedBy;
    }

    @Override
    public List<Trial<A>> ask(int n) {
        List<Trial<A>> trials = novelty.trials(
                n,
                nextId,
                id -> id < populationSize || population.isEmpty()
                        ? space.sample(random)
                        : space.mutate(tournament(), random),
                DRAWS);
        nextId += trials.size();
        return trials;
    }

    /** The best of {@code sampleSize} members drawn uniformly with replacement. */
    private A tournament() {
        if (tournamentView.size() != population.size()) {
            tournamentView.clear();
            tournamentView.addAll(population);
            tournamentRanks =
                    rankedBy == null ? null : RankAggregation.combinedRanks(metricsOf(tournamentView), rankedBy);
        }
        int winner = -1;
        for (int i = 0; i < sampleSize; i++) {
            int contender = random.nextInt(tournamentView.size());
            if (winner < 0 || fitter(contender, winner)) {
                winner = contender;
            }
        }
        return tournamentView.get(winner).trial().architecture();
    }

    private boolean fitter(int a, int b) {
        return tournamentRanks != null
                ? tournamentRanks[a] < tournamentRanks[b]
                : tournamentView.get(a).score() > tournamentView.get(b).score();
    }

    private static <A> List<Map<String, Double>> metricsOf(List<Observation<A>> observations) {
        List<Map<String, Double>> metrics = new ArrayList<>(observations.size());
        for (Observation<A> o : observations) {
            metrics.add(o.metrics());
        }
        return metrics;
    }

    @Override
    public void tell(Trial<A> trial, TrialResult result) {
        incumbent.observe(trial, result).ifPresent(observation -> {
            if (rankedBy != null) {
                if (!rankedBy.stream().allMatch(o -> !Double.isNaN(o.score(observation.metrics())))) {
                    return; // cannot be ranked: treated as failed
                }
                history.add(observation);
            }
            population.addLast(observation);
            if (population.size() > populationSize) {
                population.removeFirst();
            }
            tournamentView.clear();
        });
    }

    @Override
    public Optional<Observation<A>> best() {
        if (rankedBy == null) {
            return incumbent.best();
        }
        if (history.isEmpty()) {
            return Optional.empty();
        }
        double[] ranks = RankAggregation.combinedRanks(metricsOf(history), rankedBy);
        int best = 0;
        for (int i = 1; i < ranks.length; i++) {
            if (ranks[i] < ranks[best]) {
                best = i; // ties keep the earlier trial
            }
        }
        Observation<A> o = history.get(best);
        return Optional.of(new Observation<>(o.trial(), o.metrics(), -ranks[best] / history.size()));
    }
}
