package io.archipelago.predictors.nao;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The learned NAO network as plain immutable arrays, with its forward pass for one architecture.
 * {@link NaoTrainer} trains the same computation over batches ({@link NaoLoss}); keeping a private
 * copy here makes a model independent of the arrays the next fit trains (so it can be queried from
 * several threads while that fit runs) and makes the exact gradient of the predictor with respect
 * to the embedding cheap.
 *
 * <p>Layout (row-major, {@code x·W} convention): encoder = embedding [V×D] → LSTM (input weights
 * [D×4H], recurrent weights [H×4H], bias [4H], gate blocks in the order input, forget, candidate,
 * output, as ND4J's lstmLayer that first trained it) → mean of the hidden states over the positions → L2 normalisation =
 * embedding e; predictor = relu(e·P1 + p1)·P2 + p2; decoder = relu(e·Q1 + q1)·Q2 + q2, read as one
 * row of V token logits per position.
 */
final class NaoNetwork {
    static final String EMBEDDING = "embedding";
    static final String INPUT_WEIGHTS = "lstmInputWeights";
    static final String RECURRENT_WEIGHTS = "lstmRecurrentWeights";
    static final String GATE_BIAS = "lstmBias";
    static final String PREDICTOR_WEIGHTS_1 = "predictorWeights1";
    static final String PREDICTOR_BIAS_1 = "predictorBias1";
    static final String PREDICTOR_WEIGHTS_2 = "predictorWeights2";
    static final String PREDICTOR_BIAS_2 = "predictorBias2";
    static final String DECODER_WEIGHTS_1 = "decoderWeights1";
    static final String DECODER_BIAS_1 = "decoderBias1";
    static final String DECODER_WEIGHTS_2 = "decoderWeights2";
    static final String DECODER_BIAS_2 = "decoderBias2";
    static final Set<String> BIASES =
            Set.of(GATE_BIAS, PREDICTOR_BIAS_1, PREDICTOR_BIAS_2, DECODER_BIAS_1, DECODER_BIAS_2);
    /** Keeps the normalisation defined (and its gradient finite) for an all-zero mean state. */
    static final double NORM_EPSILON = 1e-8;

    private final int length;
    private final int vocabulary;
    private final int embeddingSize;
    private final int hidden;
    private final int predictorHidden;
    private final int decoderHidden;
    private final double[] embedding;
    private final double[] inputWeights;
    private final double[] recurrentWeights;
    private final double[] gateBias;
    private final double[] predictorWeights1;
    private final double[] predictorBias1;
    private final double[] predictorWeights2;
    private final double predictorBias2;
    private final double[] decoderWeights1;
    private final double[] decoderBias1;
    private final double[] decoderWeights2;
    private final double[] decoderBias2;

    /** @param values each parameter of {@link #shapes} by name, row-major; copied */
    NaoNetwork(int length, int vocabulary, NaoSettings settings, Function<String, double[]> values) {
        this.length = length;
        this.vocabulary = vocabulary;
        this.embeddingSize = settings.embeddingSize();
        this.hidden = settings.hiddenSize();
        this.predictorHidden = settings.predictorHidden();
        this.decoderHidden = settings.decoderHidden();
        Map<String, long[]> shapes = shapes(length, vocabulary, settings);
        Function<String, double[]> checked = name -> {
            double[] v = values.apply(name);
            long expected = Arrays.stream(shapes.get(name)).reduce(1, (a, b) -> a * b);
            if (v.length != expected) {
                throw new IllegalStateException(
                        "parameter " + name + " has " + v.length + " values, expected " + expected);
            }
            return v.clone();
        };
        this.embedding = checked.apply(EMBEDDING);
        this.inputWeights = checked.apply(INPUT_WEIGHTS);
        this.recurrentWeights = checked.apply(RECURRENT_WEIGHTS);
        this.gateBias = checked.apply(GATE_BIAS);
        this.predictorWeights1 = checked.apply(PREDICTOR_WEIGHTS_1);
        this.predictorBias1 = checked.apply(PREDICTOR_BIAS_1);
        this.predictorWeights2 = checked.apply(PREDICTOR_WEIGHTS_2);
        this.predictorBias2 = checked.apply(PREDICTOR_BIAS_2)[0];
        this.decoderWeights1 = checked.apply(DECODER_WEIGHTS_1);
        this.decoderBias1 = checked.apply(DECODER_BIAS_1);
        this.decoderWeights2 = checked.apply(DECODER_WEIGHTS_2);
        this.decoderBias2 = checked.apply(DECODER_BIAS_2);
    }

    /** The parameters in a fixed order, with their shapes: the single source of the layout. */
    static Map<String, long[]> shapes(int length, int vocabulary, NaoSettings s) {
        int h = s.hiddenSize();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put(EMBEDDING, new long[] {vocabulary, s.embeddingSize()});
        shapes.put(INPUT_WEIGHTS, new long[] {s.embeddingSize(), 4L * h});
        shapes.put(RECURRENT_WEIGHTS, new long[] {h, 4L * h});
        shapes.put(GATE_BIAS, new long[] {4L * h});
        shapes.put(PREDICTOR_WEIGHTS_1, new long[] {h, s.predictorHidden()});
        shapes.put(PREDICTOR_BIAS_1, new long[] {1, s.predictorHidden()});
        shapes.put(PREDICTOR_WEIGHTS_2, new long[] {s.predictorHidden(), 1});
        shapes.put(PREDICTOR_BIAS_2, new long[] {1, 1});
        shapes.put(DECODER_WEIGHTS_1, new long[] {h, s.decoderHidden()});
        shapes.put(DECODER_BIAS_1, new long[] {1, s.decoderHidden()});
        shapes.put(DECODER_WEIGHTS_2, new long[] {s.decoderHidden(), (long) length * vocabulary});
        shapes.put(DECODER_BIAS_2, new long[] {1, (long) length * vocabulary});
        return shapes;
    }

    int embeddingDimension() {
        return hidden;
    }

    /** The continuous embedding e of a token sequence (unit L2 norm, up to {@link #NORM_EPSILON}). */
    double[] encode(int[] tokens) {
        int gates = 4 * hidden;
        double[] h = new double[hidden];
        double[] c = new double[hidden];
        double[] mean = new double[hidden];
        double[] z = new double[gates];
        for (int token : tokens) {
            System.arraycopy(gateBias, 0, z, 0, gates);
            int row = token * embeddingSize;
            for (int d = 0; d < embeddingSize; d++) {
                addScaledRow(z, inputWeights, d * gates, embedding[row + d]);
            }
            for (int k = 0; k < hidden; k++) {
                addScaledRow(z, recurrentWeights, k * gates, h[k]);
            }
            for (int k = 0; k < hidden; k++) {
                double input = sigmoid(z[k]);
                double forget = sigmoid(z[hidden + k]);
                double candidate = Math.tanh(z[2 * hidden + k]);
                double output = sigmoid(z[3 * hidden + k]);
                c[k] = forget * c[k] + input * candidate;
                h[k] = output * Math.tanh(c[k]);
                mean[k] += h[k] / tokens.length;
            }
        }
        double squares = NORM_EPSILON;
        for (double m : mean) {
            squares += m * m;
        }
        double norm = Math.sqrt(squares);
        for (int k = 0; k < hidden; k++) {
            mean[k] /= norm;
        }
        return mean;
    }

    /** The predictor's output for embedding {@code e}. */
    double predict(double[] e) {
        double[] pre = affine(e, predictorWeights1, predictorBias1);
        double out = predictorBias2;
        for (int j = 0; j < predictorHidden; j++) {
            out += Math.max(0, pre[j]) * predictorWeights2[j];
        }
        return out;
    }

    /** The gradient of {@link #predict} with respect to {@code e}. */
    double[] predictorGradient(double[] e) {
        double[] pre = affine(e, predictorWeights1, predictorBias1);
        double[] gradient = new double[hidden];
        for (int i = 0; i < hidden; i++) {
            double g = 0;
            int row = i * predictorHidden;
            for (int j = 0; j < predictorHidden; j++) {
                if (pre[j] > 0) {
                    g += predictorWeights1[row + j] * predictorWeights2[j];
                }
            }
            gradient[i] = g;
        }
        return gradient;
    }

    /** The most likely token at each position for embedding {@code e}. */
    int[] decode(double[] e) {
        double[] hiddenLayer = affine(e, decoderWeights1, decoderBias1);
        for (int j = 0; j < decoderHidden; j++) {
            hiddenLayer[j] = Math.max(0, hiddenLayer[j]);
        }
        double[] logits = affine(hiddenLayer, decoderWeights2, decoderBias2);
        int[] tokens = new int[length];
        for (int p = 0; p < length; p++) {
            int best = 0;
            for (int v = 1; v < vocabulary; v++) {
                if (logits[p * vocabulary + v] > logits[p * vocabulary + best]) {
                    best = v;
                }
            }
            tokens[p] = best;
        }
        return tokens;
    }

    /** x·W + b for a row vector x and W stored row-major with b.length columns. */
    private static double[] affine(double[] x, double[] weights, double[] bias) {
        double[] out = bias.clone();
        for (int i = 0; i < x.length; i++) {
            addScaledRow(out, weights, i * out.length, x[i]);
        }
        return out;
    }

    private static void addScaledRow(double[] target, double[] matrix, int offset, double scale) {
        if (scale == 0) {
            return;
        }
        for (int j = 0; j < target.length; j++) {
            target[j] += scale * matrix[offset + j];
        }
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
