package io.archipelago.predictors.gcn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.space.GraphEncoding;
import io.archipelago.predictors.SyntheticCells;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GcnEncoderTest {
    private static final int LABELS = 7;
    private static final int HIDDEN = 8;
    private static final int LAYERS = 3;

    /**
     * The hand-written backward pass against SameDiff's autodiff of the same network, built
     * from dense propagation matrices: the gradient of {@code Σ r ⊙ embeddings} for a random r.
     */
    @Test
    void backwardMatchesSameDiff() {
        List<GraphEncoding> graphs = SyntheticCells.sample(5, 3).stream()
                .map(Nb201Space.INSTANCE::graph)
                .toList();
        int b = graphs.size();
        int n = graphs.get(0).nodes();
        GcnEncoder encoder = new GcnEncoder(LABELS, HIDDEN, LAYERS, new SplittableRandom(1));
        SplittableRandom random = new SplittableRandom(2);
        float[] cotangent = new float[b * HIDDEN];
        for (int i = 0; i < cotangent.length; i++) {
            cotangent[i] = (float) random.nextDouble(-1, 1);
        }
        GcnEncoder.Encoded encoded = encoder.forward(GraphBatch.of(graphs, LABELS));
        encoder.backward(encoded, cotangent);

        SameDiff sd = SameDiff.create();
        SDVariable forward = sd.constant(propagation(graphs, false));
        SDVariable backward = sd.constant(propagation(graphs, true));
        SDVariable h = sd.constant(features(graphs));
        List<Parameter> parameters = encoder.parameters();
        List<String> names = new ArrayList<>();
        for (int l = 0; l < LAYERS; l++) {
            int in = l == 0 ? LABELS : HIDDEN;
            SDVariable w = sd.var(
                    "w" + l, Nd4j.create(parameters.get(2 * l).value.clone(), new long[] {2L * in, HIDDEN}, 'c'));
            SDVariable bias =
                    sd.var("b" + l, Nd4j.create(parameters.get(2 * l + 1).value.clone(), new long[] {HIDDEN}, 'c'));
            names.add(w.name());
            names.add(bias.name());
            SDVariable both =
                    sd.concat(2, sd.mmul(forward, h), sd.mmul(backward, h)).reshape(b * n, 2 * in);
            h = sd.nn().relu(both.mmul(w).add(bias), 0).reshape(b, n, HIDDEN);
        }
        SDVariable embeddings = h.mean(1);
        SDVariable loss = embeddings
                .mul(sd.constant(Nd4j.create(cotangent, new long[] {b, HIDDEN}, 'c')))
                .sum();
        sd.setLossVariables(loss);
        Map<String, INDArray> gradients = sd.calculateGradients(new HashMap<>(), names);

        assertClose(embeddings.eval().data().asFloat(), encoded.embeddings());
        for (int p = 0; p < parameters.size(); p++) {
            assertClose(gradients.get(names.get(p)).data().asFloat(), parameters.get(p).gradient);
        }
    }

    /** Graphs of different sizes share a batch without padding or influencing each other. */
    @Test
    void aGraphsEmbeddingDoesNotDependOnItsBatch() {
        GraphEncoding small = chain(3);
        GraphEncoding large = chain(6);
        GcnEncoder encoder = new GcnEncoder(2, HIDDEN, 2, new SplittableRandom(4));

        float[] alone = encoder.forward(GraphBatch.of(List.of(small), 2)).embeddings();
        float[] together =
                encoder.forward(GraphBatch.of(List.of(large, small, large), 2)).embeddings();

        assertArrayEquals(alone, Arrays.copyOfRange(together, HIDDEN, 2 * HIDDEN), 1e-6f);
    }

    @Test
    void rejectsGraphsWithOtherLabels() {
        GcnEncoder encoder = new GcnEncoder(LABELS, HIDDEN, 1, new SplittableRandom(4));
        GraphBatch batch = GraphBatch.of(List.of(chain(3)), 2);

        assertThrows(IllegalArgumentException.class, () -> encoder.forward(batch));
        assertThrows(IllegalArgumentException.class, () -> GraphBatch.of(List.of(chain(3)), LABELS));
    }

    /** A path 0 → 1 → … → n-1 whose nodes alternate between two labels. */
    private static GraphEncoding chain(int n) {
        int[][] adjacency = new int[n][n];
        double[][] features = new double[n][2];
        for (int i = 0; i < n; i++) {
            features[i][i % 2] = 1;
            if (i + 1 < n) {
                adjacency[i][i + 1] = 1;
            }
        }
        return new GraphEncoding(adjacency, features, List.of("even", "odd"));
    }

    /** {@code [B, N, N]}: row j averages node j with its predecessors (or successors when {@code reverse}). */
    private static INDArray propagation(List<GraphEncoding> graphs, boolean reverse) {
        int n = graphs.get(0).nodes();
        INDArray p = Nd4j.zeros(DataType.FLOAT, graphs.size(), n, n);
        for (int g = 0; g < graphs.size(); g++) {
            int[][] a = graphs.get(g).adjacency();
            for (int j = 0; j < n; j++) {
                int degree = 1;
                for (int i = 0; i < n; i++) {
                    degree += reverse ? a[j][i] : a[i][j];
                }
                for (int i = 0; i < n; i++) {
                    int edge = (reverse ? a[j][i] : a[i][j]) + (i == j ? 1 : 0);
                    p.putScalar(new long[] {g, j, i}, (double) edge / degree);
                }
            }
        }
        return p;
    }

    private static INDArray features(List<GraphEncoding> graphs) {
        double[][][] x = graphs.stream().map(GraphEncoding::features).toArray(double[][][]::new);
        return Nd4j.create(x).castTo(DataType.FLOAT);
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        float scale = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4f * Math.max(scale, 1e-3f), "entry " + i);
        }
    }
}
