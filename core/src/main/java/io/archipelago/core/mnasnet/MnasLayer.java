package io.archipelago.core.mnasnet;

/**
 * One layer of a MnasNet block at a given size: what a network builds and what {@link MnasCost}
 * counts, so the two cannot disagree on a layer's shapes.
 *
 * @param name where the layer sits, e.g. {@code block3.layer2} (1-based)
 * @param seReduced channels squeeze-and-excitation reduces to; 0 when the layer has none
 * @param residual whether the layer adds its input to its output
 */
public record MnasLayer(
        String name,
        MnasOp op,
        int kernel,
        int stride,
        int inFilters,
        int outFilters,
        int seReduced,
        boolean residual) {

    /** Channels of the depthwise stage: input x expansion ({@code sep}: the input's); 0 for {@code conv}. */
    public int expanded() {
        return op == MnasOp.CONV ? 0 : inFilters * op.expansion();
    }

    /** Channels squeeze-and-excitation gates: the depthwise stage's, or a regular conv's output. */
    public int seChannels() {
        return op == MnasOp.CONV ? outFilters : expanded();
    }

    /** Side of the output of an input of side {@code side}: "same" padding, ceil(side / stride). */
    public int outputResolution(int side) {
        return (side + stride - 1) / stride;
    }
}
