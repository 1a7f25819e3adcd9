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
 * head regresses the standardised target. Trained with Adam on the MSE plus a pairwise logistic
 * ranking loss, since the model is only ever used to order architectures.
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
        float[] y = standardise(targets);
        SplittableRandom random = new SplittableRandom(seed);
        GcnEncoder encoder = new GcnEncoder(labels, settings.hidden(), settings.layers(), random);
        Dense hidden = new Dense(settings.hidden(), settings.headHidden(), random);
        Dense out = new Dense(settings.headHidden(), 1, random);
        List<Parameter> parameters = new ArrayList<>(encoder.parameters());
        parameters.addAll(hidden.parameters());
        parameters.addAll(out.parameters());
        Adam adam = new Adam(parameters, settings.learningRate(), settings.weightDecay());

        int n = encoded.size();
        int batchSize = settings.batchSize() == 0 ? n : Math.min(settings.batchSize(), n);
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        GraphBatch full = GraphBatch.of(encoded, labels);
        for (int epoch = 0; epoch < settings.epochs(); epoch++) {
            if (batchSize == n) {
                step(encoder, hidden, out, full, y, order);
                adam.step();
                continue;
            }
            shuffle(order, random);
            // a last batch of one graph has no pairs to rank and a noisy gradient: skip it
            for (int start = 0; start + 1 < n; start += batchSize) {
                int[] rows = Arrays.copyOfRange(order, start, Math.min(n, start + batchSize));
                step(encoder, hidden, out, GraphBatch.of(Arrays.stream(rows).mapToObj(encoded::get).toList(), labels), y, rows);
                adam.step();
            }
        }
        return new Model<>(graphs, encoder.copy(), hidden.copy(), out.copy());
    }

    /** Forward and backward on one batch; leaves the gradients in the parameters. */
    private void step(GcnEncoder encoder, Dense hidden, Dense out, GraphBatch batch, float[] y, int[] rows) {
        int b = rows.length;
        GcnEncoder.Encoded encoded = encoder.forward(batch);
        float[] h = hidden.forward(encoded.embeddings(), b);
        Matrices.relu(h);
        float[] score = out.forward(h, b);
        float[] dScore = new float[b];
        for (int i = 0; i < b; i++) {
            dScore[i] = 2 * (score[i] - y[rows[i]]) / b;
        }
        if (settings.rankingWeight() > 0) {
            int pairs = 0;
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < b; j++) {
                    pairs += y[rows[i]] > y[rows[j]] ? 1 : 0;
                }
            }
            float scale = (float) (settings.rankingWeight() / Math.max(1, pairs));
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < b; j++) {
                    if (y[rows[i]] > y[rows[j]]) {
                        // d/ds of softplus(-(s_i - s_j)) is -sigmoid(-(s_i - s_j)) for s_i
                        float g = scale / (1f + (float) Math.exp(score[i] - score[j]));
                        dScore[i] -= g;
                        dScore[j] += g;
                    }
                }
            }
        }
        float[] dh = out.backward(h, dScore, b, true);
        Matrices.reluBackward(h, dh);
        float[] dEmbeddings = hidden.backward(encoded.embeddings(), dh, b, true);
        encoder.backward(encoded, dEmbeddings);
    }

    private static void shuffle(int[] values, SplittableRandom random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = values[i];
            values[i] = values[j];
            values[j] = swap;
        }
    }

    /** Z-scores; a constant target becomes all zeros. */
    static float[] standardise(double[] values) {
        if ("rank".equals(System.getProperty("gcn.norm"))) {
            return rankGauss(values);
        }
        double mean = Arrays.stream(values).average().orElse(0);
        double variance = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).average().orElse(0);
        double scale = variance > 0 ? Math.sqrt(variance) : 1;
        float[] z = new float[values.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) ((values[i] - mean) / scale);
        }
        return z;
    }

    static float[] rankGauss(double[] values) {
        int n = values.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> Double.compare(values[a], values[b]));
        double[] ranks = new double[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && values[idx[j + 1]] == values[idx[i]]) j++;
            for (int k = i; k <= j; k++) ranks[idx[k]] = (i + j) / 2.0;
            i = j + 1;
        }
        org.apache.commons.math3.distribution.NormalDistribution nd = new org.apache.commons.math3.distribution.NormalDistribution();
        double[] q = new double[n];
        for (int i = 0; i < n; i++) q[i] = nd.inverseCumulativeProbability((ranks[i] + 0.5) / n);
        double mean = Arrays.stream(q).average().orElse(0);
        double sd = Math.sqrt(Arrays.stream(q).map(v -> (v - mean) * (v - mean)).average().orElse(0));
        float[] z = new float[n];
        for (int i = 0; i < n; i++) z[i] = (float) ((q[i] - mean) / (sd > 0 ? sd : 1));
        return z;
    }

    /** A fitted GCN: private copies of the trained layers, only read by {@link #predict}. */
    private static final class Model<A> implements PredictorModel<A> {
        private final Function<A, GraphEncoding> graphs;
        private final GcnEncoder encoder;
        private final Dense hidden;
        private final Dense out;

        Model(Function<A, GraphEncoding> graphs, GcnEncoder encoder, Dense hidden, Dense out) {
            this.graphs = graphs;
            this.encoder = encoder;
            this.hidden = hidden;
            this.out = out;
        }

        @Override
        public double[] predict(List<A> architectures) {
            int b = architectures.size();
            GraphBatch batch = GraphBatch.of(architectures.stream().map(graphs).toList(), encoder.labels());
            float[] h = hidden.forward(encoder.forward(batch).embeddings(), b);
            Matrices.relu(h);
            float[] score = out.forward(h, b);
            double[] result = new double[b];
            for (int i = 0; i < b; i++) {
                result[i] = score[i];
            }
            return result;
        }
    }
}
