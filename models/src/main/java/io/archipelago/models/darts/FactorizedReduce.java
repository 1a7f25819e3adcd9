package io.archipelago.models.darts;

import io.archipelago.models.nn.BatchNorm2d;
import io.archipelago.models.nn.Conv2d;
import io.archipelago.models.nn.Init;
import io.archipelago.models.nn.Layer;
import io.archipelago.models.nn.Parameter;
import io.archipelago.models.nn.Pass;
import io.archipelago.models.nn.Relu;
import io.archipelago.models.nn.Tensors;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * DARTS's {@code FactorizedReduce}: halves the resolution without losing every other pixel. ReLU,
 * then two 1x1 stride-2 convs to half the output channels each, the second on the input shifted
 * by one pixel ({@code x[:, :, 1:, 1:]}), concatenated over channels, then BN. It is the strided
 * {@code skip_connect} of reduction cells and the preprocessing of the older input after a
 * reduction. Inputs need even height and width (the two halves must come out the same size).
 */
final class FactorizedReduce implements Layer {
    private final Relu relu = new Relu();
    private final Conv2d even;
    private final Conv2d shifted;
    private final BatchNorm2d bn;
    private final int half;
    private long[] reluShape;

    FactorizedReduce(String name, int in, int out, long seed) {
        if (out % 2 != 0) {
            throw new IllegalArgumentException(name + ": FactorizedReduce needs an even output width, got " + out);
        }
        this.half = out / 2;
        this.even = new Conv2d(name + ".conv_1", in, half, 1, 2, Init.random(seed, name + ".conv_1"));
        this.shifted = new Conv2d(name + ".conv_2", in, half, 1, 2, Init.random(seed, name + ".conv_2"));
        this.bn = new BatchNorm2d(name + ".bn", out);
    }

    private static INDArrayIndex[] shift(long height, long width) {
        return new INDArrayIndex[] {
            NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(1, height), NDArrayIndex.interval(1, width)
        };
    }

    @Override
    public INDArray forward(INDArray x, Pass pass) {
        if (x.size(2) % 2 != 0 || x.size(3) % 2 != 0) {
            throw new IllegalArgumentException(
                    "FactorizedReduce needs even height and width, got " + x.size(2) + "x" + x.size(3));
        }
        INDArray r = relu.forward(x, pass);
        reluShape = r.shape();
        INDArray a = even.forward(r, pass);
        INDArray b = shifted.forward(r.get(shift(r.size(2), r.size(3))).dup(), pass);
        return bn.forward(Nd4j.concat(1, a, b), pass);
    }

    @Override
    public INDArray backward(INDArray dy, Pass pass) {
        INDArray d = bn.backward(dy, pass);
        INDArray dEven =
                d.get(NDArrayIndex.all(), NDArrayIndex.interval(0, half)).dup();
        INDArray dShifted = d.get(NDArrayIndex.all(), NDArrayIndex.interval(half, 2L * half))
                .dup();
        Tensors.release(d);
        INDArray dr = even.backward(dEven, pass);
        INDArray fromShifted = shifted.backward(dShifted, pass);
        dr.get(shift(reluShape[2], reluShape[3])).addi(fromShifted);
        Tensors.release(dEven, dShifted, fromShifted);
        INDArray dx = relu.backward(dr, pass);
        Tensors.release(dr);
        return dx;
    }

    @Override
    public void collectParameters(List<Parameter> out) {
        even.collectParameters(out);
        shifted.collectParameters(out);
        bn.collectParameters(out);
    }
}
