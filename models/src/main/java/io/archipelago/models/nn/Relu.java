package io.archipelago.models.nn;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

public final class Relu implements Layer {
    private INDArray mask; // 1 where the input was positive

    @Override
    public INDArray forward(INDArray x, Pass pass) {
        mask = x.gt(0).castTo(x.dataType());
        pass.recordRelu(mask.reshape(x.size(0), -1));
        return Transforms.relu(x, true);
    }

    @Override
    public INDArray backward(INDArray dy, Pass pass) {
        INDArray dx = Nd4j.createUninitialized(dy.dataType(), dy.shape());
        pass.grouped(dy).mul(pass.layout(mask), pass.grouped(dx)); // written through a view: dx stays releasable
        return dx;
    }

    @Override
    public void collectParameters(List<Parameter> out) {}
}
