package io.archipelago.core.objective;

import java.util.Locale;
import java.util.Map;

/**
 * One named metric to maximise or minimise, written {@code cifar10_valid_12:max} or
 * {@code params:min}; a bare metric name is maximised.
 */
public record Objective(String metric, boolean maximize) implements Fitness {

    public Objective {
        if (metric == null || metric.isBlank()) {
            throw new IllegalArgumentException("objective needs a metric name");
        }
    }

    public static Objective maximize(String metric) {
        return new Objective(metric, true);
    }

    /** @throws IllegalArgumentException naming what is wrong with {@code spec} */
    public static Objective parse(String spec) {
        if (spec == null) {
            throw new IllegalArgumentException("objective needs a metric name, got none");
        }
        int colon = spec.lastIndexOf(':');
        if (colon < 0) {
            return new Objective(spec.strip(), true);
        }
        String direction = spec.substring(colon + 1).strip().toLowerCase(Locale.ROOT);
        return switch (direction) {
            case "max" -> new Objective(spec.substring(0, colon).strip(), true);
            case "min" -> new Objective(spec.substring(0, colon).strip(), false);
            default ->
                throw new IllegalArgumentException(
                        "objective '" + spec + "': direction must be 'max' or 'min', found '" + direction + "'");
        };
    }

    /** The metric's value oriented so that larger is better; NaN when the metric is missing. */
    @Override
    public double score(Map<String, Double> metrics) {
        Double value = metrics.get(metric);
        if (value == null) {
            return Double.NaN;
        }
        return maximize ? value : -value;
    }

    /** The metric's value as measured; NaN when missing. */
    public double value(Map<String, Double> metrics) {
        Double value = metrics.get(metric);
        return value == null ? Double.NaN : value;
    }

    @Override
    public String toString() {
        return metric + (maximize ? ":max" : ":min");
    }
}
