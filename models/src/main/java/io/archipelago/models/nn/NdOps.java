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
