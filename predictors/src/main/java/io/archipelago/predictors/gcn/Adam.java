package io.archipelago.predictors.gcn;

import java.util.Arrays;
import java.util.List;

/**
 * Adam with decoupled weight decay (AdamW, Loshchilov &amp; Hutter) over a fixed set of
 * {@link Parameter}s: {@link #step} applies the accumulated gradients and clears them.
 */
public final class Adam {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    private final List<Parameter> parameters;
    private final double learningRate;
    private final double weightDecay;
    private final float[][] first;
    private final float[][] second;
    private int steps;

    /**
     * @param weightDecay each step multiplies the decaying parameters by {@code 1 - learningRate * weightDecay}
     */
    public Adam(List<Parameter> parameters, double learningRate, double weightDecay) {
        this.parameters = List.copyOf(parameters);
        this.learningRate = learningRate;
        this.weightDecay = weightDecay;
        this.first = new float[this.parameters.size()][];
        this.second = new float[this.parameters.size()][];
        for (int p = 0; p < this.parameters.size(); p++) {
            first[p] = new float[this.parameters.get(p).size()];
            second[p] = new float[this.parameters.get(p).size()];
        }
    }

    /** One update from the gradients accumulated since the last step; then zeroes them. */
    public void step() {
        steps++;
        float stepSize = (float) (learningRate * Math.sqrt(1 - Math.pow(BETA2, steps)) / (1 - Math.pow(BETA1, steps)));
        float epsilon = (float) (EPSILON * Math.sqrt(1 - Math.pow(BETA2, steps)));
        for (int p = 0; p < parameters.size(); p++) {
            Parameter parameter = parameters.get(p);
            float[] value = parameter.value;
            float[] gradient = parameter.gradient;
            float[] m = first[p];
            float[] v = second[p];
            float decay = parameter.decays ? (float) (1 - learningRate * weightDecay) : 1f;
            for (int i = 0; i < value.length; i++) {
                float g = gradient[i];
                m[i] = (float) (BETA1 * m[i] + (1 - BETA1) * g);
                v[i] = (float) (BETA2 * v[i] + (1 - BETA2) * g * g);
                value[i] = value[i] * decay - stepSize * m[i] / ((float) Math.sqrt(v[i]) + epsilon);
            }
            Arrays.fill(gradient, 0f);
        }
    }
}
