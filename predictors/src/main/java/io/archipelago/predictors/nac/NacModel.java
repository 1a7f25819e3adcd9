package io.archipelago.predictors.nac;

import io.archipelago.core.predictor.PredictorModel;
import io.archipelago.core.space.GraphEncoding;
import io.archipelago.predictors.gcn.GraphBatch;
import java.util.List;
import java.util.function.Function;

/**
 * A fitted {@link NacComparator}: private copies of the trained network, only read, so it can be
 * queried from several threads.
 *
 * <p>{@link #compare} is the network's probability that a beats b. {@link #predict} scores each
 * architecture by its mean win probability against the <em>training</em> cells (not against the
 * queried list), so a score does not depend on what else is queried with it and scores from
 * separate calls are comparable.
 *
 * @param <A> the architecture type
 */
public final class NacModel<A> implements PredictorModel<A> {
    private final Function<A, GraphEncoding> graphs;
    private final NacComparator.Head head;
    private final NacComparator.Head.Projection training;
    private final int trainingCells;

    NacModel(Function<A, GraphEncoding> graphs, NacComparator.Head head, NacComparator.Head.Projection training) {
        this.graphs = graphs;
        this.head = head;
        this.training = training;
        this.trainingCells = training.right().length / head.right().outputs();
    }

    @Override
    public double[] predict(List<A> architectures) {
        NacComparator.Head.Projection queried = project(architectures);
        double[] scores = new double[architectures.size()];
        int[] self = new int[trainingCells];
        int[] others = new int[trainingCells];
        for (int t = 0; t < trainingCells; t++) {
            others[t] = t;
        }
        for (int q = 0; q < scores.length; q++) {
            java.util.Arrays.fill(self, q);
            float[] logits = head.logits(head.hidden(queried, self, training, others), trainingCells);
            double sum = 0;
            for (float logit : logits) {
                sum += sigmoid(logit);
            }
            scores[q] = sum / trainingCells;
        }
        return scores;
    }

    @Override
    public double compare(A a, A b) {
        return probabilities(List.of(a), List.of(b))[0][0];
    }

    /** {@code [i][j]}: the probability that {@code first.get(i)} is better than {@code second.get(j)}. */
    public double[][] probabilities(List<A> first, List<A> second) {
        NacComparator.Head.Projection rows = project(first);
        NacComparator.Head.Projection columns = project(second);
        double[][] result = new double[first.size()][second.size()];
        int[] self = new int[second.size()];
        int[] others = new int[second.size()];
        for (int j = 0; j < others.length; j++) {
            others[j] = j;
        }
        for (int i = 0; i < result.length; i++) {
            java.util.Arrays.fill(self, i);
            float[] logits = head.logits(head.hidden(rows, self, columns, others), others.length);
            for (int j = 0; j < others.length; j++) {
                result[i][j] = sigmoid(logits[j]);
            }
        }
        return result;
    }

    private NacComparator.Head.Projection project(List<A> architectures) {
        return head.project(GraphBatch.of(architectures.stream().map(graphs).toList(), head.encoder().labels()));
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
