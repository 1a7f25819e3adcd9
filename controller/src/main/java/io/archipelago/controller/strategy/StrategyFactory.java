package io.archipelago.controller.strategy;

import io.archipelago.core.nb201.MixedCell;
import io.archipelago.core.nb201.Nb201MixedSpace;
import io.archipelago.core.objective.Constraint;
import io.archipelago.core.objective.Fitness;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.TokenEncoding;
import io.archipelago.predictors.Predictors;
import io.archipelago.predictors.nao.NaoPredictor;
import java.util.List;

/** Builds strategies by name, for the command line and configuration files. */
public final class StrategyFactory {
    public static final List<String> NAMES = List.of(
            "evolution",
            "random",
            "reinforce",
            "predictor-evolution",
            "ctnas",
            "nao",
            "teg-evolution",
            "tenas-prune",
            "nsga2",
            "agnn");

    /**
     * Hyper-parameters of the strategies that have them.
     *
     * @param population regularised evolution's population (default 30)
     * @param sampleSize regularised evolution's tournament size (default 5)
     * @param rankBy metrics combined by rank: the fitness of {@code teg-evolution}, and what
     *     {@code tenas-prune} ranks removals by (e.g. the training-free indicators)
     * @param predictor the predictor of {@code predictor-evolution} (see {@link Predictors#NAMES})
     * @param schedule when model-guided strategies refit their predictor
     * @param objectives what {@code nsga2} trades off (two or more)
     * @param constraints what {@code nsga2} must satisfy (e.g. {@code latency_ms<=20})
     */
    public record Options(
            int population,
            int sampleSize,
            List<Objective> rankBy,
            String predictor,
            ModelGuidedStrategy.Schedule schedule,
            List<Objective> objectives,
            List<Constraint> constraints) {
        public static final Options DEFAULTS =
                new Options(30, 5, List.of(), "gcn", ModelGuidedStrategy.Schedule.DEFAULTS, List.of(), List.of());

        public Options {
            rankBy = List.copyOf(rankBy);
            objectives = List.copyOf(objectives);
            constraints = List.copyOf(constraints);
        }

        public Options(int population, int sampleSize) {
            this(population, sampleSize, List.of());
        }

        public Options(int population, int sampleSize, List<Objective> rankBy) {
            this(population, sampleSize, rankBy, DEFAULTS.predictor(), DEFAULTS.schedule(), List.of(), List.of());
        }

        public Options withObjectives(List<Objective> value, List<Constraint> limits) {
            return new Options(population, sampleSize, rankBy, predictor, schedule, value, limits);
        }
    }

    /** REINFORCE's step size and baseline decay. */
    static final double REINFORCE_LEARNING_RATE = 0.2;

    static final double REINFORCE_BASELINE_DECAY = 0.9;
    /** AGNN: random trials before the conservative explorer starts, and its policies' REINFORCE step and baseline decay. */
    static final int AGNN_WARMUP = 10;

    static final double AGNN_LEARNING_RATE = 0.2;
    static final double AGNN_BASELINE_DECAY = 0.9;
    /** BANANAS mutates the 10 best cells into a pool it ranks. */
    static final int PARENTS = 10;

    static final int POOL = 200;
    /** CTNAS: comparisons that train the policy, and policy samples ranked, per model version. */
    static final int CTNAS_POLICY_STEPS = 500;

    static final int CTNAS_CANDIDATES = 100;
    /** NAO moves the embeddings of this many of the best cells per model version. */
    static final int NAO_SEEDS = 10;

    private StrategyFactory() {}

    /** The space a strategy searches, given the space the user named: pruning searches supernet cells. */
    public static SearchSpace<?> spaceFor(String name, SearchSpace<?> named) {
        return "tenas-prune".equals(name) ? Nb201MixedSpace.INSTANCE : named;
    }

    /** @throws IllegalArgumentException for an unknown name (listing the known ones) or unsuitable options */
    @SuppressWarnings("unchecked")
    public static <A> Strategy<A> create(
            String name, SearchSpace<A> space, Fitness objective, long seed, Options options) {
        return switch (String.valueOf(name)) {
            case "evolution" ->
                new RegularizedEvolution<>(space, objective, seed, options.population(), options.sampleSize());
            case "random" -> new RandomSearch<>(space, objective, seed);
            case "reinforce" ->
                new Reinforce<>(
                        tokens(name, space), objective, seed, REINFORCE_LEARNING_RATE, REINFORCE_BASELINE_DECAY);
            case "agnn" ->
                new Agnn<>(tokens(name, space), objective, seed, AGNN_WARMUP, AGNN_LEARNING_RATE, AGNN_BASELINE_DECAY);
            case "predictor-evolution" ->
                new PredictorEvolution<>(
                        space,
                        objective,
                        Predictors.create(options.predictor(), space),
                        options.schedule(),
                        seed,
                        PARENTS,
                        POOL);
            case "ctnas" ->
                new Ctnas<>(
                        tokens(name, space),
                        objective,
                        Predictors.create("nac", space),
                        options.schedule(),
                        seed,
                        REINFORCE_LEARNING_RATE,
                        CTNAS_POLICY_STEPS,
                        CTNAS_CANDIDATES);
            case "nao" ->
                new NaoSearch<>(
                        tokens(name, space),
                        objective,
                        new NaoPredictor<>(tokens(name, space)),
                        options.schedule(),
                        seed,
                        NAO_SEEDS);
            case "teg-evolution" ->
                RegularizedEvolution.byRanks(
                        space, requireRanks(name, options), seed, options.population(), options.sampleSize());
            case "nsga2" ->
                new Nsga2<>(
                        space,
                        requireObjectives(name, options),
                        options.constraints(),
                        seed,
                        options.population(),
                        options.population());
            case "tenas-prune" -> {
                if (space != Nb201MixedSpace.INSTANCE) {
                    throw new IllegalArgumentException(
                            "tenas-prune searches the " + Nb201MixedSpace.ID + " space, not " + space.id());
                }
                yield (Strategy<A>) (Strategy<MixedCell>) new TeNasPruning(requireRanks(name, options));
            }
            default ->
                throw new IllegalArgumentException(
                        "unknown strategy '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        };
    }

    /** The space, as one whose architectures are token sequences. */
    @SuppressWarnings("unchecked")
    private static <A, S extends SearchSpace<A> & TokenEncoding<A>> S tokens(String name, SearchSpace<A> space) {
        if (!(space instanceof TokenEncoding<?>)) {
            throw new IllegalArgumentException(
                    name + " needs a space of token sequences; " + space.id() + " is not one");
        }
        return (S) space;
    }

    private static List<Objective> requireObjectives(String name, Options options) {
        if (options.objectives().size() < 2) {
            throw new IllegalArgumentException(
                    name + " trades off two or more objectives, e.g. --objectives cifar10_valid_12:max,params:min");
        }
        return options.objectives();
    }

    private static List<Objective> requireRanks(String name, Options options) {
        if (options.rankBy().isEmpty()) {
            throw new IllegalArgumentException(
                    name + " needs metrics to rank by (e.g. the teg evaluator's indicators)");
        }
        return options.rankBy();
    }
}
