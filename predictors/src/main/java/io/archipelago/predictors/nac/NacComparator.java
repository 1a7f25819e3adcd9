package io.archipelago.predictors.nac;

import io.archipelago.core.predictor.Predictor;
import io.archipelago.core.space.GraphEncoding;
import io.archipelago.predictors.gcn.Adam;
import io.archipelago.predictors.gcn.Dense;
import io.archipelago.predictors.gcn.GcnEncoder;
import io.archipelago.predictors.gcn.GraphBatch;
import io.archipelago.predictors.gcn.Matrices;
import io.archipelago.predictors.gcn.Parameter;
import io.archipelago.predictors.gcn.Training;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * CTNAS's Neural Architecture Comparator (Chen et al., "Contrastive Neural Architecture Search
 * with Neural Architecture Comparators", CVPR 2021): a shared {@link GcnEncoder} embeds both
 * cells and an MLP over the pair gives the logit of "a is better than b". Trained with binary
 * cross entropy on every pair of observations with different targets.
 *
 * <p>The head's first layer is linear in {@code [e_a, e_b, e_a - e_b]} as in CTNAS, which is the
 * same family as {@code e_a W_a + e_b W_b + c}; written that way it is computed once per cell
 * rather than once per pair. The logit is antisymmetric by construction, {@code f(a, b) - f(b,
 * a)}, so {@code compare(a, b) + compare(b, a) = 1} exactly and the two orders of a pair are one
 * loss term rather than two samples that only agree in expectation.
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
        Network network = new Network(
                new GcnEncoder(labels, settings.hidden(), settings.layers(), random),
                new Dense(settings.hidden(), settings.headHidden(), true, random),
                new Dense(settings.hidden(), settings.headHidden(), false, random),
                // no bias: it would cancel in f(a, b) - f(b, a)
                new Dense(settings.headHidden(), 1, false, random));
        Adam adam = new Adam(network.parameters(), settings.learningRate(), settings.weightDecay());
        Training.run(
                encoded,
                labels,
                settings.epochs(),
                settings.batchSize(),
                random,
                adam,
                (batch, rows) -> network.accumulate(batch, targets, rows));
        Network trained = network.copy();
        return new NacModel<>(graphs, trained, trained.project(GraphBatch.of(encoded, labels)));
    }

    /**
     * The comparator network: the encoder, the two halves of the head's first layer ({@code
     * first} applied to the cell being judged, with the bias; {@code second} to its opponent)
     * and the output unit.
     */
    record Network(GcnEncoder encoder, Dense first, Dense second, Dense out) {

        /** Both halves of the head's first layer applied to each cell, {@code [cells, headHidden]} each. */
        record Projection(float[] first, float[] second, int cells) {}

        List<Parameter> parameters() {
            List<Parameter> parameters = new ArrayList<>(encoder.parameters());
            parameters.addAll(first.parameters());
            parameters.addAll(second.parameters());
            parameters.addAll(out.parameters());
            return parameters;
        }

        Network copy() {
            return new Network(encoder.copy(), first.copy(), second.copy(), out.copy());
        }

        Projection project(GraphBatch batch) {
            return project(encoder.forward(batch).embeddings(), batch.size());
        }

        private Projection project(float[] embeddings, int cells) {
            return new Projection(first.forward(embeddings, cells), second.forward(embeddings, cells), cells);
        }

        /**
         * The hidden layer of {@code f(a, b)} and of {@code f(b, a)} for each pair of cell {@code
         * a[p]} of {@code as} and {@code b[p]} of {@code bs}: rows 2p and 2p+1 of a {@code [2 *
         * pairs, headHidden]} matrix.
         */
        float[] hidden(Projection as, int[] a, Projection bs, int[] b) {
            int width = first.outputs();
            float[] z = new float[2 * a.length * width];
            for (int p = 0; p < a.length; p++) {
                int ab = 2 * p * width;
                int ba = ab + width;
                for (int c = 0; c < width; c++) {
                    z[ab + c] = as.first[a[p] * width + c] + bs.second[b[p] * width + c];
                    z[ba + c] = bs.first[b[p] * width + c] + as.second[a[p] * width + c];
                }
            }
            Matrices.relu(z);
            return z;
        }

        /** The logits {@code f(a, b) - f(b, a)} of the pairs {@link #hidden} was computed for. */
        float[] logits(float[] hidden) {
            int pairs = hidden.length / (2 * first.outputs());
            float[] f = out.forward(hidden, 2 * pairs);
            float[] logits = new float[pairs];
            for (int p = 0; p < pairs; p++) {
                logits[p] = f[2 * p] - f[2 * p + 1];
            }
            return logits;
        }

        /** Adds the gradients of the mean cross entropy over all pairs of {@code rows} with different targets. */
        void accumulate(GraphBatch batch, double[] targets, int[] rows) {
            // each pair once, the better cell first: its label is always 1
            List<int[]> pairs = new ArrayList<>();
            for (int i = 0; i < rows.length; i++) {
                for (int j = i + 1; j < rows.length; j++) {
                    double ti = targets[rows[i]];
                    double tj = targets[rows[j]];
                    if (ti != tj) {
                        pairs.add(ti > tj ? new int[] {i, j} : new int[] {j, i});
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
            Projection projection = project(encoded.embeddings(), rows.length);
            float[] z = hidden(projection, better, projection, worse);
            float[] logits = logits(z);
            // d(-log sigmoid(l))/dl = sigmoid(l) - 1, with l = f(a, b) - f(b, a)
            float[] df = new float[2 * count];
            for (int p = 0; p < count; p++) {
                float g = (float) ((1 / (1 + Math.exp(-logits[p])) - 1) / count);
                df[2 * p] = g;
                df[2 * p + 1] = -g;
            }
            float[] dz = out.backward(z, df, 2 * count, true);
            Matrices.reluBackward(z, dz);
            int width = first.outputs();
            float[] dFirst = new float[rows.length * width];
            float[] dSecond = new float[rows.length * width];
            for (int p = 0; p < count; p++) {
                int ab = 2 * p * width;
                int ba = ab + width;
                for (int c = 0; c < width; c++) {
                    dFirst[better[p] * width + c] += dz[ab + c];
                    dSecond[worse[p] * width + c] += dz[ab + c];
                    dFirst[worse[p] * width + c] += dz[ba + c];
                    dSecond[better[p] * width + c] += dz[ba + c];
                }
            }
            float[] dEmbeddings = first.backward(encoded.embeddings(), dFirst, rows.length, true);
            float[] fromSecond = second.backward(encoded.embeddings(), dSecond, rows.length, true);
            for (int i = 0; i < dEmbeddings.length; i++) {
                dEmbeddings[i] += fromSecond[i];
            }
            encoder.backward(encoded, dEmbeddings);
        }
    }
}
