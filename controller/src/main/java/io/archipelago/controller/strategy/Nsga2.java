package io.archipelago.controller.strategy;

import io.archipelago.core.objective.Constraint;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.objective.Objectives;
import io.archipelago.core.objective.Pareto;
import io.archipelago.core.space.SearchSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * NSGA-II (Deb et al. 2002) in its asynchronous steady-state form: no generation barrier. The
 * first {@code initial} trials are random; after that every ask breeds one child of the current
 * population (the fitter of two binary tournaments on front rank, then crowding distance,
 * mutated), and every successful tell inserts the child and, once the population exceeds
 * {@code populationSize}, removes the member with the smallest crowding distance of the last
 * front. A freed evaluator slot therefore always gets a child of the best population known at
 * that moment, however the results interleave.
 *
 * <p>Constraints (e.g. {@code latency_ms<=20}) are handled by Deb's constraint-domination: a
 * feasible cell beats an infeasible one, and of two infeasible cells the one closer to
 * feasibility wins, so the search walks into the feasible region before it spreads along it.
 *
 * <p>Children are novel by canonical key, like every strategy here. {@link #best()} is the
 * feasible cell best on the first objective; the search's front comes from its results.
 *
 * <p>On NAS-Bench-201 with accuracy and parameters a small population (20) and mutation alone
 * cover the front best: crossover of cells mixes edges that only work together (see
 * benchmarks/RESULTS.md, {@code bench pareto}).
 */
public final class Nsga2<A> implements Strategy<A> {
    private static final int DRAWS = 200;
    public static final int DEFAULT_POPULATION = 20;

    private final SearchSpace<A> space;
    private final List<Objective> objectives;
    private final List<Constraint> constraints;
    private final int populationSize;
    private final int initial;
    private final SplittableRandom random;
    private final Novelty<A> novelty;
    private final Incumbent<A> incumbent;
    private final List<Member<A>> population = new ArrayList<>();
    /** Front rank and crowding of the population's members, recomputed lazily after a change. */
    private int[] rank;

    private double[] crowding;
    private long nextId;

    private record Member<A>(Observation<A> observation, double[] scores, double violation) {}

    /**
     * @param objectives two or more, each maximised or minimised
     * @param constraints feasibility conditions (may be empty)
     * @param populationSize members kept (at least 2)
     * @param initial random trials before breeding starts (at least 2)
     */
    public Nsga2(
            SearchSpace<A> space,
            List<Objective> objectives,
            List<Constraint> constraints,
            long seed,
            int populationSize,
            int initial) {
        if (objectives.size() < 2) {
            throw new IllegalArgumentException("NSGA-II needs at least two objectives, got " + objectives);
        }
        if (populationSize < 2 || initial < 2) {
            throw new IllegalArgumentException("NSGA-II needs population >= 2 and initial >= 2, got population="
                    + populationSize + ", initial=" + initial);
        }
        this.space = space;
        this.objectives = List.copyOf(objectives);
        this.constraints = List.copyOf(constraints);
        this.populationSize = populationSize;
        this.initial = initial;
        this.random = new SplittableRandom(seed);
        this.novelty = new Novelty<>(space);
        this.incumbent = new Incumbent<>(objectives.get(0));
    }

    @Override
    public List<Trial<A>> ask(int n) {
        List<Trial<A>> trials = novelty.trials(
                n,
                nextId,
                id -> id < initial || population.size() < 2 ? space.sample(random) : space.mutate(tournament(), random),
                DRAWS);
        nextId += trials.size();
        return trials;
    }

    /** The fitter of two members drawn uniformly: lower front rank, then larger crowding distance. */
    private A tournament() {
        if (rank == null) {
            rankPopulation();
        }
        int a = random.nextInt(population.size());
        int b = random.nextInt(population.size());
        boolean aWins = rank[a] != rank[b] ? rank[a] < rank[b] : crowding[a] >= crowding[b];
        return population.get(aWins ? a : b).observation().trial().architecture();
    }

    private void rankPopulation() {
        int n = population.size();
        double[][] points = new double[n][];
        double[] violations = new double[n];
        for (int i = 0; i < n; i++) {
            points[i] = population.get(i).scores();
            violations[i] = population.get(i).violation();
        }
        int[][] fronts = Pareto.sort(points, violations);
        rank = Pareto.ranks(fronts, n);
        crowding = new double[n];
        for (int[] front : fronts) {
            double[] distances = Pareto.crowding(points, front);
            for (int k = 0; k < front.length; k++) {
                crowding[front[k]] = distances[k];
            }
        }
    }

    @Override
    public void tell(Trial<A> trial, TrialResult result) {
        if (!result.ok()) {
            return;
        }
        double[] scores = Objectives.scores(result.metrics(), objectives);
        for (double score : scores) {
            if (Double.isNaN(score)) {
                return; // lacks an objective's metric: as good as failed
            }
        }
        double violation = Objectives.violation(result.metrics(), constraints);
        Observation<A> observation = new Observation<>(trial, result.metrics(), scores[0]);
        if (violation == 0) {
            incumbent.observe(trial, result);
        }
        population.add(new Member<>(observation, scores, violation));
        rank = null;
        if (population.size() > populationSize) {
            removeMostCrowdedOfLastFront();
        }
    }

    private void removeMostCrowdedOfLastFront() {
        rankPopulation();
        int worst = -1;
        for (int i = 0; i < population.size(); i++) {
            // Ties remove the oldest, as aging evolution does: a stale member makes way for a new one.
            if (worst < 0 || rank[i] > rank[worst] || (rank[i] == rank[worst] && crowding[i] < crowding[worst])) {
                worst = i;
            }
        }
        population.remove(worst);
        rank = null;
    }

    @Override
    public Optional<Observation<A>> best() {
        return incumbent.best();
    }

    /** The population's size now (at most {@code populationSize}). */
    int populationSize() {
        return population.size();
    }
}
