package io.archipelago.predictors.nac;

import io.archipelago.core.predictor.PredictorModel;
import io.archipelago.core.space.GraphEncoding;
import io.archipelago.predictors.gcn.GraphBatch;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * A fitted {@link NacComparator}: a private copy of the trained network, only read, so it can be
 * queried from several threads.
 *
 * <p>{@link #compare} is the network's probability that a beats b. {@link #predict} scores each
 * architecture by its mean win probability against the <em>training</em> cells rather than
 * against the queried list: a score then does not depend on what else is queried with it, and
 * scores from separate calls are comparable.
 *
 * @param <A> the architecture type
 */
public final class NacModel<A> implements PredictorModel<A> {
    private final Function<A, GraphEncoding> graphs;
    private final NacComparator.Network network;
    private final NacComparator.Network.Projection training;

    NacModel(
            Function<A, GraphEncoding> graphs,
            NacComparator.Network network,
            NacComparator.Network.Projection training) {
        this.graphs = graphs;
        this.network = network;
        this.training = training;
    }

    @Override
    public double[] predict(List<A> architectures) {
        double[][] wins = probabilities(project(architectures), training);
        return Arrays.stream(wins)
                .mapToDouble(row -> Arrays.stream(row).average().orElseThrow())
                .toArray();
    }

    @Override
    public double compare(A a, A b) {
        return probabilities(List.of(a), List.of(b))[0][0];
    }

    /** {@code [i][j]}: the probability that {@code first.get(i)} is better than {@code second.get(j)}. */
    public double[][] probabilities(List<A> first, List<A> second) {
        return probabilities(project(first), project(second));
    }

    private double[][] probabilities(NacComparator.Network.Projection rows, NacComparator.Network.Projection columns) {
        double[][] result = new double[rows.cells()][];
        int[] row = new int[columns.cells()];
        int[] column = new int[columns.cells()];
        Arrays.setAll(column, j -> j);
        for (int i = 0; i < result.length; i++) {
            Arrays.fill(row, i);
            float[] logits = network.logits(network.hidden(rows, row, columns, column));
            result[i] = new double[logits.length];
            for (int j = 0; j < logits.length; j++) {
                result[i][j] = 1 / (1 + Math.exp(-logits[j]));
            }
        }
        return result;
    }

    private NacComparator.Network.Projection project(List<A> architectures) {
        return network.project(GraphBatch.of(
                architectures.stream().map(graphs).toList(), network.encoder().labels()));
    }
}
