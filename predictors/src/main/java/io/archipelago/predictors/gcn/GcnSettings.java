package io.archipelago.predictors.gcn;

/**
 * Hyper-parameters of {@link GcnPredictor}.
 *
 * @param layers graph convolutions
 * @param hidden width of the node embeddings
 * @param headHidden width of the regression head's hidden layer
 * @param epochs passes over the observations
 * @param batchSize graphs per Adam step; 0 trains full-batch
 * @param learningRate Adam's step size
 * @param weightDecay decoupled weight decay (AdamW): each step multiplies the weights (not the
 *     biases) by {@code 1 - learningRate * weightDecay}
 * @param rankingWeight weight of the pairwise logistic ranking loss added to the MSE
 */
public record GcnSettings(
        int layers,
        int hidden,
        int headHidden,
        int epochs,
        int batchSize,
        double learningRate,
        double weightDecay,
        double rankingWeight) {

    /**
     * Chosen on NAS-Bench-201 CIFAR-10 (100 training cells): wider (64), longer (300 epochs) or
     * mini-batch training ranked no better, at twice the cost.
     */
    public static final GcnSettings DEFAULTS = new GcnSettings(3, 32, 32, 150, 0, 6e-3, 1e-4, 1.0);

    public GcnSettings {
        if (layers < 1 || hidden < 1 || headHidden < 1 || epochs < 1 || batchSize < 0) {
            throw new IllegalArgumentException(
                    "layers, hidden, headHidden and epochs must be positive and batchSize non-negative, got " + layers
                            + ", " + hidden + ", " + headHidden + ", " + epochs + ", " + batchSize);
        }
        if (!(learningRate > 0) || !(weightDecay >= 0) || !(rankingWeight >= 0)) {
            throw new IllegalArgumentException(
                    "learningRate must be positive, weightDecay and rankingWeight non-negative, got " + learningRate
                            + ", " + weightDecay + ", " + rankingWeight);
        }
    }
}
