package io.archipelago.core.objective;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bound on one metric, written {@code latency_ms<=20} or {@code cifar10_valid_12>=80}: the
 * metric must be at most ({@code upper}) or at least the bound. Rather than a yes/no answer it
 * reports a {@link #violation} so that {@link Pareto#sort(double[][], double[])} can rank
 * infeasible candidates by how nearly they comply, as Deb's constraint-domination requires.
 */
public record Constraint(String metric, double bound, boolean upper) {

    private static final Pattern SPEC = Pattern.compile("\\s*([^<>=\\s]+)\\s*(<=|>=)\\s*(\\S+)\\s*");

    /** Integral bounds below this print without a fraction, so {@code params<=1e6} reads back as {@code params<=1000000}. */
    private static final double PLAIN_INTEGER_LIMIT = 1e15;

    public Constraint {
        if (metric == null || metric.isBlank()) {
            throw new IllegalArgumentException("constraint needs a metric name");
        }
        if (Double.isNaN(bound)) {
            throw new IllegalArgumentException("constraint on " + metric + " needs a bound, got NaN");
        }
        bound += 0.0; // -0.0 -> 0.0, so equal-looking constraints are equal
    }

    /**
     * @param spec {@code metric<=bound} or {@code metric>=bound}, whitespace allowed around the
     *     parts; the bound is any Java double literal ({@code 20}, {@code 1e6}, {@code -0.5})
     * @throws IllegalArgumentException quoting {@code spec} and naming what is wrong
     */
    public static Constraint parse(String spec) {
        if (spec == null) {
            throw new IllegalArgumentException("constraint needs the form metric<=bound or metric>=bound, got none");
        }
        Matcher matcher = SPEC.matcher(spec);
        if (!matcher.matches()) {
            throw new IllegalArgumentException(
                    "constraint '" + spec + "' does not have the form metric<=bound or metric>=bound");
        }
        String text = matcher.group(3);
        double bound;
        try {
            bound = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("constraint '" + spec + "': bound '" + text + "' is not a number");
        }
        if (Double.isNaN(bound)) {
            throw new IllegalArgumentException("constraint '" + spec + "': bound '" + text + "' is not a number");
        }
        return new Constraint(matcher.group(1), bound, matcher.group(2).equals("<="));
    }

    /**
     * How far {@code metrics} lie outside this constraint: 0 when satisfied, otherwise the amount
     * by which the bound is exceeded. A missing (or NaN) metric counts as +Infinity: a candidate
     * whose constrained metric is unknown is treated as infeasible, never as compliant.
     */
    public double violation(Map<String, Double> metrics) {
        Double value = metrics.get(metric);
        if (value == null || value.isNaN()) {
            return Double.POSITIVE_INFINITY;
        }
        double excess = upper ? value - bound : bound - value;
        return excess > 0 ? excess : 0;
    }

    /** Whether {@code metrics} satisfy this constraint; a missing metric does not. */
    public boolean feasible(Map<String, Double> metrics) {
        return violation(metrics) == 0;
    }

    /** The spec form, e.g. {@code latency_ms<=20}; {@link #parse} reads it back to an equal constraint. */
    @Override
    public String toString() {
        String number = bound == Math.rint(bound) && Math.abs(bound) < PLAIN_INTEGER_LIMIT
                ? Long.toString((long) bound)
                : Double.toString(bound);
        return metric + (upper ? "<=" : ">=") + number;
    }
}
