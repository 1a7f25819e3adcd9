package io.archipelago.core.mnasnet;

import java.util.List;

/**
 * One architecture of the MnasNet space: the choices of its 7 blocks (see {@link MnasSkeleton}
 * for the fixed parts and what each block may choose).
 */
public record MnasArch(List<MnasBlock> blocks) {
    /**
     * MnasNet-A1 as the TPU repo's {@code mnasnet_a1} writes it: {@code r1_k3_s11_e1_i32_o16_noskip,
     * r2_k3_s22_e6_i16_o24, r3_k5_s22_e3_i24_o40_se0.25, r4_k3_s22_e6_i40_o80,
     * r2_k3_s11_e6_i80_o112_se0.25, r3_k5_s22_e6_i112_o160_se0.25, r1_k3_s11_e6_i160_o320}.
     */
    public static final MnasArch MNASNET_A1 = new MnasArch(List.of(
            new MnasBlock(MnasOp.SEPCONV, 3, false, false, 16, 1),
            new MnasBlock(MnasOp.MBCONV6, 3, false, true, 24, 2),
            new MnasBlock(MnasOp.MBCONV3, 5, true, true, 40, 3),
            new MnasBlock(MnasOp.MBCONV6, 3, false, true, 80, 4),
            new MnasBlock(MnasOp.MBCONV6, 3, true, true, 112, 2),
            new MnasBlock(MnasOp.MBCONV6, 5, true, true, 160, 3),
            new MnasBlock(MnasOp.MBCONV6, 3, false, true, 320, 1)));

    /**
     * MnasNet-B1 (torchvision's {@code mnasnet1_0}) as the TPU repo's {@code mnasnet_b1} writes
     * it: {@code r1_k3_s11_e1_i32_o16_noskip, r3_k3_s22_e3_i16_o24, r3_k5_s22_e3_i24_o40,
     * r3_k5_s22_e6_i40_o80, r2_k3_s11_e6_i80_o96, r4_k5_s22_e6_i96_o192,
     * r1_k3_s11_e6_i192_o320_noskip}.
     */
    public static final MnasArch MNASNET_B1 = new MnasArch(List.of(
            new MnasBlock(MnasOp.SEPCONV, 3, false, false, 16, 1),
            new MnasBlock(MnasOp.MBCONV3, 3, false, true, 24, 3),
            new MnasBlock(MnasOp.MBCONV3, 5, false, true, 40, 3),
            new MnasBlock(MnasOp.MBCONV6, 5, false, true, 80, 3),
            new MnasBlock(MnasOp.MBCONV6, 3, false, true, 96, 2),
            new MnasBlock(MnasOp.MBCONV6, 5, false, true, 192, 4),
            new MnasBlock(MnasOp.MBCONV6, 3, false, false, 320, 1)));

    /** @throws IllegalArgumentException when there are not 7 blocks or a choice is not one of its block's */
    public MnasArch {
        blocks = List.copyOf(blocks);
        if (blocks.size() != MnasSkeleton.BLOCKS) {
            throw new IllegalArgumentException(
                    "a MnasNet architecture has " + MnasSkeleton.BLOCKS + " blocks, got " + blocks.size());
        }
        for (int b = 0; b < blocks.size(); b++) {
            MnasBlock block = blocks.get(b);
            if (!MnasSkeleton.KERNELS.contains(block.kernel())
                    || !MnasSkeleton.filterChoices(b).contains(block.filters())
                    || !MnasSkeleton.layerChoices(b).contains(block.layers())) {
                throw new IllegalArgumentException("block " + (b + 1) + " " + block + " is not in the space: kernel "
                        + MnasSkeleton.KERNELS + ", filters " + MnasSkeleton.filterChoices(b) + ", layers "
                        + MnasSkeleton.layerChoices(b));
            }
        }
    }

    public MnasBlock block(int block) {
        return blocks.get(block);
    }

    /** The architecture with block {@code block} (0-based) replaced. */
    public MnasArch with(int block, MnasBlock replacement) {
        MnasBlock[] copy = blocks.toArray(new MnasBlock[0]);
        copy[block] = replacement;
        return new MnasArch(List.of(copy));
    }

    /** Filters entering block {@code block} (0-based), at width 1: the stem's or the previous block's. */
    public int inputFilters(int block) {
        return block == 0 ? MnasSkeleton.STEM_FILTERS : blocks.get(block - 1).filters();
    }

    /**
     * Whether layer {@code layer} of block {@code block} (both 0-based) adds its input to its
     * output: when the block's SkipOp is the identity and the layer keeps its input's shape
     * (stride 1 and as many filters out as in). Elsewhere the identity SkipOp is no residual, as
     * in the TPU code. Decided on the architecture's own filters (width 1), so every width of a
     * network has the same topology even where rounding makes other filter sizes equal.
     */
    public boolean hasResidual(int block, int layer) {
        MnasBlock b = blocks.get(block);
        if (!b.identitySkip()) {
            return false;
        }
        return layer > 0 || (MnasSkeleton.stride(block) == 1 && inputFilters(block) == b.filters());
    }

    /** Whether the block's SkipOp changes the network: some layer of it can have a residual. */
    public boolean skipMatters(int block) {
        MnasBlock b = blocks.get(block);
        return b.layers() > 1 || (MnasSkeleton.stride(block) == 1 && inputFilters(block) == b.filters());
    }

    @Override
    public String toString() {
        return MnasNetSpace.INSTANCE.format(this);
    }
}
