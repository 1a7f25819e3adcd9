package io.archipelago.controller.strategy;

import io.archipelago.core.objective.Fitness;
import java.util.Optional;

/**
 * The best observation so far under one objective; strategies share it instead of each keeping
 * their own. Ties keep the earlier trial, so the result does not depend on tell order of equals.
 */
public final class Incumbent<A> {
    private final Fitness objective;
    private Observation<A> best;

    public Incumbent(Fitness objective) {
        this.objective = objective;
    }

    public Fitness objective() {
        return objective;
    }

    /**
     * Scores a result.
     *
     * @return the observation, or empty when the trial failed or lacks the objective's metric
     */
    public Optional<Observation<A>> observe(Trial<A> trial, TrialResult result) {
        if (!result.ok()) {
            return Optional.empty();
        }
        double score = objective.score(result.metrics());
        if (Double.isNaN(score)) {
            return Optional.empty();
        }
        Observation<A> observation = new Observation<>(trial, result.metrics(), score);
        if (best == null
                || score > best.score()
                || (score == best.score() && trial.id() < best.trial().id())) {
            best = observation;
        }
        return Optional.of(observation);
    }

    public Optional<Observation<A>> best() {
        return Optional.ofNullable(best);
    }
}
