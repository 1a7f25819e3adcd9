package io.archipelago.predictors.gcn;

import io.archipelago.core.space.GraphEncoding;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** The training loop both predictors share: epochs of seeded mini-batches, one Adam step each. */
public final class Training {
    private Training() {}

    /** Forward and backward on one batch, leaving the gradients in the parameters. */
    @FunctionalInterface
    public interface Step {
        /**
         * @param batch the batch's graphs
         * @param rows the observation index of each graph in {@code batch}
         */
        void accumulate(GraphBatch batch, int[] rows);
    }

    /**
     * Runs {@code epochs} passes over {@code graphs}. With {@code batchSize} 0 (or at least the
     * number of graphs) every step sees all of them, in a fixed order; otherwise each epoch
     * shuffles them with {@code random}, and a last batch of one graph is skipped (it has no pair
     * to compare and a noisy gradient).
     */
    public static void run(
            List<GraphEncoding> graphs,
            int labels,
            int epochs,
            int batchSize,
            SplittableRandom random,
            Adam adam,
            Step step) {
        int n = graphs.size();
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        if (batchSize == 0 || batchSize >= n) {
            GraphBatch all = GraphBatch.of(graphs, labels);
            for (int epoch = 0; epoch < epochs; epoch++) {
                step.accumulate(all, order);
                adam.step();
            }
            return;
        }
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int swap = order[i];
                order[i] = order[j];
                order[j] = swap;
            }
            for (int start = 0; start + 1 < n; start += batchSize) {
                int[] rows = Arrays.copyOfRange(order, start, Math.min(n, start + batchSize));
                step.accumulate(
                        GraphBatch.of(Arrays.stream(rows).mapToObj(graphs::get).toList(), labels), rows);
                adam.step();
            }
        }
    }
}
