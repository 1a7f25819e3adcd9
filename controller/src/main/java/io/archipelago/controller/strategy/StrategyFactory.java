package io.archipelago.controller.strategy;

import io.archipelago.core.objective.Objective;
import io.archipelago.core.space.SearchSpace;
import java.util.List;

/** Builds strategies by name, for the command line and configuration files. */
public final class StrategyFactory {
    public static final List<String> NAMES = List.of("evolution", "random");

    /**
     * Hyper-parameters of the strategies that have them.
     *
     * @param population regularised evolution's population (default 30)
     * @param sampleSize regularised evolution's tournament size (default 5)
     */
    public record Options(int population, int sampleSize) {
        public static final Options DEFAULTS = new Options(30, 5);
    }

    private StrategyFactory() {}

    /** @throws IllegalArgumentException for an unknown name, listing the known ones */
    public static <A> Strategy<A> create(String name, SearchSpace<A> space, Objective objective, long seed, Options options) {
        return switch (name) {
            case "evolution" -> new RegularizedEvolution<>(space, objective, seed, options.population(), options.sampleSize());
            case "random" -> new RandomSearch<>(space, objective, seed);
            default -> throw new IllegalArgumentException("unknown strategy '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        };
    }
}
