package io.archipelago.controller.strategy;

import io.archipelago.core.space.ArchitectureFormatException;
import io.archipelago.core.space.TokenEncoding;
import java.util.random.RandomGenerator;

/**
 * A policy over token sequences with one independent categorical choice per position (the
 * per-edge op distribution REINFORCE baselines use on NAS-Bench-201), trained by REINFORCE
 * (Williams 1992) with a moving-average baseline: {@code theta += lr * (R - b) / s * grad log pi(a)},
 * where {@code b} is an exponential moving average of the rewards and {@code s} of their spread,
 * so one learning rate suits rewards of any scale (accuracies in percent, probabilities).
 */
final class OpPolicy<A> {
    private static final int MAX_DRAWS = 10_000;
    private final TokenEncoding<A> encoding;
    private final double[][] logits;
    private final double learningRate;
    private final RewardBaseline baseline;

    OpPolicy(TokenEncoding<A> encoding, double learningRate, double baselineDecay) {
        if (!(learningRate > 0) || !(baselineDecay >= 0 && baselineDecay < 1)) {
            throw new IllegalArgumentException("REINFORCE needs learning rate > 0 and 0 <= baseline decay < 1, got "
                    + learningRate + " and " + baselineDecay);
        }
        this.encoding = encoding;
        this.logits = new double[encoding.length()][];
        for (int p = 0; p < logits.length; p++) {
            logits[p] = new double[encoding.choices(p)]; // only the position's own choices: no mass on invalid tokens
        }
        this.learningRate = learningRate;
        this.baseline = new RewardBaseline(baselineDecay);
    }

    /**
     * Draws one architecture: each position's token from its softmax. Sequences that are no
     * architecture (NAS-Bench-Graph's all-skip one) are drawn again: the policy conditioned on
     * validity.
     */
    A sample(RandomGenerator random) {
        for (int attempt = 1; ; attempt++) {
            try {
                return encoding.fromTokens(draw(random));
            } catch (ArchitectureFormatException invalid) {
                if (attempt == MAX_DRAWS) {
                    throw new IllegalStateException(
                            "the policy drew no valid architecture in " + MAX_DRAWS + " draws", invalid);
                }
            }
        }
    }

    private int[] draw(RandomGenerator random) {
        int[] tokens = new int[logits.length];
        for (int p = 0; p < logits.length; p++) {
            double[] probabilities = softmax(logits[p]);
            double u = random.nextDouble();
            int choice = probabilities.length - 1;
            for (int t = 0; t < probabilities.length - 1; t++) {
                u -= probabilities[t];
                if (u < 0) {
                    choice = t;
                    break;
                }
            }
            tokens[p] = choice;
        }
        return tokens;
    }

    /** One policy-gradient step on a sampled architecture and its reward. */
    void reinforce(A architecture, double reward) {
        double scaled = baseline.advantage(reward);
        int[] tokens = encoding.tokens(architecture);
        for (int p = 0; p < logits.length; p++) {
            double[] probabilities = softmax(logits[p]);
            for (int t = 0; t < probabilities.length; t++) {
                double gradLogPi = (t == tokens[p] ? 1 : 0) - probabilities[t];
                logits[p][t] += learningRate * scaled * gradLogPi;
            }
        }
    }

    /** The probability of {@code token} at {@code position}, for tests and reports. */
    double probability(int position, int token) {
        return softmax(logits[position])[token];
    }

    /** The most likely architecture. */
    A mode() {
        int[] tokens = new int[logits.length];
        for (int p = 0; p < logits.length; p++) {
            for (int t = 1; t < logits[p].length; t++) {
                if (logits[p][t] > logits[p][tokens[p]]) {
                    tokens[p] = t;
                }
            }
        }
        return encoding.fromTokens(tokens);
    }

    private static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double[] p = new double[z.length];
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
