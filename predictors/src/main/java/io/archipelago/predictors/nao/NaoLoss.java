package io.archipelago.predictors.nao;

import java.util.Arrays;
import java.util.Map;

/**
 * NAO's joint training loss on a batch, λ·MSE + (1−λ)·mean per-position cross-entropy of the
 * reconstruction, with its hand-written backward pass. The forward computation is {@link
 * NaoNetwork}'s (embedding, LSTM, mean of the hidden states, L2 normalisation, predictor and
 * decoder MLPs) over a batch.
 */
final class NaoLoss {
    private final int length;
    private final int vocabulary;
    private final int embeddingSize;
    private final int hidden;
    private final int predictorHidden;
    private final int decoderHidden;
    private final double tradeOff;
    private final Map<String, Weights> parameters;
    private final Lstm lstm;

    /** @param parameters the trained arrays by {@link NaoNetwork}'s names; read and given gradients in place */
    NaoLoss(int length, int vocabulary, NaoSettings settings, Map<String, Weights> parameters) {
        this.length = length;
        this.vocabulary = vocabulary;
        this.embeddingSize = settings.embeddingSize();
        this.hidden = settings.hiddenSize();
        this.predictorHidden = settings.predictorHidden();
        this.decoderHidden = settings.decoderHidden();
        this.tradeOff = settings.tradeOff();
        this.parameters = parameters;
        this.lstm = new Lstm(
                embeddingSize,
                hidden,
                parameters.get(NaoNetwork.INPUT_WEIGHTS),
                parameters.get(NaoNetwork.RECURRENT_WEIGHTS),
                parameters.get(NaoNetwork.GATE_BIAS));
    }

    /**
     * The loss on observations {@code rows}, adding its gradient to every parameter's.
     *
     * @param tokens all observations' token sequences
     * @param targets all observations' (scaled) targets
     */
    double accumulate(int[][] tokens, double[] targets, int[] rows) {
        int batch = rows.length;
        double[] table = parameters.get(NaoNetwork.EMBEDDING).value;
        double[][] embedded = new double[length][batch * embeddingSize];
        for (int t = 0; t < length; t++) {
            for (int b = 0; b < batch; b++) {
                System.arraycopy(
                        table, tokens[rows[b]][t] * embeddingSize, embedded[t], b * embeddingSize, embeddingSize);
            }
        }
        Lstm.Trace trace = lstm.forward(embedded, batch);
        double[] mean = new double[batch * hidden];
        for (int t = 0; t < length; t++) {
            double[] h = trace.output(t);
            for (int i = 0; i < mean.length; i++) {
                mean[i] += h[i] / length;
            }
        }
        double[] norms = new double[batch];
        double[] e = new double[batch * hidden];
        for (int b = 0; b < batch; b++) {
            double squares = NaoNetwork.NORM_EPSILON;
            for (int k = 0; k < hidden; k++) {
                squares += mean[b * hidden + k] * mean[b * hidden + k];
            }
            norms[b] = Math.sqrt(squares);
            for (int k = 0; k < hidden; k++) {
                e[b * hidden + k] = mean[b * hidden + k] / norms[b];
            }
        }

        double[] de = new double[batch * hidden];
        double loss = tradeOff * predictorLoss(e, targets, rows, de)
                + (1 - tradeOff) * reconstructionLoss(e, tokens, rows, de);

        // Through the normalisation e = m/‖m‖: dm = (de − e·(e·de)) / ‖m‖.
        double[] dh = new double[batch * hidden];
        for (int b = 0; b < batch; b++) {
            double dot = 0;
            for (int k = 0; k < hidden; k++) {
                dot += e[b * hidden + k] * de[b * hidden + k];
            }
            for (int k = 0; k < hidden; k++) {
                int i = b * hidden + k;
                dh[i] = (de[i] - e[i] * dot) / norms[b] / length;
            }
        }
        double[][] stepGradients = new double[length][];
        Arrays.fill(stepGradients, dh); // the mean passes the same share to every step
        double[][] dx = lstm.backward(trace, stepGradients);
        double[] tableGradient = parameters.get(NaoNetwork.EMBEDDING).gradient;
        for (int t = 0; t < length; t++) {
            for (int b = 0; b < batch; b++) {
                int row = tokens[rows[b]][t] * embeddingSize;
                for (int d = 0; d < embeddingSize; d++) {
                    tableGradient[row + d] += dx[t][b * embeddingSize + d];
                }
            }
        }
        return loss;
    }

    /** The mean squared error of the predictor; adds λ times its gradient with respect to e to {@code de}. */
    private double predictorLoss(double[] e, double[] targets, int[] rows, double[] de) {
        int batch = rows.length;
        double[] activation = affine(e, batch, hidden, NaoNetwork.PREDICTOR_WEIGHTS_1, NaoNetwork.PREDICTOR_BIAS_1);
        relu(activation);
        double[] prediction =
                affine(activation, batch, predictorHidden, NaoNetwork.PREDICTOR_WEIGHTS_2, NaoNetwork.PREDICTOR_BIAS_2);
        double squares = 0;
        double[] dPrediction = new double[batch];
        for (int b = 0; b < batch; b++) {
            double error = prediction[b] - targets[rows[b]];
            squares += error * error;
            dPrediction[b] = tradeOff * 2 * error / batch;
        }
        double[] dActivation = affineBackward(
                activation,
                dPrediction,
                batch,
                predictorHidden,
                NaoNetwork.PREDICTOR_WEIGHTS_2,
                NaoNetwork.PREDICTOR_BIAS_2);
        reluBackward(activation, dActivation);
        addTo(
                de,
                affineBackward(
                        e, dActivation, batch, hidden, NaoNetwork.PREDICTOR_WEIGHTS_1, NaoNetwork.PREDICTOR_BIAS_1));
        return squares / batch;
    }

    /** The decoder's mean cross-entropy per position; adds (1−λ) times its gradient with respect to e to {@code de}. */
    private double reconstructionLoss(double[] e, int[][] tokens, int[] rows, double[] de) {
        int batch = rows.length;
        double[] activation = affine(e, batch, hidden, NaoNetwork.DECODER_WEIGHTS_1, NaoNetwork.DECODER_BIAS_1);
        relu(activation);
        double[] logits =
                affine(activation, batch, decoderHidden, NaoNetwork.DECODER_WEIGHTS_2, NaoNetwork.DECODER_BIAS_2);
        double crossEntropy = 0;
        double scale = (1 - tradeOff) / (batch * length);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < length; t++) {
                int offset = (b * length + t) * vocabulary;
                double max = Double.NEGATIVE_INFINITY;
                for (int v = 0; v < vocabulary; v++) {
                    max = Math.max(max, logits[offset + v]);
                }
                double sum = 0;
                for (int v = 0; v < vocabulary; v++) {
                    sum += Math.exp(logits[offset + v] - max);
                }
                int label = tokens[rows[b]][t];
                crossEntropy -= logits[offset + label] - max - Math.log(sum);
                // the logits' gradient, in place: softmax − one-hot, scaled
                for (int v = 0; v < vocabulary; v++) {
                    double softmax = Math.exp(logits[offset + v] - max) / sum;
                    logits[offset + v] = scale * (softmax - (v == label ? 1 : 0));
                }
            }
        }
        double[] dActivation = affineBackward(
                activation, logits, batch, decoderHidden, NaoNetwork.DECODER_WEIGHTS_2, NaoNetwork.DECODER_BIAS_2);
        reluBackward(activation, dActivation);
        addTo(
                de,
                affineBackward(e, dActivation, batch, hidden, NaoNetwork.DECODER_WEIGHTS_1, NaoNetwork.DECODER_BIAS_1));
        return crossEntropy / (batch * length);
    }

    /** x·W + b for x [rows, inputs]. */
    private double[] affine(double[] x, int rows, int inputs, String weights, String bias) {
        double[] b = parameters.get(bias).value;
        double[] y = new double[rows * b.length];
        DoubleMatrices.addRows(y, b, rows);
        DoubleMatrices.multiply(x, parameters.get(weights).value, y, rows, inputs, b.length);
        return y;
    }

    /** Adds the gradients of W and b for output gradient {@code dy}; returns the gradient of x. */
    private double[] affineBackward(double[] x, double[] dy, int rows, int inputs, String weights, String bias) {
        int outputs = parameters.get(bias).value.length;
        DoubleMatrices.multiplyTransposedLeft(x, dy, parameters.get(weights).gradient, rows, inputs, outputs);
        DoubleMatrices.sumRows(dy, parameters.get(bias).gradient, rows);
        double[] dx = new double[rows * inputs];
        DoubleMatrices.multiplyTransposedRight(dy, parameters.get(weights).value, dx, rows, outputs, inputs);
        return dx;
    }

    private static void relu(double[] m) {
        for (int i = 0; i < m.length; i++) {
            m[i] = Math.max(0, m[i]);
        }
    }

    private static void reluBackward(double[] activation, double[] gradient) {
        for (int i = 0; i < gradient.length; i++) {
            if (activation[i] <= 0) {
                gradient[i] = 0;
            }
        }
    }

    private static void addTo(double[] target, double[] values) {
        for (int i = 0; i < target.length; i++) {
            target[i] += values[i];
        }
    }
}
