package io.archipelago.controller.strategy;

import java.util.Map;

/** What came back for a trial: metrics when it succeeded, or the reason it failed. */
public record TrialResult(Map<String, Double> metrics, String failure) {

    public static TrialResult ok(Map<String, Double> metrics) {
        return new TrialResult(Map.copyOf(metrics), null);
    }

    public static TrialResult failed(String reason) {
        return new TrialResult(Map.of(), reason);
    }

    public boolean ok() {
        return failure == null;
    }
}
