package io.archipelago.predictors.nao;

import java.util.Arrays;

/**
 * A one-layer LSTM over a batch of equally long sequences, with its backward pass through time.
 * Per step z = x·W + h·R + b with the gate blocks of {@link NaoNetwork}'s layout (input, forget,
 * candidate, output); c = f⊙c + i⊙g; h = o⊙tanh(c); the first step starts from zero h and c.
 * Reads its weights on every pass, so it follows the optimiser's updates.
 */
final class Lstm {
    private final int inputs;
    private final int hidden;
    private final Weights inputWeights; // [inputs, 4·hidden]
    private final Weights recurrentWeights; // [hidden, 4·hidden]
    private final Weights bias; // [4·hidden]

    Lstm(int inputs, int hidden, Weights inputWeights, Weights recurrentWeights, Weights bias) {
        if (inputWeights.value.length != inputs * 4 * hidden
                || recurrentWeights.value.length != hidden * 4 * hidden
                || bias.value.length != 4 * hidden) {
            throw new IllegalArgumentException("weights do not fit " + inputs + " inputs and " + hidden + " hidden");
        }
        this.inputs = inputs;
        this.hidden = hidden;
        this.inputWeights = inputWeights;
        this.recurrentWeights = recurrentWeights;
        this.bias = bias;
    }

    /** What a forward pass keeps for the backward pass: each step's input, gates, cell and output. */
    static final class Trace {
        final int batch;
        final double[][] inputs; // [steps][batch·inputs]
        final double[][] gates; // [steps][batch·4·hidden], after their activations
        final double[][] cells; // [steps][batch·hidden]
        final double[][] outputs; // [steps][batch·hidden]

        private Trace(int batch, double[][] inputs, int hidden) {
            this.batch = batch;
            this.inputs = inputs;
            int steps = inputs.length;
            this.gates = new double[steps][batch * 4 * hidden];
            this.cells = new double[steps][batch * hidden];
            this.outputs = new double[steps][batch * hidden];
        }

        /** The hidden states of step {@code t}, [batch, hidden]. */
        double[] output(int t) {
            return outputs[t];
        }
    }

    /** @param x one [batch, inputs] array per step */
    Trace forward(double[][] x, int batch) {
        Trace trace = new Trace(batch, x, hidden);
        int width = 4 * hidden;
        for (int t = 0; t < x.length; t++) {
            double[] z = trace.gates[t];
            DoubleMatrices.addRows(z, bias.value, batch);
            DoubleMatrices.multiply(x[t], inputWeights.value, z, batch, inputs, width);
            if (t > 0) {
                DoubleMatrices.multiply(trace.outputs[t - 1], recurrentWeights.value, z, batch, hidden, width);
            }
            double[] c = trace.cells[t];
            double[] h = trace.outputs[t];
            for (int b = 0; b < batch; b++) {
                int g = b * width;
                for (int k = 0; k < hidden; k++) {
                    double input = sigmoid(z[g + k]);
                    double forget = sigmoid(z[g + hidden + k]);
                    double candidate = Math.tanh(z[g + 2 * hidden + k]);
                    double output = sigmoid(z[g + 3 * hidden + k]);
                    z[g + k] = input;
                    z[g + hidden + k] = forget;
                    z[g + 2 * hidden + k] = candidate;
                    z[g + 3 * hidden + k] = output;
                    double previous = t > 0 ? trace.cells[t - 1][b * hidden + k] : 0;
                    c[b * hidden + k] = forget * previous + input * candidate;
                    h[b * hidden + k] = output * Math.tanh(c[b * hidden + k]);
                }
            }
        }
        return trace;
    }

    /**
     * Backpropagation through time: adds the weights' gradients for the given gradients of the
     * loss with respect to each step's hidden states.
     *
     * @param outputGradients one [batch, hidden] array per step
     * @return the gradient with respect to each step's input, one [batch, inputs] array per step
     */
    double[][] backward(Trace trace, double[][] outputGradients) {
        int steps = trace.inputs.length;
        int batch = trace.batch;
        int width = 4 * hidden;
        double[][] inputGradients = new double[steps][batch * inputs];
        double[] laterHidden = new double[batch * hidden]; // dL/dh_t through step t+1's gates
        double[] laterCell = new double[batch * hidden]; // dL/dc_t through c_{t+1}
        double[] dz = new double[batch * width];
        for (int t = steps - 1; t >= 0; t--) {
            double[] a = trace.gates[t];
            double[] c = trace.cells[t];
            double[] dh = outputGradients[t];
            for (int b = 0; b < batch; b++) {
                int g = b * width;
                for (int k = 0; k < hidden; k++) {
                    int s = b * hidden + k;
                    double input = a[g + k];
                    double forget = a[g + hidden + k];
                    double candidate = a[g + 2 * hidden + k];
                    double output = a[g + 3 * hidden + k];
                    double tanhCell = Math.tanh(c[s]);
                    double dHidden = dh[s] + laterHidden[s];
                    double dCell = laterCell[s] + dHidden * output * (1 - tanhCell * tanhCell);
                    double previous = t > 0 ? trace.cells[t - 1][s] : 0;
                    dz[g + k] = dCell * candidate * input * (1 - input);
                    dz[g + hidden + k] = dCell * previous * forget * (1 - forget);
                    dz[g + 2 * hidden + k] = dCell * input * (1 - candidate * candidate);
                    dz[g + 3 * hidden + k] = dHidden * tanhCell * output * (1 - output);
                    laterCell[s] = dCell * forget;
                }
            }
            DoubleMatrices.sumRows(dz, bias.gradient, batch);
            DoubleMatrices.multiplyTransposedLeft(trace.inputs[t], dz, inputWeights.gradient, batch, inputs, width);
            DoubleMatrices.multiplyTransposedRight(dz, inputWeights.value, inputGradients[t], batch, width, inputs);
            Arrays.fill(laterHidden, 0);
            if (t > 0) {
                DoubleMatrices.multiplyTransposedLeft(
                        trace.outputs[t - 1], dz, recurrentWeights.gradient, batch, hidden, width);
                DoubleMatrices.multiplyTransposedRight(dz, recurrentWeights.value, laterHidden, batch, width, hidden);
            }
        }
        return inputGradients;
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
