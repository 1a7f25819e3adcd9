package io.archipelago.core.objective;

import java.util.Map;

/**
 * What a single-objective strategy maximises, computed from a result's metrics: one
 * {@link Objective}, or a scalarisation of several such as the {@link MnasNetReward}.
 */
public interface Fitness {

    /** The fitness of these metrics, larger is better; NaN when a metric it needs is missing. */
    double score(Map<String, Double> metrics);
}
