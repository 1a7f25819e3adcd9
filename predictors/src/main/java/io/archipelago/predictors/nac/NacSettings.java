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
 * @param weightDecay decoupled weight decay (AdamW), per step and relative to the learning rate
 */
public record NacSettings(int layers, int hidden, int headHidden, int epochs, int batchSize, double learningRate, double weightDecay) {

    public static final NacSettings DEFAULTS = new NacSettings(3, 32, 32, 200, 0, 3e-3, 1e-4);

    public NacSettings {
        if (layers < 1 || hidden < 1 || headHidden < 1 || epochs < 1 || batchSize < 0) {
            throw new IllegalArgumentException("layers, hidden, headHidden and epochs must be positive and batchSize non-negative, got "
                    + layers + ", " + hidden + ", " + headHidden + ", " + epochs + ", " + batchSize);
        }
        if (!(learningRate > 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("learningRate must be positive and weightDecay non-negative, got " + learningRate + ", " + weightDecay);
        }
    }
}
