package io.archipelago.models.nn;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The logistic function, elementwise; squeeze-and-excitation's gate. */
public final class Sigmoid implements Layer {
    private INDArray slope; // s (1 - s) of the forward output s

    @Override
    public INDArray forward(INDArray x, Pass pass) {
        INDArray s = Transforms.sigmoid(x, true);
        slope = s.rsub(1).muli(s);
        return s;
    }

    /** Elementwise, so samples do not interact: each cotangent is scaled by the slope of its own sample(s). */
    @Override
    public INDArray backward(INDArray dy, Pass pass) {
        INDArray dx = Nd4j.createUninitialized(dy.dataType(), dy.shape());
        pass.grouped(dy).mul(pass.layout(slope), pass.grouped(dx)); // written through a view: dx stays releasable
        return dx;
    }

    @Override
    public void collectParameters(List<Parameter> out) {}
}
