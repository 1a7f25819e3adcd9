package io.archipelago.evaluators;

import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * A distribution of simulated evaluation times, so that a tabular search behaves like one whose
 * evaluations cost time. Written {@code 100ms} (fixed), {@code lognormal:100ms,0.5} (median 100 ms,
 * sigma 0.5 of the underlying normal), {@code uniform:50ms,150ms} or {@code exponential:100ms}
 * (mean). Units: {@code us}, {@code ms}, {@code s}.
 */
public sealed interface SimulatedTime {

    /** A draw in seconds. */
    double sampleSeconds(RandomGenerator random);

    /** The mean in seconds. */
    double meanSeconds();

    record Fixed(double seconds) implements SimulatedTime {
        public double sampleSeconds(RandomGenerator random) {
            return seconds;
        }

        public double meanSeconds() {
            return seconds;
        }
    }

    record LogNormal(double medianSeconds, double sigma) implements SimulatedTime {
        public double sampleSeconds(RandomGenerator random) {
            return medianSeconds * Math.exp(sigma * random.nextGaussian());
        }

        public double meanSeconds() {
            return medianSeconds * Math.exp(sigma * sigma / 2);
        }
    }

    record Uniform(double lowSeconds, double highSeconds) implements SimulatedTime {
        public double sampleSeconds(RandomGenerator random) {
            return lowSeconds + (highSeconds - lowSeconds) * random.nextDouble();
        }

        public double meanSeconds() {
            return (lowSeconds + highSeconds) / 2;
        }
    }

    record Exponential(double meanSeconds) implements SimulatedTime {
        public double sampleSeconds(RandomGenerator random) {
            return -meanSeconds * Math.log(1 - random.nextDouble());
        }
    }

    /**
     * @throws IllegalArgumentException naming what is wrong with {@code spec}
     */
    static SimulatedTime parse(String spec) {
        String s = spec.strip().toLowerCase(Locale.ROOT);
        int colon = s.indexOf(':');
        if (colon < 0) {
            return new Fixed(duration(s, spec));
        }
        String kind = s.substring(0, colon);
        String[] args = s.substring(colon + 1).split(",", -1);
        return switch (kind) {
            case "fixed" -> new Fixed(duration(arg(args, 0, 1, spec), spec));
            case "lognormal" -> {
                double sigma = number(arg(args, 1, 2, spec), "sigma", spec);
                if (sigma < 0) {
                    throw bad(spec, "sigma must be >= 0");
                }
                yield new LogNormal(duration(args[0], spec), sigma);
            }
            case "uniform" -> {
                double low = duration(arg(args, 0, 2, spec), spec);
                double high = duration(args[1], spec);
                if (high < low) {
                    throw bad(spec, "upper bound below lower bound");
                }
                yield new Uniform(low, high);
            }
            case "exponential", "exp" -> new Exponential(duration(arg(args, 0, 1, spec), spec));
            default ->
                throw bad(spec, "unknown distribution '" + kind + "' (known: fixed, lognormal, uniform, exponential)");
        };
    }

    private static String arg(String[] args, int index, int expected, String spec) {
        if (args.length != expected) {
            throw bad(spec, "expected " + expected + " argument(s), found " + args.length);
        }
        return args[index];
    }

    private static double duration(String text, String spec) {
        String t = text.strip();
        double scale;
        String digits;
        if (t.endsWith("us")) {
            scale = 1e-6;
            digits = t.substring(0, t.length() - 2);
        } else if (t.endsWith("ms")) {
            scale = 1e-3;
            digits = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            scale = 1;
            digits = t.substring(0, t.length() - 1);
        } else {
            throw bad(spec, "duration '" + t + "' needs a unit (us, ms or s)");
        }
        double value = number(digits, "duration", spec);
        if (value < 0) {
            throw bad(spec, "duration '" + t + "' is negative");
        }
        return value * scale;
    }

    private static double number(String text, String what, String spec) {
        try {
            double value = Double.parseDouble(text.strip());
            if (!Double.isFinite(value)) {
                throw bad(spec, what + " '" + text + "' is not finite");
            }
            return value;
        } catch (NumberFormatException e) {
            throw bad(spec, what + " '" + text + "' is not a number");
        }
    }

    private static IllegalArgumentException bad(String spec, String what) {
        return new IllegalArgumentException("invalid evaluation time '" + spec + "': " + what
                + " (examples: 100ms, lognormal:100ms,0.5, uniform:50ms,150ms, exponential:100ms)");
    }
}
