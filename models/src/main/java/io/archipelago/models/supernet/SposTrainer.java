package io.archipelago.models.supernet;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Op;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Single-path one-shot training of a {@link SposSupernet} as {@code spos_reference.py} does it:
 * per mini-batch one cell drawn uniformly (each edge's op uniform over the 5), mean cross-entropy,
 * SGD with Nesterov momentum and weight decay on every weight that got a gradient, the learning
 * rate cosine to 0 by step. Weights without a gradient that step (ops that did not run, or weights
 * before a cell with no input-output path) are not touched at all: no decay, no momentum. Each
 * epoch reshuffles the training images; the short last batch is dropped.
 *
 * <p>Every random choice is a function of (seed, step): the cell of step t, the order of epoch
 * t / stepsPerEpoch and the augmentation of step t each come from their own
 * {@link SplittableRandom} seeded from (seed, stream, index). A trainer resumed from a checkpoint
 * of step k therefore continues exactly as the uninterrupted run.
 *
 * <p>{@link #standalone} trains one fixed cell instead of a draw per step: the supernet restricted
 * to that cell is exactly the cell's own network, since weights of ops that never run are never
 * touched. Such a run is not checkpointed (a checkpoint does not record the cell).
 *
 * <p>Not thread-safe; the supernet it trains must not be evaluated while it steps.
 */
public final class SposTrainer implements AutoCloseable {
    private static final long STREAM_CELL = 1;
    private static final long STREAM_ORDER = 2;
    private static final long STREAM_AUGMENT = 3;

    private final TrainingSpec spec;
    private final ImageSet data;
    private final SposSupernet net;
    private final float[][] momentum;
    private final Workspace ws;
    /** The cell every step trains; null for SPOS's uniform draw per step. */
    private final Nb201Cell fixedCell;

    private long step;
    private long orderEpoch = -1;
    private int[] order;

    private SposTrainer(
            TrainingSpec spec, ImageSet data, SposSupernet net, float[][] momentum, long step, Nb201Cell fixedCell) {
        if (!spec.data().equals(data.description())) {
            throw new IllegalArgumentException(
                    "training spec's data '" + spec.data() + "' but the images are '" + data.description() + "'");
        }
        if (spec.trainImages() != data.size()
                || spec.imageSize() != data.imageSize()
                || spec.classes() != data.classes()) {
            throw new IllegalArgumentException("spec wants " + spec.trainImages() + " images of " + spec.imageSize()
                    + "x" + spec.imageSize() + " in " + spec.classes() + " classes; got " + data.size() + " of "
                    + data.imageSize() + " in " + data.classes());
        }
        this.spec = spec;
        this.data = data;
        this.net = net;
        this.momentum = momentum;
        this.step = step;
        this.fixedCell = fixedCell;
        this.ws = new Workspace(Precision.FLOAT);
    }

    /** A fresh supernet initialised from {@code spec.seed()}, at step 0. {@code spec.data()} must equal {@code data.description()}. */
    public static SposTrainer create(TrainingSpec spec, ImageSet data) {
        return fresh(spec, data, null);
    }

    /**
     * A fresh network of {@code cell} alone, initialised from {@code spec.seed()} as {@link #create}
     * initialises a supernet, at step 0; every step trains {@code cell}, everything else about a
     * step (order, augmentation, schedule) is as in SPOS.
     */
    public static SposTrainer standalone(TrainingSpec spec, ImageSet data, Nb201Cell cell) {
        return fresh(spec, data, java.util.Objects.requireNonNull(cell, "cell"));
    }

    private static SposTrainer fresh(TrainingSpec spec, ImageSet data, Nb201Cell fixedCell) {
        SposSupernet net = SposSupernet.create(spec.shape(), Precision.FLOAT, spec.seed());
        float[][] m = new float[net.weights().size()][];
        for (Weight w : net.weights()) {
            m[w.index()] = new float[w.size()];
        }
        return new SposTrainer(spec, data, net, m, 0, fixedCell);
    }

    /** Continues a checkpointed run on the same images (their description must match the checkpoint's). */
    public static SposTrainer resume(SposCheckpoint checkpoint, ImageSet data) {
        SposSupernet net = checkpoint.supernet();
        return new SposTrainer(checkpoint.spec(), data, net, checkpoint.momentumCopy(), checkpoint.step(), null);
    }

    /** Reads a checkpoint file (verifying its hashes) and resumes from it. */
    public static SposTrainer resume(Path checkpoint, ImageSet data) throws IOException {
        return resume(SposCheckpoint.read(checkpoint), data);
    }

    public TrainingSpec spec() {
        return spec;
    }

    public SposSupernet supernet() {
        return net;
    }

    /** The number of steps done, i.e. the index of the next step. */
    public long step() {
        return step;
    }

    public boolean done() {
        return step >= spec.totalSteps();
    }

    /** The cell that step {@code step} of a run seeded {@code seed} trains: each edge's op uniform over the 5. */
    public static Nb201Cell cellAt(long seed, long step) {
        SplittableRandom r = random(seed, STREAM_CELL, step);
        Nb201Op[] ops = new Nb201Op[Nb201Cell.EDGES];
        for (int e = 0; e < ops.length; e++) {
            ops[e] = Nb201Op.ofOrdinal(r.nextInt(Nb201Cell.OPS));
        }
        return Nb201Cell.of(ops);
    }

    /** The training images (indices into the image set) of step {@code step}. */
    public int[] batchIndices(long step) {
        int perEpoch = spec.stepsPerEpoch();
        long epoch = step / perEpoch;
        if (epoch != orderEpoch) {
            order = permutation(data.size(), random(spec.seed(), STREAM_ORDER, epoch));
            orderEpoch = epoch;
        }
        int from = (int) (step % perEpoch) * spec.batch();
        return java.util.Arrays.copyOfRange(order, from, from + spec.batch());
    }

    /** One training step. */
    public StepResult trainStep() {
        if (done()) {
            throw new IllegalStateException("training is done: " + step + " of " + spec.totalSteps() + " steps");
        }
        long t = step;
        double lr = spec.learningRate(t);
        int[] idx = batchIndices(t);
        Nb201Cell cell = fixedCell != null ? fixedCell : cellAt(spec.seed(), t);
        int s = spec.imageSize();
        try {
            Act images = ws.act(idx.length, 3, s, s);
            data.gather(idx, images, spec.augment() ? random(spec.seed(), STREAM_AUGMENT, t) : null);
            int[] labels = data.labels(idx);
            SupernetTrace trace = new SupernetTrace(net, ws, true);
            double[] logits = trace.forward(cell, images);
            double[] dLogits = new double[logits.length];
            int[] correct = new int[1];
            double loss = SupernetTrace.crossEntropy(logits, labels, spec.classes(), dLogits, correct);
            Gradients grads = trace.backward(dLogits);
            update(grads, (float) lr);
            step++;
            return new StepResult(t, cell, lr, loss, correct[0] / (double) idx.length);
        } finally {
            ws.reset();
        }
    }

    /** Up to {@code steps} steps (fewer when training ends), each reported to {@code listener} (may be null). */
    public void train(long steps, Consumer<StepResult> listener) {
        for (long i = 0; i < steps && !done(); i++) {
            StepResult r = trainStep();
            if (listener != null) {
                listener.accept(r);
            }
        }
    }

    /**
     * PyTorch's SGD with momentum m, dampening 0, Nesterov, weight decay wd, in float32:
     * {@code g += wd w; b = m b + g; g += m b; w -= lr g}, only for weights with a gradient (a
     * buffer never used is zero, and {@code m 0 + g = g} is PyTorch's first-step buffer exactly).
     */
    private void update(Gradients grads, float lr) {
        float m = (float) spec.momentum();
        float wd = (float) spec.weightDecay();
        for (Weight w : net.weights()) {
            float[] g = grads.floats(w);
            if (g == null) {
                continue;
            }
            float[] v = w.f;
            float[] b = momentum[w.index()];
            for (int i = 0; i < v.length; i++) {
                float gi = g[i] + wd * v[i];
                float bi = m * b[i] + gi;
                b[i] = bi;
                gi = gi + m * bi;
                v[i] = v[i] - lr * gi;
            }
            w.pushToDevice();
        }
    }

    /** A snapshot of the run: spec, step, weights and momentum buffers. */
    public SposCheckpoint checkpoint() {
        if (fixedCell != null) {
            throw new IllegalStateException("a standalone run of " + fixedCell + " is not checkpointed");
        }
        return SposCheckpoint.of(spec, step, net, momentum);
    }

    /** Writes {@link #checkpoint()} to {@code file} atomically. */
    public void save(Path file) throws IOException {
        checkpoint().write(file);
    }

    @Override
    public void close() {
        ws.close();
    }

    // ------------------------------------------------------------------ seeded randomness

    static SplittableRandom random(long seed, long stream, long index) {
        long s = mix(seed + 0x9E3779B97F4A7C15L * (stream + 1));
        return new SplittableRandom(mix(s + 0xBF58476D1CE4E5B9L * (index + 1)));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static int[] permutation(int n, SplittableRandom r) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
