package io.archipelago.predictors.nao;

import io.archipelago.core.predictor.PredictorModel;
import io.archipelago.core.space.ArchitectureFormatException;
import io.archipelago.core.space.TokenEncoding;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A fitted NAO model: the encoder maps an architecture to a continuous embedding e, the
 * predictor scores e, the decoder maps e back to an architecture. Besides scoring it offers NAO's
 * proposal step, {@link #propose}: move e along the gradient of the predicted performance and
 * decode. Immutable (the learned weights are private copies), so safe to use from several threads.
 *
 * @param <A> the architecture type
 */
public final class NaoModel<A> implements PredictorModel<A> {
    private final TokenEncoding<A> encoding;
    private final NaoSettings settings;
    private final NaoNetwork network;

    NaoModel(TokenEncoding<A> encoding, NaoSettings settings, NaoNetwork network) {
        this.encoding = encoding;
        this.settings = settings;
        this.network = network;
    }

    /** Predicted scores on the scale of the (rank-transformed) training targets; higher is better. */
    @Override
    public double[] predict(List<A> architectures) {
        double[] scores = new double[architectures.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = network.predict(embed(architectures.get(i)));
        }
        return scores;
    }

    /**
     * Encodes then decodes {@code architecture}: a diagnostic of how well the decoder inverts the
     * encoder.
     *
     * @throws ArchitectureFormatException when the decoded tokens are not an architecture
     */
    public A reconstruct(A architecture) {
        return encoding.fromTokens(network.decode(embed(architecture)));
    }

    /**
     * NAO's proposal step from {@code start}: with e its embedding and g the gradient of the
     * predicted performance at e, decodes e + k·η·g for k = 1, 2, … up to {@link
     * NaoSettings#maxSteps()} (η = {@link NaoSettings#stepSize()}), and keeps each decoded
     * architecture that is valid, differs from {@code start}, is not {@code excluded} and was not
     * kept before, until {@code count} are found.
     *
     * @param count the most architectures wanted; NAO proper asks for 1 per start
     * @param excluded architectures never to return, e.g. those already evaluated
     * @return at most {@code count} new architectures, in order of increasing step size; fewer
     *     (possibly none) when the steps run out
     */
    public List<A> propose(A start, int count, Predicate<? super A> excluded) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be positive, got " + count);
        }
        Objects.requireNonNull(excluded, "excluded");
        int[] startTokens = checkedTokens(start);
        double[] e = network.encode(startTokens);
        double[] gradient = network.predictorGradient(e);
        Set<A> found = new LinkedHashSet<>();
        double[] moved = new double[e.length];
        for (int k = 1; k <= settings.maxSteps() && found.size() < count; k++) {
            double step = k * settings.stepSize();
            for (int i = 0; i < e.length; i++) {
                moved[i] = e[i] + step * gradient[i];
            }
            int[] tokens = network.decode(moved);
            if (Arrays.equals(tokens, startTokens)) {
                continue;
            }
            A candidate;
            try {
                candidate = encoding.fromTokens(tokens);
            } catch (ArchitectureFormatException invalid) {
                continue; // NAO drops invalid decodes and takes a larger step
            }
            if (!candidate.equals(start) && !excluded.test(candidate)) {
                found.add(candidate);
            }
        }
        return List.copyOf(found);
    }

    /** The continuous embedding e of an architecture (package-private: tests and diagnostics). */
    double[] embed(A architecture) {
        return network.encode(checkedTokens(architecture));
    }

    /** The predictor's output for an embedding (not necessarily one of an architecture). */
    double predictEmbedding(double[] e) {
        checkDimension(e);
        return network.predict(e);
    }

    /** The gradient of {@link #predictEmbedding} with respect to e. */
    double[] predictorGradient(double[] e) {
        checkDimension(e);
        return network.predictorGradient(e);
    }

    private void checkDimension(double[] e) {
        if (e.length != network.embeddingDimension()) {
            throw new IllegalArgumentException(
                    "embedding has " + e.length + " values, expected " + network.embeddingDimension());
        }
    }

    private int[] checkedTokens(A architecture) {
        return NaoPredictor.tokens(encoding, architecture);
    }
}
