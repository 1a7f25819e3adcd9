package io.archipelago.models.nn;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** [B, C, H, W] to [B, C] by averaging over positions. */
public final class GlobalAvgPool implements Layer {
    private long height;
    private long width;

    @Override
    public INDArray forward(INDArray x, Pass pass) {
        height = x.size(2);
        width = x.size(3);
        return x.mean(2, 3);
    }

    @Override
    public INDArray backward(INDArray dy, Pass pass) {
        INDArray dx = Nd4j.zeros(dy.dataType(), dy.size(0), dy.size(1), height, width);
        return dx.addi(dy.reshape(dy.size(0), dy.size(1), 1, 1)).divi(height * width);
    }

    @Override
    public void collectParameters(List<Parameter> out) {}
}
