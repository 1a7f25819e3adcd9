package io.archipelago.models.supernet;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Square convolutions without bias on ND4J's libnd4j kernels (oneDNN on the CPU backend for
 * float), NCHW activations and OIHW weights, results written into the caller's buffers.
 *
 * <p>NCHW rather than channels-last: measured here (B=64, 1 thread, CPU time) NHWC convs were at
 * best 10-30% faster forward and slower backward at C=16, within this machine's noise, and the
 * Java batch-norm loops run on contiguous channel planes in NCHW.
 */
final class DeviceConv {
    private static final int NCHW = 0;
    private static final int OIHW = 1;

    private DeviceConv() {}

    private static int[] args(int k, int stride, int pad) {
        return new int[] {k, k, stride, stride, pad, pad, 1, 1, 0, NCHW, OIHW};
    }

    static void forward(INDArray input, INDArray weights, INDArray output, int stride, int pad) {
        Nd4j.exec(DynamicCustomOp.builder("conv2d")
                .addInputs(input, weights)
                .addOutputs(output)
                .addIntegerArguments(args((int) weights.size(2), stride, pad))
                .build());
    }

    /** The input gradient into {@code inputGrad}, the weight gradient into {@code weightGrad}. */
    static void backward(INDArray input, INDArray weights, INDArray outputGrad, int stride, int pad,
                         INDArray inputGrad, INDArray weightGrad) {
        Nd4j.exec(DynamicCustomOp.builder("conv2d_bp")
                .addInputs(input, weights, outputGrad)
                .addOutputs(inputGrad, weightGrad)
                .addIntegerArguments(args((int) weights.size(2), stride, pad))
                .build());
    }
}
