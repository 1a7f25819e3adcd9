package io.archipelago.models.nn;

import java.util.List;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** A square convolution without bias ("same" padding for odd kernels), Kaiming-normal initialised. */
public final class Conv2d implements Layer {
    private final Parameter weight;
    private final int stride;
    private final int pad;
    private INDArray input;

    public Conv2d(String name, int inChannels, int outChannels, int kernel, int stride, RandomGenerator random) {
        // Kaiming normal, fan-in, for ReLU: std = sqrt(2 / fan_in).
        this.weight = new Parameter(
                name,
                Init.normal(
                        random,
                        Math.sqrt(2.0 / (inChannels * kernel * kernel)),
                        outChannels,
                        inChannels,
                        kernel,
                        kernel));
        this.stride = stride;
        this.pad = kernel / 2;
    }

    public Parameter weight() {
        return weight;
    }

    @Override
    public INDArray forward(INDArray x, Pass pass) {
        input = x;
        return NdOps.conv2d(x, weight.value(), stride, pad);
    }

    /**
     * One conv backward per cotangent over its M samples: it yields that cotangent's input
     * gradient and its weight gradient together (oneDNN's conv2d_bp is the fastest kernel here).
     */
    @Override
    public INDArray backward(INDArray dy, Pass pass) {
        int k = pass.cotangents();
        int m = pass.samplesPerCotangent();
        INDArray w = weight.value();
        INDArray dx = Nd4j.createUninitialized(dy.dataType(), dy.size(0), input.size(1), input.size(2), input.size(3));
        INDArray dw = Nd4j.createUninitialized(dy.dataType(), k, w.length());
        INDArray dwOne = Nd4j.createUninitialized(dy.dataType(), w.shape());
        for (int c = 0; c < k; c++) {
            INDArray samples = m == 1 ? input.get(NDArrayIndex.interval(c, c + 1)) : input;
            var rows = NDArrayIndex.interval((long) c * m, (long) (c + 1) * m);
            NdOps.conv2dBackward(samples, w, dy.get(rows), stride, pad, dx.get(rows), dwOne);
            dw.getRow(c).assign(dwOne.reshape(w.length()));
        }
        pass.gradient(weight, dw);
        return dx;
    }

    @Override
    public void collectParameters(List<Parameter> out) {
        out.add(weight);
    }
}
