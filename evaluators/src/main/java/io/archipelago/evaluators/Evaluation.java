package io.archipelago.evaluators;

import java.util.List;
import java.util.Map;

/**
 * What an evaluator measured: named metrics, the seconds it spent (measured or simulated), text
 * labels saying what the numbers were measured on (a latency's device, backend, threads), and the
 * learning curve of an evaluator that trains (empty otherwise).
 */
public record Evaluation(
        Map<String, Double> metrics, double costSeconds, Map<String, String> labels, List<Intermediate> intermediates) {
    /** The label of an evaluation a scheduler stopped early: the step whose metrics it reports. */
    public static final String STOPPED_AT_STEP = "stopped_at_step";

    public Evaluation {
        metrics = Map.copyOf(metrics);
        labels = Map.copyOf(labels);
        intermediates = List.copyOf(intermediates);
    }

    public Evaluation(Map<String, Double> metrics, double costSeconds, Map<String, String> labels) {
        this(metrics, costSeconds, labels, List.of());
    }

    public Evaluation(Map<String, Double> metrics, double costSeconds) {
        this(metrics, costSeconds, Map.of(), List.of());
    }

    /**
     * One point of the learning curve.
     *
     * @param step 1-based (the epoch just finished, for a training evaluator)
     * @param metrics named as the final metrics, e.g. {@code valid_accuracy}
     * @param elapsedSeconds since the evaluation started
     */
    public record Intermediate(int step, Map<String, Double> metrics, double elapsedSeconds) {
        public Intermediate {
            metrics = Map.copyOf(metrics);
        }
    }
}
