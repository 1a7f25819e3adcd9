package io.archipelago.models.nn;

import java.util.List;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Squeeze-and-excitation (Hu et al., 2018) as MnasNet uses it: global average pooling, a 1x1
 * reduction with bias, ReLU, a 1x1 expansion with bias, sigmoid, and the input scaled channel by
 * channel by those gates. The 1x1 convolutions act on the pooled 1x1 map, so they are {@link
 * Linear} layers on the pooled vector (same weights and biases as PyTorch's {@code Conv2d(c, r,
 * 1)}, whose count they also have).
 *
 * <p>A sample's gates depend on that sample alone, so the backward is the same in both batch-norm
 * modes: the cotangent reaches the input directly (scaled by the gates) and through the gates
 * (the cotangent times the input, summed over positions, back through the excitation).
 */
public final class SqueezeExcite implements Layer {
    private final Layer excite;
    private INDArray input; // [B, C, H, W]
    private INDArray gates; // [B, C]

    /**
     * @param name prefix of the parameters: {@code name.reduce.weight}, {@code name.reduce.bias},
     *     {@code name.expand.weight}, {@code name.expand.bias}
     * @param random draws the reduction's weights, then the expansion's
     */
    public SqueezeExcite(String name, int channels, int reduced, RandomGenerator random) {
        if (channels <= 0 || reduced <= 0) {
            throw new IllegalArgumentException(
                    "invalid squeeze-and-excitation: channels=" + channels + ", reduced=" + reduced);
        }
        this.excite = new Sequential(
                new GlobalAvgPool(),
                new Linear(name + ".reduce", channels, reduced, random),
                new Relu(),
                new Linear(name + ".expand", reduced, channels, random),
                new Sigmoid());
    }

    @Override
    public INDArray forward(INDArray x, Pass pass) {
        input = x;
        gates = excite.forward(x, pass);
        return x.mul(gates.reshape(x.size(0), x.size(1), 1, 1));
    }

    @Override
    public INDArray backward(INDArray dy, Pass pass) {
        INDArray grouped = pass.grouped(dy); // [K, M, C, H, W]
        INDArray gateLayout = pass.layout(gates); // [K, 1, C] or [1, M, C]
        INDArray gates5 = gateLayout.reshape(gateLayout.size(0), gateLayout.size(1), gateLayout.size(2), 1, 1);
        INDArray dx = Nd4j.createUninitialized(dy.dataType(), dy.shape());
        grouped.mul(gates5, pass.grouped(dx)); // written through a view: dx stays releasable
        INDArray product = grouped.mul(pass.layout(input));
        INDArray dGates = product.sum(3, 4).reshape(dy.size(0), dy.size(1));
        Tensors.release(product);
        INDArray throughGates = excite.backward(dGates, pass);
        dx.addi(throughGates);
        Tensors.release(throughGates, dGates);
        return dx;
    }

    @Override
    public void collectParameters(List<Parameter> out) {
        excite.collectParameters(out);
    }
}
