package io.archipelago.models.mnasnet;

import io.archipelago.core.mnasnet.MnasArch;
import io.archipelago.core.mnasnet.MnasNetSize;
import io.archipelago.core.mnasnet.MnasNetSpace;
import io.archipelago.core.mnasnet.MnasSkeleton;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.models.nn.Layer;
import io.archipelago.models.space.LatencyBlocks;
import io.archipelago.models.space.NetworkShape;
import io.archipelago.models.space.SpaceNetworks;
import java.util.Optional;

/**
 * MnasNet's networks as a plugin. A {@link NetworkShape}'s channels are the stem's filters (32 at
 * width 1.0, so 8 is width 0.25: TEG's default proxy) and its height the input resolution;
 * MnasNet's depth comes from the architecture, so the shape's cells are not read.
 */
public final class MnasNetNetworks implements SpaceNetworks<MnasArch> {
    /** The published size: 224x224 RGB, width 1.0, 1000 classes. */
    static final NetworkShape STANDARD = new NetworkShape(
            MnasSkeleton.STEM_FILTERS,
            1,
            3,
            MnasNetSize.STANDARD.resolution(),
            MnasNetSize.STANDARD.resolution(),
            1000);

    /**
     * The thin network linear regions are counted on: width 0.25 (filters round up to at least 8,
     * as the TPU code does) on 16x16 inputs, small enough for 1,000 samples at a time.
     */
    static final NetworkShape THIN = new NetworkShape(8, 1, 3, 3, 3, 10);

    @Override
    public SearchSpace<MnasArch> space() {
        return MnasNetSpace.INSTANCE;
    }

    @Override
    public Layer network(MnasArch architecture, NetworkShape shape, long seed) {
        return MnasNetNetwork.of(architecture, size(shape), seed);
    }

    /** The MnasNet size of a shape: square inputs of its height, width = channels / 32. */
    public static MnasNetSize size(NetworkShape shape) {
        if (shape.height() != shape.width()) {
            throw new IllegalArgumentException(
                    "MnasNet networks take square inputs, got " + shape.height() + "x" + shape.width());
        }
        return new MnasNetSize(
                shape.height(),
                shape.channels() / (double) MnasSkeleton.STEM_FILTERS,
                shape.classes(),
                shape.inputChannels());
    }

    /** Stem, each layer of the 7 blocks, head: see {@link MnasNetLatencyBlocks}. */
    @Override
    public Optional<LatencyBlocks<MnasArch>> latencyBlocks() {
        return Optional.of(new MnasNetLatencyBlocks());
    }

    @Override
    public NetworkShape thin() {
        return THIN;
    }

    @Override
    public NetworkShape standard() {
        return STANDARD;
    }

    @Override
    public String shapeMeaning() {
        return "channels = the stem's filters (32 x width multiplier; 8 = width 0.25), cells unused, "
                + "inputs at the shape's resolution";
    }
}
