package io.archipelago.evaluators.latency;

import io.archipelago.models.space.NetworkShape;

/**
 * How latency is measured on this machine.
 *
 * @param network the network a cell is built into (NAS-Bench-201's C=16, N=5, 3x32x32 by default)
 * @param batch inputs per forward pass
 * @param warmup untimed forward passes before the timed ones (JIT, caches, oneDNN primitives)
 * @param repeats timed forward passes; their median is the latency
 * @param threads ND4J op threads to set for the process, or 0 to keep ND4J's default (all cores)
 * @param seed seed of the network's weights and of the input
 */
public record LatencySettings(NetworkShape network, int batch, int warmup, int repeats, int threads, long seed) {
    public static final int DEFAULT_WARMUP = 5;
    public static final int DEFAULT_REPEATS = 20;
    public static final LatencySettings DEFAULTS =
            new LatencySettings(NetworkShape.STANDARD, 1, DEFAULT_WARMUP, DEFAULT_REPEATS, 0, 0);

    public LatencySettings {
        if (network == null) {
            throw new IllegalArgumentException("no network shape");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("the latency batch must be >= 1, got " + batch);
        }
        if (warmup < 0) {
            throw new IllegalArgumentException("latency warm-up passes must be >= 0, got " + warmup);
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("latency repeats must be >= 1, got " + repeats);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("latency threads must be >= 0 (0: ND4J's default), got " + threads);
        }
    }

    public LatencySettings withRepeats(int warmup, int repeats) {
        return new LatencySettings(network, batch, warmup, repeats, threads, seed);
    }

    public LatencySettings withNetwork(NetworkShape network, int batch) {
        return new LatencySettings(network, batch, warmup, repeats, threads, seed);
    }

    public LatencySettings withThreads(int threads) {
        return new LatencySettings(network, batch, warmup, repeats, threads, seed);
    }

    /** The input shape {@code [batch, channels, height, width]}. */
    public long[] inputShape() {
        return new long[] {batch, network.inputChannels(), network.height(), network.width()};
    }
}
