package io.archipelago.models.mnasnet;

import io.archipelago.core.mnasnet.MnasArch;
import io.archipelago.core.mnasnet.MnasLayer;
import io.archipelago.core.mnasnet.MnasNetSize;
import io.archipelago.core.mnasnet.MnasSkeleton;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The network of a MnasNet architecture at a {@link MnasNetSize}, at initialisation: a 3x3
 * stride-2 stem conv, BN, ReLU; the layers of the 7 blocks ({@link MnasNetLayer}, shapes from
 * {@link MnasNetSize#layers}, the same list {@link io.archipelago.core.mnasnet.MnasCost} counts);
 * a 1x1 head conv of 1280 filters, BN, ReLU; global average pooling and a linear classifier.
 * Weights are drawn from {@code seed} and each parameter's name ({@link Init#random}), so the
 * same (architecture, size, seed) gives the same weights. Built from the project's layers, so
 * backward gives every parameter's per-cotangent gradient (the NTK's per-sample gradients) in
 * both batch-norm modes.
 *
 * <p>Not thread-safe: one pass at a time (layers cache activations for backward).
 */
public final class MnasNetNetwork implements Layer {
    private final MnasArch arch;
    private final MnasNetSize size;
    private final Layer body;
    private final List<Parameter> parameters;

    private MnasNetNetwork(MnasArch arch, MnasNetSize size, long seed) {
        this.arch = arch;
        this.size = size;
        List<Layer> layers = new ArrayList<>();
        int stem = size.stemFilters();
        layers.add(new Conv2d("stem.conv", size.inputChannels(), stem, 3, 2, Init.random(seed, "stem.conv")));
        layers.add(new BatchNorm2d("stem.bn", stem));
        layers.add(new Relu());
        int last = stem;
        for (MnasLayer layer : size.layers(arch)) {
            layers.add(new MnasNetLayer(layer, seed));
            last = layer.outFilters();
        }
        int head = MnasSkeleton.HEAD_FILTERS;
        layers.add(new Conv2d("head.conv", last, head, 1, 1, Init.random(seed, "head.conv")));
        layers.add(new BatchNorm2d("head.bn", head));
        layers.add(new Relu());
        layers.add(new GlobalAvgPool());
        layers.add(new Linear("head.classifier", head, size.classes(), Init.random(seed, "head.classifier")));
        this.body = new Sequential(layers);
        List<Parameter> all = new ArrayList<>();
        body.collectParameters(all);
        this.parameters = Collections.unmodifiableList(all);
    }

    public static MnasNetNetwork of(MnasArch arch, MnasNetSize size, long seed) {
        return new MnasNetNetwork(arch, size, seed);
    }

    public MnasArch arch() {
        return arch;
    }

    public MnasNetSize size() {
        return size;
    }

    public List<Parameter> parameters() {
        return parameters;
    }

    public long parameterCount() {
        return Networks.parameterCount(parameters);
    }

    /** Logits {@code [B, classes]} of images {@code [B, inputChannels, resolution, resolution]}. */
    @Override
    public INDArray forward(INDArray images, Pass pass) {
        Networks.requireImages(images, size.inputChannels(), size.resolution(), size.resolution());
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
