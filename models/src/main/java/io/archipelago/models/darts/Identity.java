package io.archipelago.models.darts;

import io.archipelago.models.nn.Layer;
import io.archipelago.models.nn.Parameter;
import io.archipelago.models.nn.Pass;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DARTS's {@code skip_connect} at stride 1. Returns its argument itself, in both directions:
 * callers must not write into what it returns (the cell sums into fresh arrays).
 */
final class Identity implements Layer {
    @Override
    public INDArray forward(INDArray x, Pass pass) {
        return x;
    }

    @Override
    public INDArray backward(INDArray dy, Pass pass) {
        return dy;
    }

    @Override
    public void collectParameters(List<Parameter> out) {}
}
