package io.archipelago.predictors.nao;

import io.archipelago.core.predictor.Predictor;
import io.archipelago.core.space.TokenEncoding;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Neural Architecture Optimization (Luo et al., NeurIPS 2018) for spaces with a fixed-length
 * token encoding: an LSTM encoder maps the token sequence to a continuous embedding, an MLP
 * predicts performance from it and a decoder maps it back to tokens; the three are trained
 * jointly on λ·MSE + (1−λ)·reconstruction cross-entropy. The fitted {@link NaoModel} both scores
 * architectures and proposes new ones by gradient ascent in the embedding space.
 *
 * <p>The targets are replaced by their ranks (spread uniformly with unit variance) before
 * training: only the order of predictions is used, and ranks keep the few collapsed architectures
 * (≈10% accuracy on NAS-Bench-201) from dominating the squared error.
 *
 * @param <A> the architecture type
 */
public final class NaoPredictor<A> implements Predictor<A> {
    private final TokenEncoding<A> encoding;
    private final NaoSettings settings;

    public NaoPredictor(TokenEncoding<A> encoding, NaoSettings settings) {
        this.encoding = encoding;
        this.settings = settings;
    }

    public NaoPredictor(TokenEncoding<A> encoding) {
        this(encoding, NaoSettings.DEFAULTS);
    }

    @Override
    public String name() {
        return "nao";
    }

    @Override
    public NaoModel<A> fit(List<A> architectures, double[] targets, long seed) {
        Predictor.checkObservations(architectures, targets);
        int[][] tokens = architectures.stream().map(a -> tokens(encoding, a)).toArray(int[][]::new);
        NaoNetwork network = new NaoTrainer(encoding.length(), encoding.vocabulary(), settings)
                .train(tokens, rankScores(targets), seed);
        return new NaoModel<>(encoding, settings, network);
    }

    /**
     * Ranks mapped evenly onto [−√3, √3] (mean 0, variance ≈ 1); tied targets share their mean
     * rank, so equal observations get equal scores.
     */
    static double[] rankScores(double[] targets) {
        int n = targets.length;
        Integer[] order = IntStream.range(0, n)
                .boxed()
                .sorted(Comparator.comparingDouble(i -> targets[i]))
                .toArray(Integer[]::new);
        double[] scores = new double[n];
        for (int first = 0; first < n; ) {
            int last = first;
            while (last + 1 < n && targets[order[last + 1]] == targets[order[first]]) {
                last++;
            }
            double quantile = ((first + last) / 2.0 + 0.5) / n;
            for (int i = first; i <= last; i++) {
                scores[order[i]] = Math.sqrt(3) * (2 * quantile - 1);
            }
            first = last + 1;
        }
        return scores;
    }

    /** The architecture's tokens, checked against the encoding's declared length and vocabulary. */
    static <A> int[] tokens(TokenEncoding<A> encoding, A architecture) {
        int[] tokens = encoding.tokens(architecture);
        if (tokens.length != encoding.length()) {
            throw new IllegalArgumentException(
                    architecture + " has " + tokens.length + " tokens, the encoding declares " + encoding.length());
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= encoding.vocabulary()) {
                throw new IllegalArgumentException(
                        architecture + ": token " + tokens[i] + " at position " + i + " is outside the vocabulary 0.."
                                + (encoding.vocabulary() - 1) + " (tokens " + Arrays.toString(tokens) + ")");
            }
        }
        return tokens;
    }
}
