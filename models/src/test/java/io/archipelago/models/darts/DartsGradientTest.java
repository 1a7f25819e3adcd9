package io.archipelago.models.darts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.darts.DartsCost;
import io.archipelago.core.darts.DartsSpace;
import io.archipelago.models.nn.Parameter;
import io.archipelago.models.nn.Pass;
import io.archipelago.models.supernet.NdThreads;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** DartsNetwork's hand-written backward against finite differences and against itself, in double precision. */
class DartsGradientTest {
    /** C=2, 3 cells (reductions at cells 1 and 2), 8x8 inputs: every layer kind at 8, 4 and 2 pixels. */
    private static final DartsCost TINY = new DartsCost(2, 3, 3, 8, false);
    /**
     * Every op: normal cell with all seven, reduction cell with a strided skip (FactorizedReduce),
     * strided max and average pooling and convs, and a stride-1 skip on a node.
     */
    private static final String EVERY_OP = "sep3:0+sep5:1,dil3:0+dil5:2,max3:1+avg3:3,skip:2+sep3:4/"
            + "skip:0+max3:1,sep5:0+dil3:1,avg3:1+dil5:2,skip:3+sep3:4";

    private static DataType previous;

    @BeforeAll
    static void doublePrecision() {
        NdThreads.configure(1);
        previous = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(previous, previous);
    }

    /**
     * The tiny network with its batch-norm affine parameters moved off their initial 1 and 0.
     * At initialisation a position where every channel of a ReLU's input is negative makes the
     * next 1x1 conv output exactly 0, and with running statistics BN maps it to beta = 0: a ReLU
     * then sits exactly on its kink, where central differences average the two sides (for every
     * step size, so two steps cannot reveal it) and the analytic gradient takes one. A random
     * shift moves those points off the kink.
     */
    private static DartsNetwork tiny() {
        DartsNetwork net = DartsNetwork.of(DartsSpace.INSTANCE.parse(EVERY_OP), TINY, 5);
        SplittableRandom random = new SplittableRandom(13);
        for (Parameter p : net.parameters()) {
            boolean beta = p.name().endsWith(".beta");
            if (beta || p.name().endsWith(".gamma")) {
                INDArray flat = p.value().reshape(p.size());
                for (long i = 0; i < p.size(); i++) {
                    flat.putScalar(i, (beta ? 0 : 1) + 0.2 * random.nextGaussian());
                }
            }
        }
        return net;
    }

    private static INDArray images(int batch) {
        return Nd4j.randn(new SplittableRandom(1).nextLong(), new long[] {batch, 3, 8, 8})
                .castTo(DataType.DOUBLE);
    }

    /** Per-cotangent gradients of each sample's summed logits, by parameter name. */
    private static Map<String, INDArray> gradients(DartsNetwork net, INDArray images, Pass.BatchNorm mode) {
        int batch = (int) images.size(0);
        Map<String, INDArray> grads = new HashMap<>();
        Pass pass = Pass.withGradients(mode, batch, (p, g) -> grads.merge(p.name(), g.dup(), INDArray::add));
        net.forward(images, pass);
        net.backward(pass.summedOutputCotangents(TINY.classes()), pass);
        return grads;
    }

    @ParameterizedTest
    @EnumSource(Pass.BatchNorm.class)
    void perSampleGradientsMatchFiniteDifferences(Pass.BatchNorm mode) {
        DartsNetwork net = tiny();
        int batch = 4;
        INDArray images = images(batch);
        Map<String, INDArray> grads = gradients(net, images, mode);
        assertEquals(net.parameters().size(), grads.size(), "every parameter gets a gradient");
        SplittableRandom pick = new SplittableRandom(9);
        int checked = 0;
        int kinks = 0;
        for (Parameter p : net.parameters()) {
            INDArray g = grads.get(p.name());
            assertArrayEquals(new long[] {batch, p.size()}, g.shape(), p.name());
            INDArray flat = p.value().reshape(p.size());
            long i = pick.nextLong(p.size());
            // ReLUs and max pooling are not differentiable everywhere: two step sizes that
            // disagree reveal a kink within the step, and such points are skipped (counted).
            double[] coarse = centralDifferences(net, images, mode, flat, i, 1e-6);
            double[] fine = centralDifferences(net, images, mode, flat, i, 1e-7);
            boolean kink = false;
            for (int k = 0; k < batch; k++) {
                kink |= Math.abs(coarse[k] - fine[k]) > 1e-4 + 1e-3 * Math.abs(fine[k]);
            }
            if (kink) {
                kinks++;
                continue;
            }
            for (int k = 0; k < batch; k++) {
                assertEquals(
                        coarse[k],
                        g.getDouble(k, i),
                        1e-5 + 1e-4 * Math.abs(coarse[k]),
                        mode + " " + p.name() + "[" + i + "] sample " + k);
            }
            checked++;
        }
        assertTrue(kinks <= 4, kinks + " points sat on a kink");
        assertTrue(checked > 80, "checked " + checked);
        for (String kind : new String[] {"preprocess0.conv_2", "in0.skip_connect.conv_1", "depthwise", "pointwise"}) {
            assertTrue(grads.keySet().stream().anyMatch(name -> name.contains(kind)), kind + " in " + grads.keySet());
        }
    }

    /** With running statistics samples do not interact: cotangent k's gradients are sample k's alone. */
    @Test
    void perCotangentGradientsEqualSingleSampleBackward() {
        DartsNetwork net = tiny();
        int batch = 3;
        INDArray images = images(batch);
        Map<String, INDArray> together = gradients(net, images, Pass.BatchNorm.RUNNING);
        for (int k = 0; k < batch; k++) {
            INDArray one = images.get(NDArrayIndex.interval(k, k + 1)).dup();
            Map<String, INDArray> alone = gradients(net, one, Pass.BatchNorm.RUNNING);
            for (Parameter p : net.parameters()) {
                INDArray expected = alone.get(p.name());
                INDArray actual = together.get(p.name()).getRow(k);
                assertTrue(
                        expected.reshape(p.size()).equalsWithEps(actual.reshape(p.size()), 1e-10),
                        p.name() + " sample " + k);
            }
        }
    }

    /** d(sum of sample k's logits)/d(parameter element i) for every sample k, by central differences. */
    private static double[] centralDifferences(
            DartsNetwork net, INDArray images, Pass.BatchNorm mode, INDArray flat, long i, double h) {
        int batch = (int) images.size(0);
        double original = flat.getDouble(i);
        flat.putScalar(i, original + h);
        INDArray plus = net.forward(images, Pass.inference(mode, batch)).sum(1);
        flat.putScalar(i, original - h);
        INDArray minus = net.forward(images, Pass.inference(mode, batch)).sum(1);
        flat.putScalar(i, original);
        double[] d = new double[batch];
        for (int k = 0; k < batch; k++) {
            d[k] = (plus.getDouble(k) - minus.getDouble(k)) / (2 * h);
        }
        return d;
    }
}
