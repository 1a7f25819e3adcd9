package io.archipelago.predictors.gcn;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The graph-convolution encoder shared by {@link GcnPredictor} and the NAC comparator:
 * {@code layers} bidirectional graph convolutions {@code H' = ReLU([P_f H | P_b H] W + b)} (Wen et
 * al.'s neural predictor: propagation along the edges and against them, each with its own half
 * of W; see {@link GraphBatch}), then the mean over each graph's nodes.
 *
 * <p>{@link #forward} only reads the weights, so a {@link #copy} that is never trained can serve
 * several threads.
 */
public final class GcnEncoder {
    private final int labels;
    private final int hidden;
    private final Dense[] layers;

    private GcnEncoder(int labels, int hidden, Dense[] layers) {
        this.labels = labels;
        this.hidden = hidden;
        this.layers = layers;
    }

    /**
     * @param labels node-feature width
     * @param hidden width of every node embedding
     * @param layers number of graph convolutions
     */
    public GcnEncoder(int labels, int hidden, int layers, SplittableRandom random) {
        this(labels, hidden, new Dense[layers]);
        if (labels < 1 || hidden < 1 || layers < 1) {
            throw new IllegalArgumentException(
                    "labels, hidden and layers must be positive, got " + labels + ", " + hidden + ", " + layers);
        }
        for (int l = 0; l < layers; l++) {
            this.layers[l] = new Dense(2 * (l == 0 ? labels : hidden), hidden, random);
        }
    }

    public int labels() {
        return labels;
    }

    public int hidden() {
        return hidden;
    }

    /** What a forward pass computed: the embeddings, and what {@link #backward} needs. */
    public static final class Encoded {
        private final GraphBatch batch;
        private final float[][] inputs; // per layer: [nodes, 2 * width], both propagations side by side
        private final float[][] outputs; // per layer: [nodes, hidden], after the ReLU
        private final float[] embeddings;

        private Encoded(GraphBatch batch, float[][] inputs, float[][] outputs, float[] embeddings) {
            this.batch = batch;
            this.inputs = inputs;
            this.outputs = outputs;
            this.embeddings = embeddings;
        }

        /** {@code [graphs, hidden]}, row-major; callers must not modify it before {@link #backward}. */
        public float[] embeddings() {
            return embeddings;
        }
    }

    /** Embeds every graph of {@code batch}. */
    public Encoded forward(GraphBatch batch) {
        if (batch.labels != labels) {
            throw new IllegalArgumentException(
                    "graphs have " + batch.labels + " node labels, the encoder expects " + labels);
        }
        int nodes = batch.nodes;
        float[][] inputs = new float[layers.length][];
        float[][] outputs = new float[layers.length][];
        float[] h = batch.features;
        int width = labels;
        for (int l = 0; l < layers.length; l++) {
            float[] both = new float[nodes * 2 * width];
            batch.forward.apply(h, width, both, 2 * width, 0);
            batch.backward.apply(h, width, both, 2 * width, width);
            h = layers[l].forward(both, nodes);
            Matrices.relu(h);
            inputs[l] = both;
            outputs[l] = h;
            width = hidden;
        }
        float[] embeddings = new float[batch.graphs * hidden];
        for (int g = 0; g < batch.graphs; g++) {
            float share = 1f / (batch.offset[g + 1] - batch.offset[g]);
            for (int node = batch.offset[g]; node < batch.offset[g + 1]; node++) {
                for (int c = 0; c < hidden; c++) {
                    embeddings[g * hidden + c] += share * h[node * hidden + c];
                }
            }
        }
        return new Encoded(batch, inputs, outputs, embeddings);
    }

    /** Adds the gradients of the weights for the embedding gradient {@code dEmbeddings} to theirs. */
    public void backward(Encoded encoded, float[] dEmbeddings) {
        GraphBatch batch = encoded.batch;
        int nodes = batch.nodes;
        float[] dh = new float[nodes * hidden];
        for (int g = 0; g < batch.graphs; g++) {
            float share = 1f / (batch.offset[g + 1] - batch.offset[g]);
            for (int node = batch.offset[g]; node < batch.offset[g + 1]; node++) {
                for (int c = 0; c < hidden; c++) {
                    dh[node * hidden + c] = share * dEmbeddings[g * hidden + c];
                }
            }
        }
        for (int l = layers.length - 1; l >= 0; l--) {
            Matrices.reluBackward(encoded.outputs[l], dh);
            float[] dBoth = layers[l].backward(encoded.inputs[l], dh, nodes, l > 0);
            if (l > 0) {
                dh = new float[nodes * hidden];
                batch.forward.applyTransposed(dBoth, 2 * hidden, 0, dh, hidden);
                batch.backward.applyTransposed(dBoth, 2 * hidden, hidden, dh, hidden);
            }
        }
    }

    public List<Parameter> parameters() {
        List<Parameter> parameters = new ArrayList<>();
        for (Dense layer : layers) {
            parameters.addAll(layer.parameters());
        }
        return parameters;
    }

    /** A copy with the current weights, for a fitted model that must not see later training. */
    public GcnEncoder copy() {
        Dense[] copies = new Dense[layers.length];
        for (int l = 0; l < layers.length; l++) {
            copies[l] = layers[l].copy();
        }
        return new GcnEncoder(labels, hidden, copies);
    }
}
