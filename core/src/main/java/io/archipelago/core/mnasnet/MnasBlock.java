package io.archipelago.core.mnasnet;

/**
 * The choices of one of the 7 searched blocks: every layer of the block uses the same ConvOp,
 * kernel, squeeze-and-excitation and skip op; the first layer has the block's stride and turns the
 * previous block's filters into this block's, the others keep both (stride 1).
 *
 * @param op the ConvOp
 * @param kernel 3 or 5
 * @param squeezeExcite whether the layers have squeeze-and-excitation of ratio {@value
 *     MnasSkeleton#SE_RATIO} (the SE ratio choice {0, 0.25})
 * @param identitySkip the SkipOp: an identity residual on every layer whose shapes allow it (see
 *     {@link MnasArch#hasResidual})
 * @param filters output filters of every layer of the block (at width multiplier 1)
 * @param layers number of layers
 */
public record MnasBlock(MnasOp op, int kernel, boolean squeezeExcite, boolean identitySkip, int filters, int layers) {
    public MnasBlock {
        if (op == null) {
            throw new IllegalArgumentException("a MnasNet block needs an op");
        }
    }

    public MnasBlock withOp(MnasOp op) {
        return new MnasBlock(op, kernel, squeezeExcite, identitySkip, filters, layers);
    }

    public MnasBlock withKernel(int kernel) {
        return new MnasBlock(op, kernel, squeezeExcite, identitySkip, filters, layers);
    }

    public MnasBlock withSqueezeExcite(boolean squeezeExcite) {
        return new MnasBlock(op, kernel, squeezeExcite, identitySkip, filters, layers);
    }

    public MnasBlock withIdentitySkip(boolean identitySkip) {
        return new MnasBlock(op, kernel, squeezeExcite, identitySkip, filters, layers);
    }

    public MnasBlock withFilters(int filters) {
        return new MnasBlock(op, kernel, squeezeExcite, identitySkip, filters, layers);
    }

    public MnasBlock withLayers(int layers) {
        return new MnasBlock(op, kernel, squeezeExcite, identitySkip, filters, layers);
    }
}
