package io.archipelago.models.nn;

import java.util.List;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A fully connected layer with bias, initialised as PyTorch does (uniform in ±1/sqrt(fan_in)). */
public final class Linear implements Layer {
    private final Parameter weight; // [out, in]
    private final Parameter bias; // [out]
    private INDArray input; // [B, in]

    public Linear(String name, int in, int out, RandomGenerator random) {
        double bound = 1 / Math.sqrt(in);
        this.weight = new Parameter(name + ".weight", Init.uniform(random, bound, out, in));
        this.bias = new Parameter(name + ".bias", Init.uniform(random, bound, out));
    }

    @Override
    public INDArray forward(INDArray x, Pass pass) {
        input = x;
        return x.mmul(weight.value().transpose()).addiRowVector(bias.value());
    }

    @Override
    public INDArray backward(INDArray dy, Pass pass) {
        if (pass.wantsGradients()) {
            long k = pass.cotangents();
            long m = pass.samplesPerCotangent();
            long out = dy.size(1);
            long in = input.size(1);
            INDArray grouped = pass.grouped(dy); // [K, M, out]
            INDArray dw;
            if (m == 1) {
                // cotangent k sees sample k only: an outer product per cotangent
                dw = Nd4j.matmul(grouped.reshape(k, out, 1), input.reshape(k, 1, in));
            } else {
                // every cotangent spans the whole batch: dW_k = dy_k^T x
                dw = grouped.permute(0, 2, 1).dup().reshape(k * out, m).mmul(input);
            }
            pass.gradient(weight, dw.reshape(k, out * in));
            pass.gradient(bias, grouped.sum(1));
        }
        return dy.mmul(weight.value());
    }

    @Override
    public void collectParameters(List<Parameter> out) {
        out.add(weight);
        out.add(bias);
    }
}
