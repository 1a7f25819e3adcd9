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
 * @param weightDecay decoupled weight decay (AdamW), per step and relative to the learning rate
 * @param rankingWeight weight of the pairwise logistic ranking loss added to the MSE
 */
public record GcnSettings(int layers, int hidden, int headHidden, int epochs, int batchSize, double learningRate, double weightDecay, double rankingWeight) {

    public static final GcnSettings DEFAULTS = new GcnSettings(3, 64, 64, 300, 0, 3e-3, 1e-4, 1.0);

    public GcnSettings {
        if (layers < 1 || hidden < 1 || headHidden < 1 || epochs < 1 || batchSize < 0) {
            throw new IllegalArgumentException("layers, hidden, headHidden and epochs must be positive and batchSize non-negative, got "
                    + layers + ", " + hidden + ", " + headHidden + ", " + epochs + ", " + batchSize);
        }
        if (!(learningRate > 0) || !(weightDecay >= 0) || !(rankingWeight >= 0)) {
            throw new IllegalArgumentException("learningRate must be positive, weightDecay and rankingWeight non-negative, got "
                    + learningRate + ", " + weightDecay + ", " + rankingWeight);
        }
    }
}
