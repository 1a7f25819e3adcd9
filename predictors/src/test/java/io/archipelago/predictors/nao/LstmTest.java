package io.archipelago.predictors.nao;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The LSTM's backward pass through time against central finite differences, in double precision. */
class LstmTest {
    private static final int INPUTS = 3;
    private static final int HIDDEN = 4;
    private static final int STEPS = 5;
    private static final int BATCH = 2;
    private static final double H = 1e-6;

    private final SplittableRandom random = new SplittableRandom(17);
    private final Weights inputWeights = new Weights(uniform(INPUTS * 4 * HIDDEN, 0.8));
    private final Weights recurrentWeights = new Weights(uniform(HIDDEN * 4 * HIDDEN, 0.8));
    private final Weights bias = new Weights(uniform(4 * HIDDEN, 0.5));
    private final Lstm lstm = new Lstm(INPUTS, HIDDEN, inputWeights, recurrentWeights, bias);
    private final double[][] x = new double[STEPS][];
    /** The test loss is Σ_t coefficients[t]·h_t, so its gradient with respect to h_t is coefficients[t]. */
    private final double[][] coefficients = new double[STEPS][];

    LstmTest() {
        for (int t = 0; t < STEPS; t++) {
            x[t] = uniform(BATCH * INPUTS, 1.5);
            coefficients[t] = uniform(BATCH * HIDDEN, 1);
        }
    }

    @Test
    void weightGradientsMatchFiniteDifferences() {
        lstm.backward(lstm.forward(x, BATCH), coefficients);
        for (Weights weights : List.of(inputWeights, recurrentWeights, bias)) {
            for (int i = 0; i < weights.value.length; i++) {
                double saved = weights.value[i];
                weights.value[i] = saved + H;
                double plus = loss();
                weights.value[i] = saved - H;
                double minus = loss();
                weights.value[i] = saved;
                double numeric = (plus - minus) / (2 * H);
                assertEquals(numeric, weights.gradient[i], 1e-8 + 1e-6 * Math.abs(numeric), "weight " + i);
            }
        }
    }

    @Test
    void inputGradientsMatchFiniteDifferences() {
        double[][] dx = lstm.backward(lstm.forward(x, BATCH), coefficients);
        for (int t = 0; t < STEPS; t++) {
            for (int i = 0; i < x[t].length; i++) {
                double saved = x[t][i];
                x[t][i] = saved + H;
                double plus = loss();
                x[t][i] = saved - H;
                double minus = loss();
                x[t][i] = saved;
                double numeric = (plus - minus) / (2 * H);
                assertEquals(numeric, dx[t][i], 1e-8 + 1e-6 * Math.abs(numeric), "step " + t + " input " + i);
            }
        }
    }

    /** The batch's sequences are independent: each one's states are those it gets alone. */
    @Test
    void sequencesOfABatchDoNotMix() {
        Lstm.Trace both = lstm.forward(x, BATCH);
        double[][] second = new double[STEPS][];
        for (int t = 0; t < STEPS; t++) {
            second[t] = Arrays.copyOfRange(x[t], INPUTS, 2 * INPUTS);
        }
        Lstm.Trace alone = lstm.forward(second, 1);
        for (int t = 0; t < STEPS; t++) {
            for (int k = 0; k < HIDDEN; k++) {
                assertEquals(alone.output(t)[k], both.output(t)[HIDDEN + k], 1e-15);
            }
        }
    }

    private double loss() {
        Lstm.Trace trace = lstm.forward(x, BATCH);
        double sum = 0;
        for (int t = 0; t < STEPS; t++) {
            for (int i = 0; i < coefficients[t].length; i++) {
                sum += coefficients[t][i] * trace.output(t)[i];
            }
        }
        return sum;
    }

    private double[] uniform(int size, double scale) {
        double[] values = new double[size];
        for (int i = 0; i < size; i++) {
            values[i] = scale * (2 * random.nextDouble() - 1);
        }
        return values;
    }
}
