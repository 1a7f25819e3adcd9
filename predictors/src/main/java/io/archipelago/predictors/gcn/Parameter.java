package io.archipelago.predictors.gcn;

import java.util.SplittableRandom;

/**
 * A trainable tensor, stored flat and row-major, with the gradient that backward passes add to.
 * Mutable while a predictor trains it; a fitted model only ever reads a private copy.
 */
public final class Parameter {
    final float[] value;
    final float[] gradient;
    /** Whether weight decay applies (weights yes, biases no). */
    final boolean decays;

    private Parameter(float[] value, boolean decays) {
        this.value = value;
        this.gradient = new float[value.length];
        this.decays = decays;
    }

    /** {@code [inputs, outputs]} weights, Glorot-uniform from {@code random}, so the seed fixes them. */
    static Parameter glorot(int inputs, int outputs, SplittableRandom random) {
        double limit = Math.sqrt(6.0 / (inputs + outputs));
        float[] value = new float[inputs * outputs];
        for (int i = 0; i < value.length; i++) {
            value[i] = (float) random.nextDouble(-limit, limit);
        }
        return new Parameter(value, true);
    }

    static Parameter zeros(int size) {
        return new Parameter(new float[size], false);
    }

    /** A copy of the current values (and a fresh gradient). */
    Parameter copy() {
        return new Parameter(value.clone(), decays);
    }

    int size() {
        return value.length;
    }
}
