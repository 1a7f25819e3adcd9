package io.archipelago.models.nb201;

import io.archipelago.core.nb201.MixedCell;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.models.nn.BatchNorm2d;
import io.archipelago.models.nn.Conv2d;
import io.archipelago.models.nn.GlobalAvgPool;
import io.archipelago.models.nn.Init;
import io.archipelago.models.nn.Layer;
import io.archipelago.models.nn.Linear;
import io.archipelago.models.nn.Networks;
import io.archipelago.models.nn.Parameter;
import io.archipelago.models.nn.Pass;
import io.archipelago.models.nn.Relu;
import io.archipelago.models.nn.Sequential;
import io.archipelago.models.space.NetworkShape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The NAS-Bench-201 network of a cell, at initialisation: a 3x3 stem conv + BN; three stages of N
 * cells with C, 2C and 4C channels and a residual reduction block between stages; BN, ReLU, global
 * average pooling and a linear classifier. Convolutions are Kaiming-normal initialised from
 * {@code seed} and each parameter's name ({@link Init#random}), so the same (cell, shape, seed)
 * gives the same weights, and an op keeps its weights when other ops are added or removed.
 *
 * <p>Not thread-safe: one pass at a time (layers cache activations for backward).
 */
public final class Nb201Network implements Layer {
    private final NetworkShape shape;
    private final Layer body;
    private final List<Parameter> parameters;

    private Nb201Network(NetworkShape shape, MixedCell cell, long seed) {
        this.shape = shape;
        List<Layer> layers = new ArrayList<>();
        int c = shape.channels();
        layers.add(new Conv2d("stem.conv", shape.inputChannels(), c, 3, 1, Init.random(seed, "stem.conv")));
        layers.add(new BatchNorm2d("stem.bn", c));
        for (int stage = 0; stage < 3; stage++) {
            if (stage > 0) {
                layers.add(new ResidualReduction("reduction" + stage, c, 2 * c, seed));
                c *= 2;
            }
            for (int i = 0; i < shape.cellsPerStage(); i++) {
                layers.add(new CellLayer("stage" + stage + ".cell" + i, cell, c, seed));
            }
        }
        layers.add(new BatchNorm2d("head.bn", c));
        layers.add(new Relu());
        layers.add(new GlobalAvgPool());
        layers.add(new Linear("head.classifier", c, shape.classes(), Init.random(seed, "head.classifier")));
        this.body = new Sequential(layers);
        List<Parameter> all = new ArrayList<>();
        body.collectParameters(all);
        this.parameters = Collections.unmodifiableList(all);
    }

    public static Nb201Network of(Nb201Cell cell, NetworkShape shape, long seed) {
        return new Nb201Network(shape, MixedCell.of(cell), seed);
    }

    public static Nb201Network of(MixedCell cell, NetworkShape shape, long seed) {
        return new Nb201Network(shape, cell, seed);
    }

    public NetworkShape shape() {
        return shape;
    }

    public List<Parameter> parameters() {
        return parameters;
    }

    public long parameterCount() {
        return Networks.parameterCount(parameters);
    }

    /** Logits {@code [B, classes]} of images {@code [B, C, H, W]}. */
    @Override
    public INDArray forward(INDArray images, Pass pass) {
        Networks.requireImages(images, shape.inputChannels(), shape.height(), shape.width());
        return body.forward(images, pass);
    }

    /**
     * Backward of the cotangents of the logits, {@code [K*M, classes]} in the pass's layout; the
     * pass's sink receives every parameter's per-cotangent gradient.
     */
    @Override
    public INDArray backward(INDArray logitCotangents, Pass pass) {
        return body.backward(logitCotangents, pass);
    }

    @Override
    public void collectParameters(List<Parameter> out) {
        out.addAll(parameters);
    }
}
