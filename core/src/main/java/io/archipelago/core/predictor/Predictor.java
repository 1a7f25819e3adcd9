package io.archipelago.core.predictor;

import java.util.List;

/**
 * A performance predictor (NASLib's separation: search space, optimiser and predictor are
 * separate pieces): {@link #fit} learns from observed architectures and returns an immutable
 * {@link PredictorModel}, so a model can answer queries on one thread while the next one is fitted
 * on another. Deterministic: the same observations and seed give the same model.
 *
 * @param <A> the search space's architecture type
 */
public interface Predictor<A> {

    /** Short name used in CLI flags and reports, e.g. {@code gcn}. */
    String name();

    /**
     * Fits a new model.
     *
     * @param architectures the observed architectures
     * @param targets their observed metric, higher is better, one per architecture
     * @param seed initialisation and shuffling seed
     * @throws IllegalArgumentException when the sizes differ, fewer than two observations are
     *     given, or a target is not finite
     */
    PredictorModel<A> fit(List<A> architectures, double[] targets, long seed);

    /** The checks every {@link #fit} starts with. */
    static void checkObservations(List<?> architectures, double[] targets) {
        if (architectures.size() != targets.length) {
            throw new IllegalArgumentException(
                    architectures.size() + " architectures but " + targets.length + " targets");
        }
        if (architectures.size() < 2) {
            throw new IllegalArgumentException(
                    "a predictor needs at least 2 observations, got " + architectures.size());
        }
        for (int i = 0; i < targets.length; i++) {
            if (!Double.isFinite(targets[i])) {
                throw new IllegalArgumentException("target " + i + " (" + architectures.get(i) + ") is " + targets[i]);
            }
        }
    }
}
