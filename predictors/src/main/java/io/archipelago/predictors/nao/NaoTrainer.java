package io.archipelago.predictors.nao;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains the NAO encoder, predictor and decoder jointly ({@link NaoLoss}, {@link Adam}) and hands
 * the result over as an immutable {@link NaoNetwork}. Plain Java arrays on the heap, so a fit
 * leaves nothing a collection cannot return: a SameDiff graph kept about 120 MB of off-heap memory
 * per fit, and a long NAO search, which refits hundreds of times, died of it.
 */
final class NaoTrainer {
    private final int length;
    private final int vocabulary;
    private final NaoSettings settings;

    NaoTrainer(int length, int vocabulary, NaoSettings settings) {
        this.length = length;
        this.vocabulary = vocabulary;
        this.settings = settings;
    }

    /**
     * @param tokens one token sequence per observation
     * @param targets the observations' targets, already scaled (higher is better)
     */
    NaoNetwork train(int[][] tokens, double[] targets, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Weights> parameters = initialParameters(random);
        NaoLoss loss = new NaoLoss(length, vocabulary, settings, parameters);
        Adam adam = new Adam(List.copyOf(parameters.values()), settings.learningRate());
        int n = tokens.length;
        int batch = settings.batchSize() == 0 ? n : Math.min(settings.batchSize(), n);
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        for (int epoch = 0; epoch < settings.epochs(); epoch++) {
            if (batch < n) {
                shuffle(order, random);
            }
            for (int start = 0; start < n; start += batch) {
                loss.accumulate(tokens, targets, Arrays.copyOfRange(order, start, Math.min(n, start + batch)));
                adam.step();
            }
        }
        return new NaoNetwork(length, vocabulary, settings, name -> parameters.get(name).value);
    }

    /**
     * PyTorch's default: weights uniform in ±1/√fan-in, biases zero except the LSTM's forget
     * gate (1, so early gradients flow through the cell state), embedding uniform in ±1. Drawn in
     * {@link NaoNetwork#shapes}' order, so a seed fixes them.
     */
    Map<String, Weights> initialParameters(SplittableRandom random) {
        Map<String, Weights> parameters = new LinkedHashMap<>();
        NaoNetwork.shapes(length, vocabulary, settings).forEach((name, shape) -> {
            double[] values = new double[Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b))];
            if (name.equals(NaoNetwork.GATE_BIAS)) {
                int h = settings.hiddenSize();
                Arrays.fill(values, h, 2 * h, 1);
            } else if (!NaoNetwork.BIASES.contains(name)) {
                double scale = name.equals(NaoNetwork.EMBEDDING) ? 1 : 1 / Math.sqrt(shape[0]);
                for (int i = 0; i < values.length; i++) {
                    values[i] = scale * (2 * random.nextDouble() - 1);
                }
            }
            parameters.put(name, new Weights(values));
        });
        return parameters;
    }

    private static void shuffle(int[] order, SplittableRandom random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
