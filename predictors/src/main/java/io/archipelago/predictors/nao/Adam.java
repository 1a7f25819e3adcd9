package io.archipelago.predictors.nao;

import java.util.Arrays;
import java.util.List;

/**
 * Adam over NAO's double {@link Weights}, with ND4J's constants and bias correction (the
 * optimiser NAO was tuned with): step size η·√(1−β₂ᵗ)/(1−β₁ᵗ), ε added to √v uncorrected.
 * {@link #step} applies the accumulated gradients and clears them.
 */
final class Adam {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    private final List<Weights> parameters;
    private final double learningRate;
    private final double[][] first;
    private final double[][] second;
    private int steps;

    Adam(List<Weights> parameters, double learningRate) {
        this.parameters = List.copyOf(parameters);
        this.learningRate = learningRate;
        this.first = new double[this.parameters.size()][];
        this.second = new double[this.parameters.size()][];
        for (int i = 0; i < this.parameters.size(); i++) {
            first[i] = new double[this.parameters.get(i).value.length];
            second[i] = new double[this.parameters.get(i).value.length];
        }
    }

    void step() {
        steps++;
        double stepSize = learningRate * Math.sqrt(1 - Math.pow(BETA2, steps)) / (1 - Math.pow(BETA1, steps));
        for (int p = 0; p < parameters.size(); p++) {
            double[] value = parameters.get(p).value;
            double[] gradient = parameters.get(p).gradient;
            double[] m = first[p];
            double[] v = second[p];
            for (int i = 0; i < value.length; i++) {
                double g = gradient[i];
                m[i] = BETA1 * m[i] + (1 - BETA1) * g;
                v[i] = BETA2 * v[i] + (1 - BETA2) * g * g;
                value[i] -= stepSize * m[i] / (Math.sqrt(v[i]) + EPSILON);
            }
            Arrays.fill(gradient, 0);
        }
    }
}
