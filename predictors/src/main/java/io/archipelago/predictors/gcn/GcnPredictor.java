package io.archipelago.predictors.gcn;

import io.archipelago.core.predictor.Predictor;
import io.archipelago.core.predictor.PredictorModel;
import io.archipelago.core.space.GraphEncoding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The GCN performance predictor (Wen et al., "Neural Predictor for Neural Architecture Search";
 * the GCN predictor of NASLib): a {@link GcnEncoder} embeds the architecture's graph and an MLP
 * head regresses the normalised target. Trained full-batch with Adam on the MSE plus a pairwise
 * logistic ranking loss, since the model is only ever used to order architectures.
 *
 * <p>Targets are normalised by rank, not z-scored: NAS-Bench-201 has cells near 10% accuracy
 * whose z-scores dominate the MSE and compress the differences among the good cells, which are
 * the ones a search has to order.
 *
 * @param <A> the architecture type
 */
public final class GcnPredictor<A> implements Predictor<A> {
    private final Function<A, GraphEncoding> graphs;
    private final GcnSettings settings;

    /** @param graphs the graph view of an architecture, e.g. {@code Nb201Space.INSTANCE::graph} */
    public GcnPredictor(Function<A, GraphEncoding> graphs, GcnSettings settings) {
        this.graphs = graphs;
        this.settings = settings;
    }

    public GcnPredictor(Function<A, GraphEncoding> graphs) {
        this(graphs, GcnSettings.DEFAULTS);
    }

    @Override
    public String name() {
        return "gcn";
    }

    @Override
    public PredictorModel<A> fit(List<A> architectures, double[] targets, long seed) {
        Predictor.checkObservations(architectures, targets);
        List<GraphEncoding> encoded = architectures.stream().map(graphs).toList();
        int labels = encoded.get(0).labels().size();
        float[] y = normalise(targets);
        SplittableRandom random = new SplittableRandom(seed);
        Network network = new Network(
                new GcnEncoder(labels, settings.hidden(), settings.layers(), random),
                new Dense(settings.hidden(), settings.headHidden(), random),
                new Dense(settings.headHidden(), 1, random));
        Adam adam = new Adam(network.parameters(), settings.learningRate(), settings.weightDecay());
        Training.run(
                encoded,
                labels,
                settings.epochs(),
                settings.batchSize(),
                random,
                adam,
                (batch, rows) -> network.accumulate(batch, y, rows, settings.rankingWeight()));
        return new Model<>(graphs, network.copy());
    }

    /**
     * Ranks mapped to evenly spaced values with mean 0 and variance 1 (tied targets share their
     * mean rank); all zeros when every target is the same.
     */
    static float[] normalise(double[] targets) {
        int n = targets.length;
        Integer[] order = new Integer[n];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Double.compare(targets[a], targets[b]));
        double[] ranks = new double[n];
        for (int start = 0; start < n; ) {
            int end = start;
            while (end + 1 < n && targets[order[end + 1]] == targets[order[start]]) {
                end++;
            }
            for (int k = start; k <= end; k++) {
                ranks[order[k]] = (start + end) / 2.0;
            }
            start = end + 1;
        }
        double mean = (n - 1) / 2.0;
        double variance = Arrays.stream(ranks).map(r -> (r - mean) * (r - mean)).sum() / n;
        double scale = variance > 0 ? Math.sqrt(variance) : 1;
        float[] normalised = new float[n];
        for (int i = 0; i < n; i++) {
            normalised[i] = (float) ((ranks[i] - mean) / scale);
        }
        return normalised;
    }

    /** Encoder and regression head. */
    private record Network(GcnEncoder encoder, Dense hidden, Dense out) {

        List<Parameter> parameters() {
            List<Parameter> parameters = new ArrayList<>(encoder.parameters());
            parameters.addAll(hidden.parameters());
            parameters.addAll(out.parameters());
            return parameters;
        }

        Network copy() {
            return new Network(encoder.copy(), hidden.copy(), out.copy());
        }

        /** The head's input and output for a batch, and the encoder pass behind them. */
        private record Forward(GcnEncoder.Encoded encoded, float[] hidden, float[] scores) {}

        Forward forward(GraphBatch batch) {
            GcnEncoder.Encoded encoded = encoder.forward(batch);
            float[] h = hidden.forward(encoded.embeddings(), batch.size());
            Matrices.relu(h);
            return new Forward(encoded, h, out.forward(h, batch.size()));
        }

        /** Adds the gradients of MSE + {@code rankingWeight} × ranking loss on {@code batch}. */
        void accumulate(GraphBatch batch, float[] y, int[] rows, double rankingWeight) {
            int b = rows.length;
            Forward forward = forward(batch);
            float[] score = forward.scores();
            float[] dScore = new float[b];
            for (int i = 0; i < b; i++) {
                dScore[i] = 2 * (score[i] - y[rows[i]]) / b;
            }
            int pairs = 0;
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < b; j++) {
                    pairs += y[rows[i]] > y[rows[j]] ? 1 : 0;
                }
            }
            if (rankingWeight > 0 && pairs > 0) {
                // mean over pairs with y_i > y_j of softplus(-(s_i - s_j)); its derivative in s_i
                // is -sigmoid(s_j - s_i)
                float scale = (float) (rankingWeight / pairs);
                for (int i = 0; i < b; i++) {
                    for (int j = 0; j < b; j++) {
                        if (y[rows[i]] > y[rows[j]]) {
                            float g = scale / (1f + (float) Math.exp(score[i] - score[j]));
                            dScore[i] -= g;
                            dScore[j] += g;
                        }
                    }
                }
            }
            float[] dh = out.backward(forward.hidden(), dScore, b, true);
            Matrices.reluBackward(forward.hidden(), dh);
            encoder.backward(
                    forward.encoded(), hidden.backward(forward.encoded().embeddings(), dh, b, true));
        }
    }

    /** A fitted GCN: a private copy of the trained network, only read by {@link #predict}. */
    private static final class Model<A> implements PredictorModel<A> {
        private final Function<A, GraphEncoding> graphs;
        private final Network network;

        Model(Function<A, GraphEncoding> graphs, Network network) {
            this.graphs = graphs;
            this.network = network;
        }

        @Override
        public double[] predict(List<A> architectures) {
            GraphBatch batch = GraphBatch.of(
                    architectures.stream().map(graphs).toList(),
                    network.encoder().labels());
            float[] scores = network.forward(batch).scores();
            double[] result = new double[scores.length];
            for (int i = 0; i < scores.length; i++) {
                result[i] = scores[i];
            }
            return result;
        }
    }
}
