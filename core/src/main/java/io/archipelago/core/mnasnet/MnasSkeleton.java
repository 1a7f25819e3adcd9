package io.archipelago.core.mnasnet;

import java.util.List;

/**
 * The fixed parts of the MnasNet space and the choices of each searched block.
 *
 * <p>Fixed: a 3x3 stride-2 stem conv of {@value #STEM_FILTERS} filters (BN, ReLU), 7 blocks with
 * MobileNetV2's strides (1, 2, 2, 2, 1, 2, 1), a 1x1 head conv of {@value #HEAD_FILTERS} filters
 * (BN, ReLU), global average pooling and a fully connected classifier with bias, as MnasNet-A1
 * and -B1 are published (TPU repo's {@code mnasnet_model.py}, torchvision's {@code mnasnet.py}).
 *
 * <p>Filter sizes and layer counts. The paper searches filters as {0.75, 1.0, 1.25} x and layers
 * as {-1, 0, +1} relative to MobileNetV2's blocks (16, 24, 32, 64, 96, 160, 320 filters; 1, 2,
 * 3, 4, 3, 3, 1 layers). The published networks are not all on that grid: MnasNet-A1's block 5
 * has 112 filters (96 x 1.17) and MnasNet-B1's block 6 has 192 (160 x 1.2). Each block therefore
 * has its own filter list: the paper's three multiples (all integers here), plus 112 in block 5
 * and 192 in block 6, so that A1 and B1 are members exactly. Layers are the paper's {-1, 0, +1}
 * around the baseline, but at least 1: a block of 0 layers would drop a stride of the skeleton.
 */
public final class MnasSkeleton {
    private MnasSkeleton() {}

    public static final int BLOCKS = 7;
    public static final int STEM_FILTERS = 32;
    /** Not scaled by the width multiplier, as in the TPU code and torchvision. */
    public static final int HEAD_FILTERS = 1280;
    /** The ratio of a block's squeeze-and-excitation, when it has one. */
    public static final double SE_RATIO = 0.25;

    /** Stride of each block's first layer: MobileNetV2's. */
    static final int[] STRIDES = {1, 2, 2, 2, 1, 2, 1};

    static final List<List<Integer>> FILTERS = List.of(
            List.of(12, 16, 20),
            List.of(18, 24, 30),
            List.of(24, 32, 40),
            List.of(48, 64, 80),
            List.of(72, 96, 112, 120),
            List.of(120, 160, 192, 200),
            List.of(240, 320, 400));

    static final List<List<Integer>> LAYERS = List.of(
            List.of(1, 2),
            List.of(1, 2, 3),
            List.of(2, 3, 4),
            List.of(3, 4, 5),
            List.of(2, 3, 4),
            List.of(2, 3, 4),
            List.of(1, 2));

    static final List<Integer> KERNELS = List.of(3, 5);

    /** The stride of block {@code block} (0-based). */
    public static int stride(int block) {
        return STRIDES[block];
    }

    /** The filter sizes block {@code block} (0-based) may have, ascending. */
    public static List<Integer> filterChoices(int block) {
        return FILTERS.get(block);
    }

    /** The layer counts block {@code block} (0-based) may have, ascending. */
    public static List<Integer> layerChoices(int block) {
        return LAYERS.get(block);
    }

    /**
     * Filters at a width multiplier, as the TPU code's {@code round_filters} with divisor 8: the
     * nearest multiple of 8, at least 8, and not more than 10% below {@code filters * width}. At
     * width 1 the architecture's own filters, unrounded (the TPU code without a depth multiplier),
     * so that MnasNet-A1 and -B1 come out as published and off-grid choices such as 12 or 18 stay.
     */
    public static int roundFilters(int filters, double width) {
        if (width == 1.0) {
            return filters;
        }
        double scaled = filters * width;
        int rounded = Math.max(8, (int) (scaled + 4) / 8 * 8);
        return rounded < 0.9 * scaled ? rounded + 8 : rounded;
    }
}
