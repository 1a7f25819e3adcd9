package io.archipelago.models.nn;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Square average pooling that averages over unpadded elements only (as NAS-Bench-201). */
public final class AvgPool2d implements Layer {
    private final int kernel;
    private final int stride;
    private final int pad;
    private long[] inputShape;

    public AvgPool2d(int kernel, int stride, int pad) {
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
    }

    @Override
    public INDArray forward(INDArray x, Pass pass) {
        inputShape = x.shape();
        return NdOps.avgPool(x, kernel, stride, pad);
    }

    @Override
    public INDArray backward(INDArray dy, Pass pass) {
        long[] shape = inputShape.clone();
        shape[0] = dy.size(0);
        return NdOps.avgPoolBackward(shape, dy, kernel, stride, pad);
    }

    @Override
    public void collectParameters(List<Parameter> out) {}
}
