package io.archipelago.predictors.nac;

/**
 * Hyper-parameters of {@link NacComparator}.
 *
 * @param layers graph convolutions of the shared encoder
 * @param hidden width of the node embeddings
 * @param headHidden width of the comparator head's hidden layer
 * @param epochs passes over the observations
 * @param batchSize cells per Adam step, compared with each other in every order; 0 trains
 *     full-batch on all pairs
 * @param learningRate Adam's step size
 * @param weightDecay decoupled weight decay (AdamW): each step multiplies the weights (not the
 *     biases) by {@code 1 - learningRate * weightDecay}
 */
public record NacSettings(
        int layers, int hidden, int headHidden, int epochs, int batchSize, double learningRate, double weightDecay) {

    /**
     * Chosen on NAS-Bench-201 CIFAR-10 (100 training cells, 4,950 pairs per step): 40 to 200
     * epochs, width 64 or 2 layers all compared test pairs equally well.
     */
    public static final NacSettings DEFAULTS = new NacSettings(3, 32, 32, 60, 0, 1e-2, 1e-4);

    public NacSettings {
        if (layers < 1 || hidden < 1 || headHidden < 1 || epochs < 1 || batchSize < 0) {
            throw new IllegalArgumentException(
                    "layers, hidden, headHidden and epochs must be positive and batchSize non-negative, got " + layers
                            + ", " + hidden + ", " + headHidden + ", " + epochs + ", " + batchSize);
        }
        if (!(learningRate > 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("learningRate must be positive and weightDecay non-negative, got "
                    + learningRate + ", " + weightDecay);
        }
    }
}
