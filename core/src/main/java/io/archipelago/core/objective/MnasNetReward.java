package io.archipelago.core.objective;

import java.util.Map;

/**
 * MnasNet's reward (Tan et al., CVPR 2019), one scalar for accuracy under a latency target T:
 * {@code ACC × (LAT / T)^w}. With the <em>soft</em> constraint w = −0.07 everywhere, so a cell
 * twice as fast as another scores about 5% more at equal accuracy; with the <em>hard</em> one,
 * w = 0 up to T and −1 above it, so a cell over its target is punished in proportion.
 *
 * @param accuracy the metric maximised, e.g. {@code cifar10_valid_12}
 * @param latency the latency metric, e.g. {@code latency_ms}
 * @param target T, in the latency metric's unit
 * @param hard the hard constraint instead of the soft one
 */
public record MnasNetReward(String accuracy, String latency, double target, boolean hard) implements Fitness {
    /** MnasNet's exponent of the soft constraint. */
    public static final double SOFT_EXPONENT = -0.07;
    /** The hard constraint's exponent above the target. */
    public static final double HARD_EXPONENT = -1.0;

    public MnasNetReward {
        if (accuracy == null || accuracy.isBlank() || latency == null || latency.isBlank()) {
            throw new IllegalArgumentException("the MnasNet reward needs an accuracy and a latency metric");
        }
        if (!(target > 0) || Double.isInfinite(target)) {
            throw new IllegalArgumentException("the latency target must be a positive number, got " + target);
        }
    }

    /** @throws IllegalArgumentException for a mode other than {@code soft} or {@code hard} */
    public static MnasNetReward of(String accuracy, String latency, double target, String mode) {
        return switch (String.valueOf(mode)) {
            case "soft" -> new MnasNetReward(accuracy, latency, target, false);
            case "hard" -> new MnasNetReward(accuracy, latency, target, true);
            default -> throw new IllegalArgumentException("reward mode must be 'soft' or 'hard', found '" + mode + "'");
        };
    }

    @Override
    public double score(Map<String, Double> metrics) {
        Double acc = metrics.get(accuracy);
        Double lat = metrics.get(latency);
        if (acc == null || lat == null || !(lat > 0)) {
            return Double.NaN; // a latency of 0 or less is a measurement error, not a free network
        }
        double w = hard ? (lat <= target ? 0.0 : HARD_EXPONENT) : SOFT_EXPONENT;
        return acc * Math.pow(lat / target, w);
    }

    @Override
    public String toString() {
        return "mnasnet-" + (hard ? "hard" : "soft") + "(" + accuracy + ", " + latency + " <= " + target + ")";
    }
}
