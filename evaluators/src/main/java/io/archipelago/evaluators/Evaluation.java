package io.archipelago.evaluators;

import java.util.Map;

/** What an evaluator measured: named metrics and the seconds it spent (measured or simulated). */
public record Evaluation(Map<String, Double> metrics, double costSeconds) {
    public Evaluation {
        metrics = Map.copyOf(metrics);
    }
}
