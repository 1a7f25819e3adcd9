package io.archipelago.models.supernet;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Op;
import io.archipelago.models.nn.Init;
import io.archipelago.models.space.NetworkShape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The NAS-Bench-201 single-path one-shot (SPOS) supernet: stem conv3x3 (3 to C) + BN; three
 * stages of N cells with C, 2C and 4C channels joined by NB201's residual reduction block
 * (ReLU-conv3x3/2-BN, ReLU-conv3x3-BN, shortcut avgpool2 + conv1x1); BN + ReLU, global average
 * pooling and a linear head. Every edge of every cell holds all five NB201 ops: {@code none},
 * {@code skip_connect}, {@code nor_conv_1x1} and {@code nor_conv_3x3} (ReLU-conv-BN, the BN without
 * affine parameters) and {@code avg_pool_3x3} (padding excluded from the average). Every BN
 * normalises with the statistics of the batch it sees, in training and evaluation alike.
 *
 * <p>A forward pass takes one {@link Nb201Cell}, used at all 3N cell positions; of each cell only
 * the edges on an input-to-output path of non-{@code none} edges run (the others would add exact
 * zeros). This follows {@code shared/anchors/spos_reference.py} choice for choice.
 *
 * <p>Initialisation: convolutions Kaiming-normal (fan-in, ReLU gain), the linear head as PyTorch
 * (uniform in +-1/sqrt(fan-in)), BN weight 1 and bias 0; every tensor drawn from
 * {@code Init.random(seed, name)} with the names {@link io.archipelago.models.nb201.Nb201Network}
 * uses, so at initialisation a child network equals that class's network of the same cell.
 *
 * <p>Passes run through a {@link SupernetTrace} on a per-thread {@link Workspace}; the weights are
 * only read by passes, so evaluation from several threads at once is safe while no trainer updates
 * them.
 */
public final class SposSupernet {
    /** Index of an edge's conv weights in {@link #cellOps}: edge * 2 + this. */
    static final int CONV1 = 0;

    static final int CONV3 = 1;

    private final NetworkShape shape;
    private final Precision precision;
    private final long seed;
    private final List<Weight> weights;
    final Weight stemConv;
    final Weight stemGamma;
    final Weight stemBeta;
    /** [cell position][edge * 2 + CONV1|CONV3], positions stage-major. */
    final Weight[][] cellOps;
    /** [stage 1|2 - 1]: a.conv, a.gamma, a.beta, b.conv, b.gamma, b.beta, shortcut. */
    final Weight[][] reductions;

    final Weight lastGamma;
    final Weight lastBeta;
    final Weight fcWeight;
    final Weight fcBias;

    private SposSupernet(NetworkShape shape, Precision precision, long seed) {
        int h = shape.height(), w = shape.width();
        if (h % 4 != 0 || w % 4 != 0) {
            throw new IllegalArgumentException(
                    "input " + h + "x" + w + ": height and width must be multiples of 4 (two stride-2 reductions)");
        }
        this.shape = shape;
        this.precision = precision;
        this.seed = seed;
        List<Weight> all = new ArrayList<>();
        int c = shape.channels();
        int n = shape.cellsPerStage();
        stemConv = conv(all, "stem.conv", c, shape.inputChannels(), 3);
        stemGamma = constant(all, "stem.bn.gamma", c, 1);
        stemBeta = constant(all, "stem.bn.beta", c, 0);
        cellOps = new Weight[3 * n][];
        reductions = new Weight[2][];
        for (int stage = 0; stage < 3; stage++) {
            if (stage > 0) {
                String r = "reduction" + stage;
                reductions[stage - 1] = new Weight[] {
                    conv(all, r + ".a.conv", 2 * c, c, 3), constant(all, r + ".a.bn.gamma", 2 * c, 1),
                            constant(all, r + ".a.bn.beta", 2 * c, 0),
                    conv(all, r + ".b.conv", 2 * c, 2 * c, 3), constant(all, r + ".b.bn.gamma", 2 * c, 1),
                            constant(all, r + ".b.bn.beta", 2 * c, 0),
                    conv(all, r + ".shortcut", 2 * c, c, 1)
                };
                c *= 2;
            }
            for (int i = 0; i < n; i++) {
                Weight[] ops = new Weight[2 * Nb201Cell.EDGES];
                for (int e = 0; e < Nb201Cell.EDGES; e++) {
                    String edge = "stage" + stage + ".cell" + i + ".edge" + Nb201Cell.from(e) + Nb201Cell.to(e) + ".";
                    ops[2 * e + CONV1] = conv(all, edge + Nb201Op.NOR_CONV_1X1.token() + ".conv", c, c, 1);
                    ops[2 * e + CONV3] = conv(all, edge + Nb201Op.NOR_CONV_3X3.token() + ".conv", c, c, 3);
                }
                cellOps[stage * n + i] = ops;
            }
        }
        lastGamma = constant(all, "head.bn.gamma", c, 1);
        lastBeta = constant(all, "head.bn.beta", c, 0);
        // as nn.Linear("head.classifier"): weight then bias from one generator, uniform in +-1/sqrt(in)
        RandomGenerator random = Init.random(seed, "head.classifier");
        double bound = 1 / Math.sqrt(c);
        fcWeight = add(
                all,
                "head.classifier.weight",
                new int[] {shape.classes(), c},
                flat(Init.uniform(random, bound, shape.classes(), c)),
                false);
        fcBias = add(
                all,
                "head.classifier.bias",
                new int[] {shape.classes()},
                flat(Init.uniform(random, bound, shape.classes())),
                false);
        this.weights = Collections.unmodifiableList(all);
    }

    /**
     * A freshly initialised supernet.
     *
     * @param shape C, N, the input's channels and size (height and width multiples of 4), classes
     * @param precision {@link Precision#FLOAT} to train; {@link Precision#DOUBLE} for gradient checks
     */
    public static SposSupernet create(NetworkShape shape, Precision precision, long seed) {
        return new SposSupernet(shape, precision, seed);
    }

    private Weight conv(List<Weight> all, String name, int out, int in, int k) {
        double[] init = flat(Init.normal(Init.random(seed, name), Math.sqrt(2.0 / (in * k * k)), out, in, k, k));
        return add(all, name, new int[] {out, in, k, k}, init, true);
    }

    private static double[] flat(org.nd4j.linalg.api.ndarray.INDArray a) {
        double[] v = a.reshape(a.length()).toDoubleVector();
        a.close();
        return v;
    }

    private Weight constant(List<Weight> all, String name, int size, double value) {
        double[] init = new double[size];
        java.util.Arrays.fill(init, value);
        return add(all, name, new int[] {size}, init, false);
    }

    private Weight add(List<Weight> all, String name, int[] dims, double[] init, boolean conv) {
        Weight w = new Weight(name, all.size(), dims, precision, init, conv);
        all.add(w);
        return w;
    }

    public NetworkShape shape() {
        return shape;
    }

    public Precision precision() {
        return precision;
    }

    /** The seed the weights were initialised from. */
    public long seed() {
        return seed;
    }

    /** All weight tensors in a fixed order (stem, blocks in order, head). */
    public List<Weight> weights() {
        return weights;
    }

    /** The weight called {@code name}. */
    public Weight weight(String name) {
        for (Weight w : weights) {
            if (w.name().equals(name)) {
                return w;
            }
        }
        throw new IllegalArgumentException("no weight " + name);
    }

    /** The conv kernel of {@code op} on {@code edge} of the cell at {@code position} (0..3N-1, stage-major). */
    public Weight cellConv(int position, int edge, Nb201Op op) {
        return switch (op) {
            case NOR_CONV_1X1 -> cellOps[position][2 * edge + CONV1];
            case NOR_CONV_3X3 -> cellOps[position][2 * edge + CONV3];
            default -> throw new IllegalArgumentException(op + " has no weights");
        };
    }

    /** Number of weights of the whole supernet. */
    public long weightCount() {
        long n = 0;
        for (Weight w : weights) {
            n += w.size();
        }
        return n;
    }

    /**
     * The edges of {@code cell} on an input-to-output path of non-{@code none} edges, in edge
     * order: the ones a forward pass runs.
     */
    public static int[] liveEdges(Nb201Cell cell) {
        boolean[] fwd = {true, false, false, false};
        boolean[] bwd = {false, false, false, true};
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            if (cell.op(e) != Nb201Op.NONE && fwd[Nb201Cell.from(e)]) {
                fwd[Nb201Cell.to(e)] = true;
            }
        }
        for (int e = Nb201Cell.EDGES - 1; e >= 0; e--) {
            if (cell.op(e) != Nb201Op.NONE && bwd[Nb201Cell.to(e)]) {
                bwd[Nb201Cell.from(e)] = true;
            }
        }
        int[] live = new int[Nb201Cell.EDGES];
        int k = 0;
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            if (cell.op(e) != Nb201Op.NONE && fwd[Nb201Cell.from(e)] && bwd[Nb201Cell.to(e)]) {
                live[k++] = e;
            }
        }
        return java.util.Arrays.copyOf(live, k);
    }

    /**
     * The parameters the child network of {@code cell} uses, counted as the reference does: the
     * stem (conv, BN weight and bias), both reduction blocks, the last BN, the classifier, and the
     * conv kernels of the ops on run edges in all 3N cells (their BNs have no parameters).
     */
    public long childParameterCount(Nb201Cell cell) {
        long n = stemConv.size()
                + stemGamma.size()
                + stemBeta.size()
                + lastGamma.size()
                + lastBeta.size()
                + fcWeight.size()
                + fcBias.size();
        for (Weight[] r : reductions) {
            for (Weight w : r) {
                n += w.size();
            }
        }
        int[] live = liveEdges(cell);
        for (Weight[] ops : cellOps) {
            for (int e : live) {
                Nb201Op op = cell.op(e);
                if (op == Nb201Op.NOR_CONV_1X1 || op == Nb201Op.NOR_CONV_3X3) {
                    n += ops[2 * e + (op == Nb201Op.NOR_CONV_1X1 ? CONV1 : CONV3)].size();
                }
            }
        }
        return n;
    }

    /**
     * SHA-256 over every weight in order: its name (UTF-8), its shape and its values as
     * big-endian IEEE float32 (float32 whatever the precision). Checkpoints store and verify it; it
     * identifies a set of shared weights.
     */
    public byte[] weightsHash() {
        float[][] values = new float[weights.size()][];
        for (Weight w : weights) {
            values[w.index()] = w.toFloatArray();
        }
        return SposCheckpoint.hash(
                weights.stream().map(Weight::name).toList(),
                weights.stream().map(Weight::shape).toList(),
                values);
    }

    public String weightsHashHex() {
        return HexFormat.of().formatHex(weightsHash());
    }

    @Override
    public String toString() {
        return "SposSupernet[C=" + shape.channels() + ", N=" + shape.cellsPerStage() + ", " + shape.inputChannels()
                + "x" + shape.height() + "x" + shape.width() + ", " + weightCount() + " weights, " + precision + "]";
    }
}
