package io.archipelago.models.darts;

import io.archipelago.core.darts.DartsCell;
import io.archipelago.core.darts.DartsCost;
import io.archipelago.core.darts.DartsGenotype;
import io.archipelago.models.nn.BatchNorm2d;
import io.archipelago.models.nn.Conv2d;
import io.archipelago.models.nn.GlobalAvgPool;
import io.archipelago.models.nn.Init;
import io.archipelago.models.nn.Layer;
import io.archipelago.models.nn.Linear;
import io.archipelago.models.nn.Networks;
import io.archipelago.models.nn.Parameter;
import io.archipelago.models.nn.Pass;
import io.archipelago.models.nn.Sequential;
import io.archipelago.models.nn.Tensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DARTS's evaluation network ({@code NetworkCIFAR} of model.py) of a genotype, at
 * initialisation: a 3x3 stem conv to 3C channels + BN; cells that each read the two previous
 * outputs (the stem's twice at first), reduction cells at {@code layers/3} and {@code 2*layers/3};
 * global average pooling and a linear classifier. The shape is a {@link DartsCost} (the network
 * whose parameters and FLOPs it counts); RGB inputs of {@code inputSize x inputSize}.
 * Convolutions are Kaiming-normal from {@code seed} and each parameter's name ({@link
 * Init#random}), so the same (genotype, shape, seed) gives the same weights.
 *
 * <p>Without DARTS's auxiliary head (a training device that the indicators at initialisation do
 * not use) and without drop path (off at initialisation). Not thread-safe: one pass at a time.
 */
public final class DartsNetwork implements Layer {
    private static final int STEM_MULTIPLIER = 3;
    private static final int RGB = 3;
    private final DartsCost shape;
    private final Layer stem;
    private final List<DartsCellLayer> cells = new ArrayList<>();
    private final Layer head;
    private final List<Parameter> parameters;

    private DartsNetwork(DartsGenotype genotype, DartsCost shape, long seed) {
        if (shape.auxiliary()) {
            throw new IllegalArgumentException(
                    "DartsNetwork does not build the auxiliary head; use a shape without it");
        }
        this.shape = shape;
        int c = shape.channels();
        int stemChannels = STEM_MULTIPLIER * c;
        this.stem = new Sequential(
                new Conv2d("stem.conv", RGB, stemChannels, 3, 1, Init.random(seed, "stem.conv")),
                new BatchNorm2d("stem.bn", stemChannels));
        int older = stemChannels;
        int previous = stemChannels;
        boolean previousReduced = false;
        for (int layer = 0; layer < shape.layers(); layer++) {
            boolean reduction = shape.reduces(layer);
            if (reduction) {
                c *= 2;
            }
            cells.add(new DartsCellLayer(
                    "cell" + layer,
                    reduction ? genotype.reduce() : genotype.normal(),
                    reduction,
                    older,
                    previousReduced,
                    previous,
                    c,
                    seed));
            previousReduced = reduction;
            older = previous;
            previous = DartsCell.NODES * c;
        }
        this.head = new Sequential(
                new GlobalAvgPool(),
                new Linear("classifier", previous, shape.classes(), Init.random(seed, "classifier")));
        List<Parameter> all = new ArrayList<>();
        stem.collectParameters(all);
        for (DartsCellLayer cell : cells) {
            cell.collectParameters(all);
        }
        head.collectParameters(all);
        this.parameters = Collections.unmodifiableList(all);
    }

    public static DartsNetwork of(DartsGenotype genotype, DartsCost shape, long seed) {
        return new DartsNetwork(genotype, shape, seed);
    }

    public DartsCost shape() {
        return shape;
    }

    public List<Parameter> parameters() {
        return parameters;
    }

    public long parameterCount() {
        return Networks.parameterCount(parameters);
    }

    /** Logits {@code [B, classes]} of images {@code [B, 3, inputSize, inputSize]}. */
    @Override
    public INDArray forward(INDArray images, Pass pass) {
        Networks.requireImages(images, RGB, shape.inputSize(), shape.inputSize());
        INDArray older = stem.forward(images, pass);
        INDArray previous = older;
        for (DartsCellLayer cell : cells) {
            INDArray out = cell.forward(older, previous, pass);
            older = previous;
            previous = out;
        }
        return head.forward(previous, pass);
    }

    /**
     * Backward of the logits' cotangents, {@code [K*M, classes]} in the pass's layout; the pass's
     * sink receives every parameter's per-cotangent gradient. Cell i's output feeds cells i+1 and
     * i+2, so its cotangent is complete once those two have run backward.
     */
    @Override
    public INDArray backward(INDArray logitCotangents, Pass pass) {
        int n = cells.size();
        INDArray[] grads = new INDArray[n + 1]; // grads[i + 1]: cell i's output; grads[0]: the stem's
        grads[n] = head.backward(logitCotangents, pass);
        for (int i = n - 1; i >= 0; i--) {
            INDArray[] inputs = cells.get(i).backward(grads[i + 1], pass);
            Tensors.release(grads[i + 1]);
            grads[i + 1] = null;
            int older = Math.max(i - 1, 0); // cells 0 and 1 read the stem as their older input
            accumulate(grads, older, inputs[0]);
            accumulate(grads, i, inputs[1]);
        }
        INDArray dx = stem.backward(grads[0], pass);
        Tensors.release(grads[0]);
        return dx;
    }

    private static void accumulate(INDArray[] grads, int state, INDArray cotangent) {
        if (grads[state] == null) {
            grads[state] = cotangent;
        } else {
            grads[state].addi(cotangent);
            Tensors.release(cotangent);
        }
    }

    @Override
    public void collectParameters(List<Parameter> out) {
        out.addAll(parameters);
    }
}
