package io.archipelago.predictors.nao;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMActivations;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMDataFormat;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMDirectionMode;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMLayerConfig;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.weights.LSTMLayerWeights;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Trains the NAO encoder, predictor and decoder jointly in SameDiff and hands the result over as an
 * immutable {@link NaoNetwork}. One trainer per fit: the graph is private to it and discarded.
 *
 * <p>Pitfalls of ND4J 1.0.0-M2.1 that shaped this code (each checked against finite differences):
 * the fused {@code lstmLayer} is used in double precision (see {@link #TYPE}) because SameDiff's
 * cost is per op, and an LSTM unrolled from basic ops is four times as many ops; the fused
 * {@code gru} op's gradients are wrong; the built-in softmax cross-entropy loss's gradient is off by
 * a constant factor, so the reconstruction loss is written from {@code logSoftmax}.
 */
final class NaoTrainer {
    /**
     * Double, not float: the oneDNN build of ND4J only takes over float LSTMs, and its lstmLayer
     * fails here; in double the generic implementation runs, and its gradient is right.
     */
    private static final DataType TYPE = DataType.DOUBLE;
    /** Time-major input [positions, batch, features], full output sequence [positions, batch, hidden]. */
    private static final LSTMLayerConfig LSTM = LSTMLayerConfig.builder()
            .lstmdataformat(LSTMDataFormat.TNS)
            .directionMode(LSTMDirectionMode.FWD)
            .gateAct(LSTMActivations.SIGMOID)
            .cellAct(LSTMActivations.TANH)
            .outAct(LSTMActivations.TANH)
            .retFullSequence(true)
            .retLastH(false)
            .retLastC(false)
            .build();

    private static final String TOKENS = "tokens";
    private static final String LABELS = "labels";
    private static final String TARGET = "target";
    private static final String LOSS = "loss";

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
        Map<String, long[]> shapes = NaoNetwork.shapes(length, vocabulary, settings);
        SameDiff sd = SameDiff.create();
        List<String> names = new ArrayList<>(shapes.keySet());
        Map<String, SDVariable> params = new HashMap<>();
        for (String name : names) {
            params.put(name, sd.var(name, initialValue(name, shapes.get(name), random)));
        }
        buildLoss(sd, params);
        QuietGradients.createGradFunction(sd);

        Map<String, GradientUpdater> updaters = new HashMap<>();
        for (String name : names) {
            long size = sd.getArrForVarName(name).length();
            updaters.put(name, new Adam(settings.learningRate()).instantiate(Nd4j.zeros(TYPE, 1, 2 * size), true));
        }
        int n = tokens.length;
        int batch = settings.batchSize() == 0 ? n : Math.min(settings.batchSize(), n);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // Full-batch training feeds the same arrays every step, so they are built once.
        Map<String, INDArray> fullBatch = batch == n ? placeholders(tokens, targets, order, 0, n) : null;
        int iteration = 0;
        for (int epoch = 0; epoch < settings.epochs(); epoch++) {
            if (fullBatch == null) {
                shuffle(order, random);
            }
            for (int start = 0; start < n; start += batch) {
                Map<String, INDArray> feed = fullBatch != null
                        ? fullBatch
                        : placeholders(tokens, targets, order, start, Math.min(n, start + batch));
                Map<String, INDArray> gradients = sd.calculateGradients(feed, names);
                for (String name : names) {
                    INDArray gradient = gradients.get(name);
                    INDArray flat = gradient.reshape(1, gradient.length());
                    updaters.get(name).applyUpdater(flat, iteration, epoch);
                    sd.getArrForVarName(name).subi(flat.reshape(gradient.shape()));
                }
                iteration++;
            }
        }
        NaoNetwork network = new NaoNetwork(
                length,
                vocabulary,
                settings,
                name -> sd.getArrForVarName(name).dup('c').data().asDouble());
        // The graph's off-heap arrays are freed only when the GC collects their handles, which
        // barely touch the heap: without this, 170 fits of a search grew the process to 24 GB
        // and the kernel killed it. One collection per fit (seconds of work) costs nothing.
        System.gc();
        return network;
    }

    /** The joint loss λ·MSE + (1−λ)·mean per-position cross-entropy, as variable {@link #LOSS}. */
    private void buildLoss(SameDiff sd, Map<String, SDVariable> p) {
        // Rows of TOKENS are one-hot tokens ordered position-major (row = position·batch + sample),
        // so that one reshape of their embeddings is lstmLayer's time-major input. LABELS holds the
        // same tokens sample-major, the order of the decoder's logits.
        SDVariable onehot = sd.placeHolder(TOKENS, TYPE, -1, vocabulary);
        SDVariable labels = sd.placeHolder(LABELS, TYPE, -1, vocabulary);
        SDVariable target = sd.placeHolder(TARGET, TYPE, -1, 1);

        SDVariable embedded =
                sd.reshape(sd.mmul(onehot, p.get(NaoNetwork.EMBEDDING)), length, -1, settings.embeddingSize());
        LSTMLayerWeights weights = LSTMLayerWeights.builder()
                .weights(p.get(NaoNetwork.INPUT_WEIGHTS))
                .rWeights(p.get(NaoNetwork.RECURRENT_WEIGHTS))
                .bias(p.get(NaoNetwork.GATE_BIAS))
                .build();
        SDVariable states = sd.rnn().lstmLayer(embedded, weights, LSTM)[0];
        SDVariable mean = sd.mean(states, 0);
        SDVariable embedding =
                mean.div(sd.math().sqrt(sd.sum(sd.math().square(mean), true, 1).add(NaoNetwork.NORM_EPSILON)));

        SDVariable predictorHidden = sd.nn()
                .relu(
                        sd.mmul(embedding, p.get(NaoNetwork.PREDICTOR_WEIGHTS_1))
                                .add(p.get(NaoNetwork.PREDICTOR_BIAS_1)),
                        0);
        SDVariable prediction =
                sd.mmul(predictorHidden, p.get(NaoNetwork.PREDICTOR_WEIGHTS_2)).add(p.get(NaoNetwork.PREDICTOR_BIAS_2));
        SDVariable mse = sd.mean(sd.math().square(prediction.sub(target)));

        SDVariable decoderHidden = sd.nn()
                .relu(sd.mmul(embedding, p.get(NaoNetwork.DECODER_WEIGHTS_1)).add(p.get(NaoNetwork.DECODER_BIAS_1)), 0);
        SDVariable logits = sd.reshape(
                sd.mmul(decoderHidden, p.get(NaoNetwork.DECODER_WEIGHTS_2)).add(p.get(NaoNetwork.DECODER_BIAS_2)),
                -1,
                vocabulary);
        SDVariable crossEntropy =
                sd.math().neg(sd.mean(sd.sum(labels.mul(sd.nn().logSoftmax(logits)), 1)));

        double lambda = settings.tradeOff();
        sd.setLossVariables(mse.mul(lambda).add(crossEntropy.mul(1 - lambda)).rename(LOSS));
    }

    /** The feed for observations {@code order[from..to)}. */
    private Map<String, INDArray> placeholders(int[][] tokens, double[] targets, int[] order, int from, int to) {
        int b = to - from;
        double[][] encoderInput = new double[length * b][vocabulary];
        double[][] labels = new double[b * length][vocabulary];
        double[][] target = new double[b][1];
        for (int i = 0; i < b; i++) {
            int[] sequence = tokens[order[from + i]];
            for (int position = 0; position < length; position++) {
                encoderInput[position * b + i][sequence[position]] = 1;
                labels[i * length + position][sequence[position]] = 1;
            }
            target[i][0] = targets[order[from + i]];
        }
        return Map.of(TOKENS, Nd4j.create(encoderInput), LABELS, Nd4j.create(labels), TARGET, Nd4j.create(target));
    }

    /**
     * PyTorch's default: weights uniform in ±1/√fan-in, biases zero except the LSTM's forget
     * gate (1, so early gradients flow through the cell state), embedding uniform in ±1.
     */
    private INDArray initialValue(String name, long[] shape, SplittableRandom random) {
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
        return Nd4j.create(values, shape, 'c');
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
