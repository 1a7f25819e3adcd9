package io.archipelago.predictors.nao;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The whole training loss's hand-written gradient against central finite differences. */
class NaoLossTest {
    private static final int LENGTH = 4;
    private static final int VOCABULARY = 3;
    private static final NaoSettings SMALL = new NaoSettings(5, 6, 7, 8, 1, 0, 0.01, 0.7, 0.05, 5);

    @Test
    void gradientsMatchFiniteDifferences() {
        SplittableRandom random = new SplittableRandom(5);
        NaoTrainer trainer = new NaoTrainer(LENGTH, VOCABULARY, SMALL);
        Map<String, Weights> parameters = trainer.initialParameters(random);
        // nonzero biases, so that their gradients (and ReLUs cut by them) are exercised too
        for (Weights weights : parameters.values()) {
            for (int i = 0; i < weights.value.length; i++) {
                weights.value[i] += 0.3 * (2 * random.nextDouble() - 1);
            }
        }
        int[][] tokens = new int[6][LENGTH];
        double[] targets = new double[tokens.length];
        for (int s = 0; s < tokens.length; s++) {
            for (int t = 0; t < LENGTH; t++) {
                tokens[s][t] = random.nextInt(VOCABULARY);
            }
            targets[s] = 2 * random.nextDouble() - 1;
        }
        int[] rows = {4, 0, 2, 5, 1};
        NaoLoss loss = new NaoLoss(LENGTH, VOCABULARY, SMALL, parameters);
        loss.accumulate(tokens, targets, rows);
        // taken now: each loss evaluation below adds to the gradients again
        Map<String, double[]> analytic = new HashMap<>();
        parameters.forEach((name, weights) -> analytic.put(name, weights.gradient.clone()));
        double h = 1e-6;
        int checked = 0;
        for (Map.Entry<String, Weights> entry : parameters.entrySet()) {
            Weights weights = entry.getValue();
            for (int i = 0; i < weights.value.length; i++) {
                double saved = weights.value[i];
                weights.value[i] = saved + h;
                double plus = loss.accumulate(tokens, targets, rows);
                weights.value[i] = saved - h;
                double minus = loss.accumulate(tokens, targets, rows);
                weights.value[i] = saved;
                double numeric = (plus - minus) / (2 * h);
                assertEquals(
                        numeric,
                        analytic.get(entry.getKey())[i],
                        1e-7 + 1e-5 * Math.abs(numeric),
                        entry.getKey() + "[" + i + "]");
                checked++;
            }
        }
        assertTrue(checked > 500, checked + " values checked");
    }
}
