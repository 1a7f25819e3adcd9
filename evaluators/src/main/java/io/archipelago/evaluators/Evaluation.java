package io.archipelago.evaluators;

import java.util.Map;

/**
 * What an evaluator measured: named metrics, the seconds it spent (measured or simulated), and
 * text labels saying what the numbers were measured on (a latency's device, backend, threads).
 */
public record Evaluation(Map<String, Double> metrics, double costSeconds, Map<String, String> labels) {
    public Evaluation {
        metrics = Map.copyOf(metrics);
        labels = Map.copyOf(labels);
    }

    public Evaluation(Map<String, Double> metrics, double costSeconds) {
        this(metrics, costSeconds, Map.of());
    }
}
