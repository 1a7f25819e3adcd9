package io.archipelago.models.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The libnd4j kernels the layers need, called directly (NCHW activations, OIHW weights), so the
 * CPU backend's oneDNN implementations run and outputs can be written into views without copies.
 */
final class NdOps {
    private static final int NCHW = 0;
    private static final int OIHW = 1;

    private NdOps() {}

    private static int[] convArgs(long k, int stride, int pad) {
        return new int[] {(int) k, (int) k, stride, stride, pad, pad, 1, 1, 0, NCHW, OIHW};
    }

    static INDArray conv2d(INDArray input, INDArray weights, int stride, int pad) {
        return Nd4j.exec(DynamicCustomOp.builder("conv2d")
                .addInputs(input, weights)
                .addIntegerArguments(convArgs(weights.size(2), stride, pad))
                .build())[0];
    }

    /** Writes the input gradient into {@code inputGrad} and the weight gradient into {@code weightGrad}. */
    static void conv2dBackward(
            INDArray input,
            INDArray weights,
            INDArray outputGrad,
            int stride,
            int pad,
            INDArray inputGrad,
            INDArray weightGrad) {
        Nd4j.exec(DynamicCustomOp.builder("conv2d_bp")
                .addInputs(input, weights, outputGrad)
                .addOutputs(inputGrad, weightGrad)
                .addIntegerArguments(convArgs(weights.size(2), stride, pad))
                .build());
    }

    private static int[] depthwiseArgs(long k, int stride, int pad, int dilation) {
        return new int[] {(int) k, (int) k, stride, stride, pad, pad, dilation, dilation, 0, NCHW, OIHW};
    }

    /**
     * Depthwise convolution (one k x k filter per channel, channel multiplier 1). Weights are
     * {@code [C, 1, k, k]} as PyTorch keeps them; libnd4j's weight format 1 reads {@code [1, C, k, k]},
     * which is the same memory.
     */
    static INDArray depthwiseConv2d(INDArray input, INDArray weights, int stride, int pad, int dilation) {
        INDArray w = weights.reshape(1, weights.size(0), weights.size(2), weights.size(3));
        return Nd4j.exec(DynamicCustomOp.builder("depthwise_conv2d")
                .addInputs(input, w)
                .addIntegerArguments(depthwiseArgs(weights.size(2), stride, pad, dilation))
                .build())[0];
    }

    /** Writes the input gradient into {@code inputGrad} and the weight gradient ({@code [C, 1, k, k]}) into {@code weightGrad}. */
    static void depthwiseConv2dBackward(
            INDArray input,
            INDArray weights,
            INDArray outputGrad,
            int stride,
            int pad,
            int dilation,
            INDArray inputGrad,
            INDArray weightGrad) {
        long[] view = {1, weights.size(0), weights.size(2), weights.size(3)};
        Nd4j.exec(DynamicCustomOp.builder("depthwise_conv2d_bp")
                .addInputs(input, weights.reshape(view), outputGrad)
                .addOutputs(inputGrad, weightGrad.reshape(view))
                .addIntegerArguments(depthwiseArgs(weights.size(2), stride, pad, dilation))
                .build());
    }

    private static int[] poolArgs(int k, int stride, int pad) {
        // extraParam0 = 0: average over the valid (unpadded) elements only, as NAS-Bench-201 does.
        return new int[] {k, k, stride, stride, pad, pad, 1, 1, 0, 0, NCHW};
    }

    static INDArray avgPool(INDArray input, int k, int stride, int pad) {
        return Nd4j.exec(DynamicCustomOp.builder("avgpool2d")
                .addInputs(input)
                .addIntegerArguments(poolArgs(k, stride, pad))
                .build())[0];
    }

    /** Average pooling is linear: its backward needs only the input's shape, not its values. */
    static INDArray avgPoolBackward(long[] inputShape, INDArray outputGrad, int k, int stride, int pad) {
        INDArray shapeOnly = Nd4j.createUninitialized(outputGrad.dataType(), inputShape);
        INDArray inputGrad = Nd4j.createUninitialized(outputGrad.dataType(), inputShape);
        Nd4j.exec(DynamicCustomOp.builder("avgpool2d_bp")
                .addInputs(shapeOnly, outputGrad)
                .addOutputs(inputGrad)
                .addIntegerArguments(poolArgs(k, stride, pad))
                .build());
        Tensors.release(shapeOnly);
        return inputGrad;
    }
}
