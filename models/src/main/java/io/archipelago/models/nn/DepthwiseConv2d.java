package io.archipelago.models.nn;

import java.util.List;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A depthwise convolution: one square k x k filter per channel (channel multiplier 1), no bias,
 * "same" padding {@code dilation * (k - 1) / 2} for odd kernels. The building block of DARTS's
 * separable and dilated convolutions and of MobileNet-style inverted bottlenecks. Weights are
 * {@code [channels, 1, k, k]} (PyTorch's layout for {@code groups = channels}), Kaiming-normal
 * with fan-in {@code k * k}.
 */
public final class DepthwiseConv2d implements Layer {
    private final Parameter weight;
    private final int stride;
    private final int pad;
    private final int dilation;
    private INDArray input;

    public DepthwiseConv2d(String name, int channels, int kernel, int stride, int dilation, RandomGenerator random) {
        if (channels <= 0 || kernel <= 0 || kernel % 2 == 0 || stride <= 0 || dilation <= 0) {
            throw new IllegalArgumentException("invalid depthwise convolution: channels=" + channels + ", kernel="
                    + kernel + " (odd), stride=" + stride + ", dilation=" + dilation);
        }
        this.weight = new Parameter(
                name, Init.normal(random, Math.sqrt(2.0 / (kernel * kernel)), channels, 1, kernel, kernel));
        this.stride = stride;
        this.dilation = dilation;
        this.pad = dilation * (kernel - 1) / 2;
    }

    public Parameter weight() {
        return weight;
    }

    @Override
    public INDArray forward(INDArray x, Pass pass) {
        input = x;
        return DepthwiseKernel.forward(x, weight.value(), stride, pad, dilation);
    }

    /** Every cotangent's input and weight gradients in one pass over the planes ({@link DepthwiseKernel}). */
    @Override
    public INDArray backward(INDArray dy, Pass pass) {
        INDArray dx = Nd4j.createUninitialized(dy.dataType(), dy.size(0), input.size(1), input.size(2), input.size(3));
        INDArray dw = DepthwiseKernel.backward(
                input, weight.value(), dy, pass.cotangents(), pass.samplesPerCotangent(), stride, pad, dilation, dx);
        pass.gradient(weight, dw);
        return dx;
    }

    @Override
    public void collectParameters(List<Parameter> out) {
        out.add(weight);
    }
}
