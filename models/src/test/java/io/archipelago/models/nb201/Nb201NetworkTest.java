package io.archipelago.models.nb201;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.MixedCell;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Cost;
import io.archipelago.core.nb201.Nb201MixedSpace;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.models.nn.Parameter;
import io.archipelago.models.nn.Pass;
import io.archipelago.models.space.NetworkShape;
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

class Nb201NetworkTest {
    private static final Nb201Space SPACE = Nb201Space.INSTANCE;
    private static final String BEST =
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|";
    private static DataType previous;

    @BeforeAll
    static void doublePrecision() {
        // Finite differences need double precision; the layers follow ND4J's default type.
        previous = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(previous, previous);
    }

    @Test
    void parameterCountsMatchTheAnalyticCount() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 12; i++) {
            Nb201Cell cell = i == 0 ? SPACE.parse(BEST) : SPACE.sample(random);
            long built = Nb201Network.of(cell, NetworkShape.STANDARD, 0).parameterCount();
            assertEquals(Nb201Cost.STANDARD.params(cell), built, cell.toString());
        }
        assertEquals(
                1_531_546,
                Nb201Network.of(
                                SPACE.parse(
                                        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"),
                                NetworkShape.STANDARD,
                                0)
                        .parameterCount());
        assertEquals(
                73_306,
                Nb201Network.of(
                                SPACE.parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"),
                                NetworkShape.STANDARD,
                                0)
                        .parameterCount());
    }

    @Test
    void logitsHaveTheClassShapeAndTheSeedFixesTheWeights() {
        NetworkShape shape = new NetworkShape(4, 1, 3, 16, 16, 7);
        INDArray images = Nd4j.rand(DataType.DOUBLE, 5, 3, 16, 16);
        INDArray a =
                Nb201Network.of(SPACE.parse(BEST), shape, 11).forward(images, Pass.inference(Pass.BatchNorm.BATCH, 5));
        INDArray b =
                Nb201Network.of(SPACE.parse(BEST), shape, 11).forward(images, Pass.inference(Pass.BatchNorm.BATCH, 5));
        INDArray c =
                Nb201Network.of(SPACE.parse(BEST), shape, 12).forward(images, Pass.inference(Pass.BatchNorm.BATCH, 5));
        assertArrayEquals(new long[] {5, 7}, a.shape());
        assertEquals(a, b);
        assertTrue(a.distance2(c) > 1e-6);
    }

    /** Pruning compares a supernet with and without one op: the other ops must keep their weights. */
    @Test
    void anOpKeepsItsWeightsWhenOtherOpsChange() {
        NetworkShape shape = new NetworkShape(4, 2, 3, 8, 8, 10);
        Nb201Network a = Nb201Network.of(SPACE.parse(BEST), shape, 7);
        Nb201Network b = Nb201Network.of(
                SPACE.parse("|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_3x3~1|+|none~0|nor_conv_3x3~1|nor_conv_1x1~2|"),
                shape,
                7);
        Map<String, INDArray> weightsOfA = new HashMap<>();
        a.parameters().forEach(p -> weightsOfA.put(p.name(), p.value()));
        int shared = 0;
        for (Parameter p : b.parameters()) {
            INDArray same = weightsOfA.get(p.name());
            if (same != null) {
                assertEquals(same, p.value(), p.name());
                shared++;
            }
        }
        assertTrue(shared > 10, "shared parameters: " + shared);
        INDArray other =
                Nb201Network.of(SPACE.parse(BEST), shape, 8).parameters().get(0).value();
        assertTrue(other.distance2(a.parameters().get(0).value()) > 0, "another seed gives other weights");
    }

    /** A supernet edge averages its ops (DARTS' mixed op with uniform weights), it does not sum them. */
    @Test
    void aMixedEdgeAveragesItsOps() {
        MixedCell cell =
                Nb201MixedSpace.INSTANCE.parse("|none~0|+|none~0|none~1|+|skip_connect,avg_pool_3x3~0|none~1|none~2|");
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 4, 5, 5);
        Pass pass = Pass.inference(Pass.BatchNorm.RUNNING, 2);
        INDArray out = new CellLayer("cell", cell, 4, 0).forward(x, pass);
        INDArray expected = x.add(new io.archipelago.models.nn.AvgPool2d(3, 1, 1).forward(x, pass))
                .muli(0.5);
        assertTrue(expected.equalsWithEps(out, 1e-12), "cell output is the mean of skip and pooling");
    }

    @Test
    void thinNetworkRunsOnThreeByThreeInputs() {
        INDArray out = Nb201Network.of(SPACE.parse(BEST), NetworkShape.THIN, 0)
                .forward(Nd4j.rand(DataType.DOUBLE, 10, 3, 3, 3), Pass.inference(Pass.BatchNorm.RUNNING, 10));
        assertArrayEquals(new long[] {10, 10}, out.shape());
    }

    /**
     * Every parameter's per-sample gradient (of that sample's summed logits) against central
     * finite differences, with both batch-norm modes, on a small network with every op kind.
     */
    @ParameterizedTest
    @EnumSource(Pass.BatchNorm.class)
    void perSampleGradientsMatchFiniteDifferences(Pass.BatchNorm mode) {
        NetworkShape shape = new NetworkShape(2, 1, 3, 6, 6, 3);
        Nb201Network net = Nb201Network.of(
                SPACE.parse("|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_3x3~1|none~2|"),
                shape,
                5);
        Map<String, INDArray> grads = checkGradients(net, shape, mode);
        assertTrue(
                grads.size() > 10 && !grads.containsKey("stage0.cell0.edge12.nor_conv_1x1.conv"),
                grads.keySet().toString());
    }

    /** The same on a supernet cell, whose edges average their ops (weights 1/k forward and back). */
    @ParameterizedTest
    @EnumSource(Pass.BatchNorm.class)
    void supernetGradientsMatchFiniteDifferences(Pass.BatchNorm mode) {
        NetworkShape shape = new NetworkShape(2, 1, 3, 6, 6, 3);
        MixedCell supernet = Nb201MixedSpace.INSTANCE.parse(
                "|nor_conv_3x3,skip_connect~0|+|avg_pool_3x3~0|nor_conv_1x1,nor_conv_3x3,skip_connect~1|+|skip_connect,none~0|nor_conv_3x3,avg_pool_3x3~1|none~2|");
        Map<String, INDArray> grads = checkGradients(Nb201Network.of(supernet, shape, 5), shape, mode);
        // mixed edges 0-1 and 1-3 reach the output; node 2 reaches it only through none
        assertTrue(
                grads.containsKey("stage0.cell0.edge13.nor_conv_3x3.conv")
                        && grads.containsKey("stage0.cell0.edge01.nor_conv_3x3.conv")
                        && !grads.containsKey("stage0.cell0.edge12.nor_conv_1x1.conv"),
                grads.keySet().toString());
    }

    /** Checks sampled parameter elements against central differences; returns the analytic gradients. */
    private static Map<String, INDArray> checkGradients(Nb201Network net, NetworkShape shape, Pass.BatchNorm mode) {
        int batch = 4;
        INDArray images = Nd4j.randn(new SplittableRandom(1).nextLong(), new long[] {batch, 3, 6, 6})
                .castTo(DataType.DOUBLE);
        Map<String, INDArray> grads = new HashMap<>();
        Pass pass = Pass.withGradients(mode, batch, (p, g) -> grads.merge(p.name(), g.dup(), INDArray::add));
        net.forward(images, pass);
        net.backward(pass.summedOutputCotangents(shape.classes()), pass);

        SplittableRandom pick = new SplittableRandom(9);
        int checked = 0;
        int kinks = 0;
        for (Parameter p : net.parameters()) {
            // Parameters that cannot reach the output (node 2 feeds it only through 'none') get
            // no gradient: their true gradient is zero.
            INDArray g = grads.getOrDefault(p.name(), Nd4j.zeros(DataType.DOUBLE, batch, p.size()));
            assertArrayEquals(new long[] {batch, p.size()}, g.shape(), p.name());
            INDArray flat = p.value().reshape(p.size());
            for (int t = 0; t < 2; t++) {
                long i = pick.nextLong(p.size());
                // A ReLU whose input sits within the step of zero makes the network
                // non-differentiable there; two step sizes that disagree reveal it, and such
                // points are skipped (counted below), not blamed on the analytic gradient.
                // Steps of 1e-6 and 1e-7: with batch statistics a step of 1e-5 already moves enough
                // ReLUs across zero (every sample shifts) to spoil the quotient; double precision
                // keeps the rounding error of the small steps below 1e-8.
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
                    double numeric = coarse[k];
                    double analytic = g.getDouble(k, i);
                    assertEquals(
                            numeric,
                            analytic,
                            1e-5 + 1e-4 * Math.abs(numeric),
                            mode + " " + p.name() + "[" + i + "] sample " + k);
                }
                checked++;
            }
        }
        assertTrue(kinks <= 3, kinks + " points sat on a ReLU kink");
        assertTrue(checked > 40, "checked " + checked);
        return grads;
    }

    /** d(sum of sample k's logits)/d(parameter element i) for every sample k, by central differences. */
    private static double[] centralDifferences(
            Nb201Network net, INDArray images, Pass.BatchNorm mode, INDArray flat, long i, double h) {
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
