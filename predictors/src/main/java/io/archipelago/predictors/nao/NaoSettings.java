package io.archipelago.predictors.nao;

/**
 * Hyper-parameters of {@link NaoPredictor} and of its models' proposal step.
 *
 * @param embeddingSize width of the token embedding
 * @param hiddenSize width of the encoder LSTM, hence of the continuous architecture embedding
 * @param predictorHidden width of the performance predictor's hidden layer
 * @param decoderHidden width of the decoder's hidden layer
 * @param epochs passes over the observations
 * @param batchSize sequences per Adam step; 0 trains full-batch
 * @param learningRate Adam's step size
 * @param tradeOff λ of the joint loss λ·MSE + (1−λ)·reconstruction cross-entropy (NAO uses 0.8)
 * @param stepSize η of the first proposal step; step k moves the embedding by k·η along the gradient
 * @param maxSteps proposal steps tried before giving up on a start architecture
 */
public record NaoSettings(
        int embeddingSize,
        int hiddenSize,
        int predictorHidden,
        int decoderHidden,
        int epochs,
        int batchSize,
        double learningRate,
        double tradeOff,
        double stepSize,
        int maxSteps) {

    public static final NaoSettings DEFAULTS = new NaoSettings(16, 32, 64, 64, 100, 0, 0.02, 0.8, 0.05, 50);

    public NaoSettings {
        if (embeddingSize < 1
                || hiddenSize < 1
                || predictorHidden < 1
                || decoderHidden < 1
                || epochs < 1
                || maxSteps < 1) {
            throw new IllegalArgumentException(
                    "embeddingSize, hiddenSize, predictorHidden, decoderHidden, epochs and maxSteps must be positive, got "
                            + embeddingSize + ", " + hiddenSize + ", " + predictorHidden + ", " + decoderHidden + ", "
                            + epochs + ", " + maxSteps);
        }
        if (batchSize < 0) {
            throw new IllegalArgumentException("batchSize must be non-negative (0 = full batch), got " + batchSize);
        }
        if (!(learningRate > 0) || !(stepSize > 0) || !(tradeOff >= 0 && tradeOff <= 1)) {
            throw new IllegalArgumentException("learningRate and stepSize must be positive and tradeOff in [0, 1], got "
                    + learningRate + ", " + stepSize + ", " + tradeOff);
        }
    }

    /** These settings with another number of epochs (tests and quick fits). */
    public NaoSettings withEpochs(int newEpochs) {
        return new NaoSettings(
                embeddingSize,
                hiddenSize,
                predictorHidden,
                decoderHidden,
                newEpochs,
                batchSize,
                learningRate,
                tradeOff,
                stepSize,
                maxSteps);
    }
}
