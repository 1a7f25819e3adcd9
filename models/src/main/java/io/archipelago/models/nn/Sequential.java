package io.archipelago.models.nn;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

public final class Sequential implements Layer {
    private final List<Layer> layers;

    public Sequential(List<Layer> layers) {
        this.layers = List.copyOf(layers);
    }

    public Sequential(Layer... layers) {
        this(List.of(layers));
    }

    @Override
    public INDArray forward(INDArray x, Pass pass) {
        for (Layer layer : layers) {
            x = layer.forward(x, pass);
        }
        return x;
    }

    @Override
    public INDArray backward(INDArray dy, Pass pass) {
        INDArray current = dy;
        for (int i = layers.size() - 1; i >= 0; i--) {
            INDArray next = layers.get(i).backward(current, pass);
            if (current != dy && current != next) {
                Tensors.release(current); // an intermediate this sequence owns
            }
            current = next;
        }
        return current;
    }

    @Override
    public void collectParameters(List<Parameter> out) {
        for (Layer layer : layers) {
            layer.collectParameters(out);
        }
    }
}
