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

    /**
     * The input gradient into {@code inputGrad}, the weight gradient into {@code weightGrad}, by
     * libnd4j's {@code conv2d_bp}. Used for the strided convs only: see {@link #inputGradient}.
     */
    static void backward(
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
                .addIntegerArguments(args((int) weights.size(2), stride, pad))
                .build());
    }

    /**
     * The input gradient of a stride-1 conv as a forward conv of the output gradient with the
     * kernel transposed and flipped ({@code flipped} is {@code [in, out, k, k]}, from
     * {@link #flipTranspose}). With {@link #weightGradient} it replaces {@code conv2d_bp}, whose
     * oneDNN path measured 2-10 times slower here at 32x32 with few channels (the stem's 3-to-C
     * conv: 51 ms CPU per batch of 64 vs 3 ms, and the stem needs no input gradient at all).
     */
    static void inputGradient(INDArray outputGrad, INDArray flipped, INDArray inputGrad, int pad) {
        forward(outputGrad, flipped, inputGrad, 1, pad);
    }

    /**
     * The weight gradient of a stride-1 conv as a forward conv: the input with batch and channels
     * swapped ({@code [in, B, H, W]}) convolved with the output gradient likewise swapped
     * ({@code [out, B, H, W]}) as an H x W kernel, which gives {@code [in, out, k, k]} (k = 2 pad + 1).
     */
    static void weightGradient(INDArray inputT, INDArray outputGradT, INDArray weightGradT, int pad) {
        int h = (int) outputGradT.size(2), w = (int) outputGradT.size(3);
        Nd4j.exec(DynamicCustomOp.builder("conv2d")
                .addInputs(inputT, outputGradT)
                .addOutputs(weightGradT)
                .addIntegerArguments(h, w, 1, 1, pad, pad, 1, 1, 0, NCHW, OIHW)
                .build());
    }
}
