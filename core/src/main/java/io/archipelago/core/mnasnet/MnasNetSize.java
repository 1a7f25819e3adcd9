package io.archipelago.core.mnasnet;

import java.util.ArrayList;
import java.util.List;

/**
 * The size a MnasNet architecture is built at: square inputs of {@code resolution} pixels and
 * {@code inputChannels} channels, filters scaled by {@code widthMultiplier} (see {@link
 * MnasSkeleton#roundFilters}), {@code classes} outputs.
 */
public record MnasNetSize(int resolution, double widthMultiplier, int classes, int inputChannels) {
    /** The published size: 224x224 RGB images, width 1.0, 1000 ImageNet classes. */
    public static final MnasNetSize STANDARD = new MnasNetSize(224, 1.0, 1000, 3);

    public MnasNetSize {
        if (resolution < 1
                || !(widthMultiplier > 0)
                || Double.isInfinite(widthMultiplier)
                || classes < 1
                || inputChannels < 1) {
            throw new IllegalArgumentException("invalid MnasNet size: resolution " + resolution + ", width "
                    + widthMultiplier + ", classes " + classes + ", input channels " + inputChannels);
        }
    }

    public int stemFilters() {
        return MnasSkeleton.roundFilters(MnasSkeleton.STEM_FILTERS, widthMultiplier);
    }

    /** Side of the stem's output: a "same"-padded stride-2 conv gives ceil(resolution / 2). */
    public int stemResolution() {
        return (resolution + 1) / 2;
    }

    /**
     * Every layer of the 7 blocks of {@code arch} at this size, in order. Squeeze-and-excitation
     * reduces to {@code max(1, int(inFilters * 0.25))} channels of the layer's (rounded) input
     * filters, as the TPU code does, whatever the channels it gates.
     */
    public List<MnasLayer> layers(MnasArch arch) {
        List<MnasLayer> out = new ArrayList<>();
        int in = stemFilters();
        for (int b = 0; b < MnasSkeleton.BLOCKS; b++) {
            MnasBlock block = arch.block(b);
            int filters = MnasSkeleton.roundFilters(block.filters(), widthMultiplier);
            for (int l = 0; l < block.layers(); l++) {
                int reduced = block.squeezeExcite() ? Math.max(1, (int) (in * MnasSkeleton.SE_RATIO)) : 0;
                out.add(new MnasLayer(
                        "block" + (b + 1) + ".layer" + (l + 1),
                        block.op(),
                        block.kernel(),
                        l == 0 ? MnasSkeleton.stride(b) : 1,
                        in,
                        filters,
                        reduced,
                        arch.hasResidual(b, l)));
                in = filters;
            }
        }
        return out;
    }
}
