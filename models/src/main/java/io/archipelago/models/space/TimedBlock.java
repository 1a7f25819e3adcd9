package io.archipelago.models.space;

import io.archipelago.models.nn.Layer;

/**
 * One block of a network for a latency lookup table ({@link LatencyBlocks}).
 *
 * @param key what the block computes, fully (op, kernel, stride, channels in and out, input
 *     resolution, ...): two blocks with the same key take the same time, so a table keeps one
 *     entry per key
 * @param channels channels of the block's input
 * @param height height of the block's input
 * @param width width of the block's input
 * @param addsIntoNode whether the network adds the block's output into a node (a DARTS edge); the
 *     add is then timed with the block, as the network pays for it
 * @param layer builds the block's layers from a seed
 */
public record TimedBlock(String key, int channels, int height, int width, boolean addsIntoNode, BlockLayer layer) {
    public TimedBlock {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("a timed block needs a key");
        }
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException(
                    "block " + key + ": invalid input shape " + channels + "x" + height + "x" + width);
        }
    }

    /** Builds a block's layers; the same seed gives the same weights. */
    @FunctionalInterface
    public interface BlockLayer {
        Layer build(long seed);
    }
}
