package io.archipelago.predictors.nac;

import io.archipelago.core.predictor.Predictor;
import io.archipelago.core.space.GraphEncoding;
import io.archipelago.predictors.gcn.Adam;
import io.archipelago.predictors.gcn.Dense;
import io.archipelago.predictors.gcn.GcnEncoder;
import io.archipelago.predictors.gcn.GraphBatch;
import io.archipelago.predictors.gcn.Matrices;
import io.archipelago.predictors.gcn.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * CTNAS's Neural Architecture Comparator (Chen et al., "Contrastive Neural Architecture Search
 * with Neural Architecture Comparators", CVPR 2021): a shared {@link GcnEncoder} embeds both
 * cells, an MLP over the pair gives the logit of "a is better than b". Trained with binary cross
 * entropy on every pair of observations with different targets.
 *
 * <p>The head's first layer is linear in {@code [e_a, e_b, e_a - e_b]} as in CTNAS, which is the
 * same family as {@code e_a W_a + e_b W_b}; written that way it is computed once per cell rather
 * than once per pair. The logit is made antisymmetric by construction, {@code f(a, b) - f(b, a)},
 * so {@code compare(a, b) + compare(b, a) = 1} exactly and both orders share one loss term.
 *
 * @param <A> the architecture type
 */
public final class NacComparator<A> implements Predictor<A> {
    private final Function<A, GraphEncoding> graphs;
    private final NacSettings settings;

    /** @param graphs the graph view of an architecture, e.g. {@code Nb201Space.INSTANCE::graph} */
    public NacComparator(Function<A, GraphEncoding> graphs, NacSettings settings) {
        this.graphs = graphs;
        this.settings = settings;
    }

    public NacComparator(Function<A, GraphEncoding> graphs) {
        this(graphs, NacSettings.DEFAULTS);
    }

    @Override
    public String name() {
        return "nac";
    }

    @Override
    public NacModel<A> fit(List<A> architectures, double[] targets, long seed) {
        Predictor.checkObservations(architectures, targets);
        List<GraphEncoding> encoded = architectures.stream().map(graphs).toList();
        int labels = encoded.get(0).labels().size();
        SplittableRandom random = new SplittableRandom(seed);
        Head head = new Head(new GcnEncoder(labels, settings.hidden(), settings.layers(), random),
                new Dense(settings.hidden(), settings.headHidden(), true, random),
                new Dense(settings.hidden(), settings.headHidden(), false, random),
                new Dense(settings.headHidden(), 1, false, random));
        Adam adam = new Adam(head.parameters(), settings.learningRate(), settings.weightDecay());

        int n = encoded.size();
        int batchSize = settings.batchSize() == 0 ? n : Math.min(settings.batchSize(), n);
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        GraphBatch full = GraphBatch.of(encoded, labels);
        for (int epoch = 0; epoch < settings.epochs(); epoch++) {
            if (batchSize == n) {
                head.step(full, targets, order);
                adam.step();
                continue;
            }
            shuffle(order, random);
            for (int start = 0; start + 1 < n; start += batchSize) {
                int[] rows = Arrays.copyOfRange(order, start, Math.min(n, start + batchSize));
                head.step(GraphBatch.of(Arrays.stream(rows).mapToObj(encoded::get).toList(), labels), targets, rows);
                adam.step();
            }
        }
        Head trained = head.copy();
        return new NacModel<>(graphs, trained, trained.project(full));
    }

    private static void shuffle(int[] values, SplittableRandom random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = values[i];
            values[i] = values[j];
            values[j] = swap;
        }
    }

    /**
     * The comparator network: encoder, the two halves of the first head layer ({@code left} for
     * the first cell, with the bias; {@code right} for the second) and the output unit.
     */
    record Head(GcnEncoder encoder, Dense left, Dense right, Dense out) {

        /** Per-cell halves of the first head layer, {@code [cells, headHidden]} each. */
        record Projection(float[] left, float[] right) {}

        List<Parameter> parameters() {
            List<Parameter> parameters = new ArrayList<>(encoder.parameters());
            parameters.addAll(left.parameters());
            parameters.addAll(right.parameters());
            parameters.addAll(out.parameters());
            return parameters;
        }

        Head copy() {
            return new Head(encoder.copy(), left.copy(), right.copy(), out.copy());
        }

        Projection project(GraphBatch batch) {
            float[] embeddings = encoder.forward(batch).embeddings();
            return new Projection(left.forward(embeddings, batch.size()), right.forward(embeddings, batch.size()));
        }

        /**
         * The hidden layer of {@code f(a, b)} and then {@code f(b, a)} for each pair {@code (a[p],
         * b[p])}: rows 2p and 2p+1 of a {@code [2 * pairs, headHidden]} matrix.
         */
        float[] hidden(Projection first, int[] a, Projection second, int[] b) {
            int width = left.outputs();
            float[] z = new float[2 * a.length * width];
            for (int p = 0; p < a.length; p++) {
                int ab = 2 * p * width;
                int ba = ab + width;
                for (int c = 0; c < width; c++) {
                    z[ab + c] = first.left[a[p] * width + c] + second.right[b[p] * width + c];
                    z[ba + c] = second.left[b[p] * width + c] + first.right[a[p] * width + c];
                }
            }
            Matrices.relu(z);
            return z;
        }

        /** The logits {@code f(a, b) - f(b, a)} of the pairs {@link #hidden} was computed for. */
        float[] logits(float[] hidden, int pairs) {
            float[] f = out.forward(hidden, 2 * pairs);
            float[] logits = new float[pairs];
            for (int p = 0; p < pairs; p++) {
                logits[p] = f[2 * p] - f[2 * p + 1];
            }
            return logits;
        }

        /** Forward and backward of the mean cross entropy over all pairs of {@code rows} with different targets. */
        void step(GraphBatch batch, double[] targets, int[] rows) {
            int b = rows.length;
            List<int[]> pairs = new ArrayList<>();
            for (int i = 0; i < b; i++) {
                for (int j = i + 1; j < b; j++) {
                    // ordered so the first cell is the better one: the label is always 1
                    double ti = targets[rows[i]];
                    double tj = targets[rows[j]];
                    if (ti > tj) {
                        pairs.add(new int[] {i, j});
                    } else if (tj > ti) {
                        pairs.add(new int[] {j, i});
                    }
                }
            }
            if (pairs.isEmpty()) {
                return;
            }
            int count = pairs.size();
            int[] better = pairs.stream().mapToInt(p -> p[0]).toArray();
            int[] worse = pairs.stream().mapToInt(p -> p[1]).toArray();
            GcnEncoder.Encoded encoded = encoder.forward(batch);
            float[] embeddings = encoded.embeddings();
            Projection projection = new Projection(left.forward(embeddings, b), right.forward(embeddings, b));
            float[] z = hidden(projection, better, projection, worse);
            float[] logits = logits(z, count);
            // d(-log sigmoid(l))/dl = sigmoid(l) - 1, split as +/- onto f(a, b) and f(b, a)
            float[] df = new float[2 * count];
            for (int p = 0; p < count; p++) {
                float g = (float) ((1 / (1 + Math.exp(-logits[p])) - 1) / count);
                df[2 * p] = g;
                df[2 * p + 1] = -g;
            }
            float[] dz = out.backward(z, df, 2 * count, true);
            Matrices.reluBackward(z, dz);
            int width = left.outputs();
            float[] dLeft = new float[b * width];
            float[] dRight = new float[b * width];
            for (int p = 0; p < count; p++) {
                int ab = 2 * p * width;
                int ba = ab + width;
                for (int c = 0; c < width; c++) {
                    dLeft[better[p] * width + c] += dz[ab + c];
                    dRight[worse[p] * width + c] += dz[ab + c];
                    dLeft[worse[p] * width + c] += dz[ba + c];
                    dRight[better[p] * width + c] += dz[ba + c];
                }
            }
            float[] dEmbeddings = left.backward(embeddings, dLeft, b, true);
            float[] fromRight = right.backward(embeddings, dRight, b, true);
            for (int i = 0; i < dEmbeddings.length; i++) {
                dEmbeddings[i] += fromRight[i];
            }
            encoder.backward(encoded, dEmbeddings);
        }
    }
}
