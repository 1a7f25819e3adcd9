package io.archipelago.predictors.nao;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Trains the NAO encoder, predictor and decoder jointly in SameDiff and hands the result over as an
 * immutable {@link NaoNetwork}. One trainer per fit: the graph is private to it and discarded.
 *
 * <p>The LSTM is unrolled from basic ops: in ND4J 1.0.0-M2.1 the fused {@code lstmLayer} fails
 * in its oneDNN implementation (helpers can only be switched off process-wide) and the fused
 * {@code gru}'s gradients disagree with finite differences. The reconstruction loss is written
 * from {@code logSoftmax} because the gradient of the built-in softmax cross-entropy loss is off
 * by a constant factor.
 */
final class NaoTrainer {
    private static final DataType TYPE = DataType.FLOAT;
    private static final String TOKENS = "tokens";
    private static final String LABELS = "labels";
    private static final String TARGET = "target";
    private static final String LOSS = "loss";

    static long GRAD, UPD;
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
                Map<String, INDArray> feed = fullBatch != null ? fullBatch : placeholders(tokens, targets, order, start, Math.min(n, start + batch));
                long T0=System.nanoTime();
                Map<String, INDArray> gradients = sd.calculateGradients(feed, names);
                long T1=System.nanoTime(); GRAD+=T1-T0;
                for (String name : names) {
                    INDArray gradient = gradients.get(name);
                    INDArray flat = gradient.reshape(1, gradient.length());
                    updaters.get(name).applyUpdater(flat, iteration, epoch);
                    sd.getArrForVarName(name).subi(flat.reshape(gradient.shape()));
                }
                if(iteration==0){ System.err.println("OPS fwd "+sd.getOps().size()+" grad "+sd.getFunction("grad").getOps().size()); java.util.Map<String,Integer> cnt=new java.util.TreeMap<>(); for(var op: sd.getFunction("grad").getOps().values()) cnt.merge(op.getOp().opName(),1,Integer::sum); System.err.println(cnt);}
                iteration++;
                UPD+=System.nanoTime()-T1;
            }
        }
        return new NaoNetwork(length, vocabulary, settings, name -> sd.getArrForVarName(name).dup('c').data().asDouble());
    }

    /** The joint loss λ·MSE + (1−λ)·mean per-position cross-entropy, as variable {@link #LOSS}. */
    private void buildLoss(SameDiff sd, Map<String, SDVariable> p) {
        int h = settings.hiddenSize();
        // Rows of TOKENS are one-hot tokens ordered position-major (row = position·batch + sample),
        // so that one reshape yields the per-position input projections of the whole batch.
        SDVariable onehot = sd.placeHolder(TOKENS, TYPE, -1, vocabulary);
        SDVariable labels = sd.placeHolder(LABELS, TYPE, -1, vocabulary);
        SDVariable target = sd.placeHolder(TARGET, TYPE, -1, 1);

        SDVariable projected = sd.mmul(sd.mmul(onehot, p.get(NaoNetwork.EMBEDDING)), p.get(NaoNetwork.INPUT_WEIGHTS)).add(p.get(NaoNetwork.GATE_BIAS));
        SDVariable[] steps = sd.unstack(sd.reshape(projected, length, -1, 4 * h), 0, length);
        SDVariable state = null;
        SDVariable cell = null;
        SDVariable sum = null;
        for (SDVariable step : steps) {
            SDVariable z = state == null ? step : step.add(sd.mmul(state, p.get(NaoNetwork.RECURRENT_WEIGHTS)));
            // One reshape + unstack splits the gates: cheaper in SameDiff than four slices, whose
            // gradients are each a full-size array.
            SDVariable[] gates = sd.unstack(sd.reshape(z, -1, 4, h), 1, 4);
            SDVariable input = sd.nn().sigmoid(gates[0]);
            SDVariable output = sd.nn().sigmoid(gates[2]);
            SDVariable candidate = sd.math().tanh(gates[3]);
            cell = cell == null ? input.mul(candidate) : sd.nn().sigmoid(gates[1]).mul(cell).add(input.mul(candidate));
            state = output.mul(sd.math().tanh(cell));
            sum = sum == null ? state : sum.add(state);
        }
        SDVariable mean = sum.div(length);
        SDVariable embedding = mean.div(sd.math().sqrt(sd.sum(sd.math().square(mean), true, 1).add(NaoNetwork.NORM_EPSILON)));

        SDVariable predictorHidden = sd.nn().relu(sd.mmul(embedding, p.get(NaoNetwork.PREDICTOR_WEIGHTS_1)).add(p.get(NaoNetwork.PREDICTOR_BIAS_1)), 0);
        SDVariable prediction = sd.mmul(predictorHidden, p.get(NaoNetwork.PREDICTOR_WEIGHTS_2)).add(p.get(NaoNetwork.PREDICTOR_BIAS_2));
        SDVariable mse = sd.mean(sd.math().square(prediction.sub(target)));

        SDVariable decoderHidden = sd.nn().relu(sd.mmul(embedding, p.get(NaoNetwork.DECODER_WEIGHTS_1)).add(p.get(NaoNetwork.DECODER_BIAS_1)), 0);
        SDVariable logits = sd.reshape(sd.mmul(decoderHidden, p.get(NaoNetwork.DECODER_WEIGHTS_2)).add(p.get(NaoNetwork.DECODER_BIAS_2)), -1, vocabulary);
        SDVariable crossEntropy = sd.math().neg(sd.mean(sd.sum(labels.mul(sd.nn().logSoftmax(logits)), 1)));

        double lambda = settings.tradeOff();
        sd.setLossVariables(mse.mul(lambda).add(crossEntropy.mul(1 - lambda)).rename(LOSS));
    }

    /** The feed for observations {@code order[from..to)}. */
    private Map<String, INDArray> placeholders(int[][] tokens, double[] targets, int[] order, int from, int to) {
        int b = to - from;
        float[][] encoderInput = new float[length * b][vocabulary];
        float[][] labels = new float[b * length][vocabulary];
        float[][] target = new float[b][1];
        for (int i = 0; i < b; i++) {
            int[] sequence = tokens[order[from + i]];
            for (int position = 0; position < length; position++) {
                encoderInput[position * b + i][sequence[position]] = 1;
                labels[i * length + position][sequence[position]] = 1;
            }
            target[i][0] = (float) targets[order[from + i]];
        }
        return Map.of(TOKENS, Nd4j.create(encoderInput), LABELS, Nd4j.create(labels), TARGET, Nd4j.create(target));
    }

    /**
     * PyTorch's default: weights uniform in ±1/√fan-in, biases zero except the LSTM's forget
     * gate (1, so early gradients flow through the cell state), embedding uniform in ±1.
     */
    private INDArray initialValue(String name, long[] shape, SplittableRandom random) {
        int rows = (int) shape[0];
        int columns = (int) shape[1];
        float[][] values = new float[rows][columns];
        boolean bias = NaoNetwork.BIASES.contains(name);
        double scale = name.equals(NaoNetwork.EMBEDDING) ? 1 : 1 / Math.sqrt(rows);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                values[r][c] = bias ? 0 : (float) (scale * (2 * random.nextDouble() - 1));
            }
        }
        if (name.equals(NaoNetwork.GATE_BIAS)) {
            int h = settings.hiddenSize();
            for (int c = h; c < 2 * h; c++) {
                values[0][c] = 1;
            }
        }
        return Nd4j.create(values);
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
