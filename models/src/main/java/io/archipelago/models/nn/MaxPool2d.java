package io.archipelago.models.nn;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Square max pooling; padding never wins (as PyTorch pads max pooling with -inf). DARTS's {@code
 * max_pool_3x3} is {@code MaxPool2d(3, stride, 1)}.
 *
 * <p>Unlike average pooling its backward depends on the input: the gradient goes to each window's
 * maximum. With running statistics cotangent k lives on sample k alone; with batch statistics
 * each of the K cotangents spans all M samples, and it runs on the input repeated K times.
 */
public final class MaxPool2d implements Layer {
    private static final int NCHW = 0;
    private final int kernel;
    private final int stride;
    private final int pad;
    private INDArray input;

    public MaxPool2d(int kernel, int stride, int pad) {
        if (kernel <= 0 || stride <= 0 || pad < 0 || 2 * pad > kernel) {
            throw new IllegalArgumentException(
                    "invalid max pooling: kernel=" + kernel + ", stride=" + stride + ", pad=" + pad);
        }
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
    }

    private int[] args() {
        return new int[] {kernel, kernel, stride, stride, pad, pad, 1, 1, 0, 0, NCHW};
    }

    @Override
    public INDArray forward(INDArray x, Pass pass) {
        input = x;
        return Nd4j.exec(DynamicCustomOp.builder("maxpool2d")
                .addInputs(x)
                .addIntegerArguments(args())
                .build())[0];
    }

    @Override
    public INDArray backward(INDArray dy, Pass pass) {
        int k = pass.cotangents();
        int m = pass.samplesPerCotangent();
        INDArray dx = Nd4j.createUninitialized(dy.dataType(), dy.size(0), input.size(1), input.size(2), input.size(3));
        if (m == 1) {
            backward(input, dy, dx);
            return dx;
        }
        // Every cotangent spans the whole batch: the input repeated K times lines up with the
        // cotangents' rows (row c*M + s is sample s), and one call serves all K.
        INDArray repeated = Nd4j.tile(input, k, 1, 1, 1);
        backward(repeated, dy, dx);
        Tensors.release(repeated);
        return dx;
    }

    private void backward(INDArray samples, INDArray outputGrad, INDArray inputGrad) {
        Nd4j.exec(DynamicCustomOp.builder("maxpool2d_bp")
                .addInputs(samples, outputGrad)
                .addOutputs(inputGrad)
                .addIntegerArguments(args())
                .build());
    }

    @Override
    public void collectParameters(List<Parameter> out) {}
}
