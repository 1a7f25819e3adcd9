package io.archipelago.models.supernet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Op;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.models.nb201.Nb201Network;
import io.archipelago.models.nn.Pass;
import io.archipelago.models.space.NetworkShape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The hand-written backward of the supernet against finite differences, in double precision. */
class SupernetGradientTest {
    static final NetworkShape TINY = new NetworkShape(2, 1, 3, 8, 8, 10);
    private static DataType previous;

    @BeforeAll
    static void doublePrecision() {
        NdThreads.configure(1); // ND4J's default (every core) makes these tiny ops many times slower on a busy machine
        previous = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE); // for Nb201Network's layers
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(previous, previous);
    }

    static Nb201Cell cell(String s) {
        return Nb201Space.INSTANCE.parse(s);
    }

    static Act images(int n, NetworkShape s, long seed, Precision p) {
        SplittableRandom r = new SplittableRandom(seed);
        int len = n * s.inputChannels() * s.height() * s.width();
        double[] d = new double[len];
        for (int i = 0; i < len; i++) {
            d[i] = r.nextGaussian();
        }
        if (p == Precision.DOUBLE) {
            return new Act(n, s.inputChannels(), s.height(), s.width(), null, d);
        }
        float[] f = new float[len];
        for (int i = 0; i < len; i++) {
            f[i] = (float) d[i];
        }
        return new Act(n, s.inputChannels(), s.height(), s.width(), f, null);
    }

    static int[] labels(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(10);
        }
        return y;
    }

    static double loss(SposSupernet net, Nb201Cell cell, Act x, int[] y, Workspace ws) {
        double[] logits = new SupernetTrace(net, ws, false).forward(cell, x);
        ws.reset();
        return SupernetTrace.crossEntropy(logits, y, 10, null, null);
    }

    static Gradients gradients(SposSupernet net, Nb201Cell cell, Act x, int[] y) {
        try (Workspace ws = new Workspace(net.precision())) {
            SupernetTrace t = new SupernetTrace(net, ws, true);
            double[] logits = t.forward(cell, x);
            double[] dl = new double[logits.length];
            SupernetTrace.crossEntropy(logits, y, 10, dl, null);
            return t.backward(dl);
        }
    }

    private static final String[] CELLS = {
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|",
        "|avg_pool_3x3~0|+|nor_conv_1x1~0|none~1|+|none~0|skip_connect~1|nor_conv_3x3~2|",
        "|nor_conv_1x1~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|", // edge 1<-0 dead (node 1 reaches nothing)
    };

    @Test
    void backwardMatchesFiniteDifferences() {
        SposSupernet net = SposSupernet.create(TINY, Precision.DOUBLE, 7);
        Act x = images(4, TINY, 3, Precision.DOUBLE);
        int[] y = labels(4, 4);
        SplittableRandom pick = new SplittableRandom(11);
        int checked = 0;
        double worst = 0;
        long t0 = System.nanoTime();
        Workspace ws = new Workspace(Precision.DOUBLE);
        for (String cs : CELLS) {
            Nb201Cell cell = cell(cs);
            Gradients g = gradients(net, cell, x, y);
            for (Weight w : net.weights()) {
                if (!g.has(w)) {
                    continue;
                }
                double[] analytic = g.get(w);
                for (int k = 0; k < 2; k++) { // two coordinates per tensor and cell: a few seconds
                    int i = pick.nextInt(w.size());
                    double original = w.get(i);
                    double numeric = Double.NaN;
                    double err = Double.POSITIVE_INFINITY;
                    for (double h : new double[] {1e-6, 1e-7}) { // a ReLU may cross zero at one step
                        if (err < 1e-5) {
                            break;
                        }
                        w.set(i, original + h);
                        w.pushToDevice();
                        double plus = loss(net, cell, x, y, ws);
                        w.set(i, original - h);
                        w.pushToDevice();
                        double minus = loss(net, cell, x, y, ws);
                        w.set(i, original);
                        w.pushToDevice();
                        double fd = (plus - minus) / (2 * h);
                        double e = Math.abs(fd - analytic[i]) / Math.max(1e-4, Math.abs(fd) + Math.abs(analytic[i]));
                        if (e < err) {
                            err = e;
                            numeric = fd;
                        }
                    }
                    assertTrue(
                            err < 1e-4,
                            cs + " " + w.name() + "[" + i + "]: analytic " + analytic[i] + " vs numeric " + numeric);
                    worst = Math.max(worst, err);
                    checked++;
                }
            }
        }
        ws.close();
        assertTrue(checked > 60, "checked " + checked);
        System.out.printf(
                "supernet gradient check: %d coordinates, worst relative error %.2e, %.1f s%n",
                checked, worst, (System.nanoTime() - t0) / 1e9);
    }

    @Test
    void onlyOpsThatRanGetGradients() {
        SposSupernet net = SposSupernet.create(TINY, Precision.DOUBLE, 7);
        Act x = images(4, TINY, 3, Precision.DOUBLE);
        int[] y = labels(4, 4);
        Nb201Cell c = cell(CELLS[2]); // 1<-0 conv1x1 is off every path; 3<-0 conv3x3 runs
        Gradients g = gradients(net, c, x, y);
        for (int p = 0; p < 3; p++) {
            assertFalse(g.has(net.cellConv(p, 0, Nb201Op.NOR_CONV_1X1)), "dead edge 1<-0");
            assertTrue(g.has(net.cellConv(p, 3, Nb201Op.NOR_CONV_3X3)));
            assertFalse(g.has(net.cellConv(p, 3, Nb201Op.NOR_CONV_1X1)), "op not chosen");
        }
        assertTrue(g.has(net.stemConv));
        // a cell with no input-output path cuts the graph: only the head learns
        Gradients dead = gradients(net, cell("|nor_conv_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|none~2|"), x, y);
        assertNull(dead.get(net.stemConv));
        assertNull(dead.get(net.reductions[1][0]));
        assertNotNull(dead.get(net.fcWeight));
        assertNotNull(dead.get(net.lastGamma));
    }

    @Test
    void childAtInitialisationEqualsNb201Network() {
        NetworkShape shape = new NetworkShape(3, 2, 3, 8, 8, 10);
        SposSupernet net = SposSupernet.create(shape, Precision.DOUBLE, 5);
        Act x = images(5, shape, 9, Precision.DOUBLE);
        for (String cs : CELLS) {
            Nb201Cell c = cell(cs);
            double[] ours;
            try (Workspace ws = new Workspace(Precision.DOUBLE)) {
                ours = new SupernetTrace(net, ws, false).forward(c, x);
            }
            INDArray theirs = Nb201Network.of(c, shape, 5)
                    .forward(
                            Nd4j.create(x.d, new long[] {5, 3, 8, 8}, DataType.DOUBLE),
                            Pass.inference(Pass.BatchNorm.BATCH, 5));
            for (int i = 0; i < ours.length; i++) {
                assertEquals(theirs.getDouble(i / 10, i % 10), ours[i], 1e-9, cs + " logit " + i);
            }
        }
        // parameter count of the child as the reference counts it: here every op is on a path
        Nb201Cell all3 =
                cell("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|");
        long count = Nb201Network.of(all3, shape, 5).parameterCount();
        // Nb201Network's cell BNs are affine (2 per channel per op): subtract them
        long cellBn = 0;
        for (int stage = 0, ch = 3; stage < 3; stage++, ch *= 2) {
            cellBn += 2L * 2 * ch * 6;
        }
        assertEquals(count - cellBn, net.childParameterCount(all3));
    }

    @Test
    void floatAgreesWithDouble() {
        SposSupernet d = SposSupernet.create(TINY, Precision.DOUBLE, 7);
        SposSupernet f = SposSupernet.create(TINY, Precision.FLOAT, 7);
        int[] y = labels(4, 4);
        for (String cs : CELLS) {
            Nb201Cell c = cell(cs);
            Gradients gd = gradients(d, c, images(4, TINY, 3, Precision.DOUBLE), y);
            Gradients gf = gradients(f, c, images(4, TINY, 3, Precision.FLOAT), y);
            for (Weight w : d.weights()) {
                Weight wf = f.weights().get(w.index());
                assertEquals(gd.has(w), gf.has(wf));
                if (gd.has(w)) {
                    double[] a = gd.get(w), b = gf.get(wf);
                    double scale = 0;
                    for (double v : a) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                    for (int i = 0; i < a.length; i++) {
                        assertEquals(a[i], b[i], 1e-3 * Math.max(scale, 1e-2), cs + " " + w.name());
                    }
                }
            }
        }
    }
}
