package io.archipelago.models.space;

import io.archipelago.models.nn.Layer;

/** One architecture's network at any size: what TEG and the latency evaluators build and run. */
@FunctionalInterface
public interface NetworkFactory {
    /** The network at {@code shape}, its weights drawn from {@code seed} (same arguments, same weights). */
    Layer build(NetworkShape shape, long seed);
}
