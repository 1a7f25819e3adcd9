package io.archipelago.predictors.gcn;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A fully connected layer {@code y = x W + b} (or {@code x W} without bias) over a batch of rows,
 * with its backward pass.
 */
public final class Dense {
    private final int inputs;
    private final int outputs;
    private final Parameter weight; // [inputs, outputs]
    private final Parameter bias; // [outputs], null without bias

    private Dense(int inputs, int outputs, Parameter weight, Parameter bias) {
        this.inputs = inputs;
        this.outputs = outputs;
        this.weight = weight;
        this.bias = bias;
    }

    /** Glorot-uniform weights from {@code random}, zero bias. */
    public Dense(int inputs, int outputs, SplittableRandom random) {
        this(inputs, outputs, true, random);
    }

    /** @param bias whether the layer has a bias (initially zero) */
    public Dense(int inputs, int outputs, boolean bias, SplittableRandom random) {
        this(inputs, outputs, Parameter.glorot(inputs, outputs, random), bias ? Parameter.zeros(outputs) : null);
    }

    public int inputs() {
        return inputs;
    }

    public int outputs() {
        return outputs;
    }

    /** {@code y[rows, outputs]} for {@code x[rows, inputs]}; reads the weights only. */
    public float[] forward(float[] x, int rows) {
        float[] y = new float[rows * outputs];
        Matrices.multiply(x, weight.value, y, rows, inputs, outputs);
        if (bias != null) {
            Matrices.addRows(y, bias.value, rows);
        }
        return y;
    }

    /**
     * Adds the parameter gradients for output gradient {@code dy} to theirs.
     *
     * @return the gradient of {@code x}, or null when {@code inputGradient} is false
     */
    public float[] backward(float[] x, float[] dy, int rows, boolean inputGradient) {
        Matrices.multiplyTransposedLeft(x, dy, weight.gradient, rows, inputs, outputs);
        if (bias != null) {
            Matrices.sumRows(dy, bias.gradient, rows);
        }
        if (!inputGradient) {
            return null;
        }
        float[] dx = new float[rows * inputs];
        Matrices.multiply(dy, Matrices.transpose(weight.value, inputs, outputs), dx, rows, outputs, inputs);
        return dx;
    }

    public List<Parameter> parameters() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }

    /** A copy with the current weights, for a fitted model that must not see later training. */
    public Dense copy() {
        return new Dense(inputs, outputs, weight.copy(), bias == null ? null : bias.copy());
    }
}
