package io.archipelago.models.mnasnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.mnasnet.MnasArch;
import io.archipelago.core.mnasnet.MnasCost;
import io.archipelago.core.mnasnet.MnasNetSize;
import io.archipelago.core.mnasnet.MnasNetSpace;
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

class MnasNetNetworkTest {
    private static final MnasNetSpace SPACE = MnasNetSpace.INSTANCE;
    /**
     * Every op, SE on regular, separable and inverted-bottleneck layers, residuals in blocks of
     * 2 and 3 layers, a stride-2 regular conv: the gradient checks' architecture.
     */
    static final String EVERY_KIND = "sep-k3-se0.25-none-f16-l1/conv-k3-se0.25-id-f24-l2/mb3-k5-se0.25-id-f40-l2"
            + "/mb6-k3-se0-id-f48-l3/sep-k5-se0.25-id-f72-l2/conv-k5-se0-none-f120-l2/mb6-k3-se0.25-id-f240-l1";
    /** Width 0.25 (8 to 80 filters), 32x32 single-channel images, 3 classes. */
    static final MnasNetSize TINY = new MnasNetSize(32, 0.25, 3, 1);

    private static DataType previous;

    @BeforeAll
    static void doublePrecision() {
        NdThreads.configure(1); // ND4J's default (every core) makes these tiny ops many times slower on a busy machine
        // Finite differences need double precision; the layers follow ND4J's default type.
        previous = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(previous, previous);
    }

    @Test
    void publishedNetworksHaveTheAnalyticParameterCount() {
        assertEquals(
                3_887_038L,
                MnasNetNetwork.of(MnasArch.MNASNET_A1, MnasNetSize.STANDARD, 0).parameterCount());
        assertEquals(
                4_383_312L,
                MnasNetNetwork.of(MnasArch.MNASNET_B1, MnasNetSize.STANDARD, 0).parameterCount());
    }

    @Test
    void sampledNetworksHaveTheAnalyticParameterCountAtSmallSizes() {
        SplittableRandom random = new SplittableRandom(3);
        MnasNetSize[] sizes = {TINY, new MnasNetSize(32, 0.5, 10, 3), new MnasNetSize(24, 0.35, 7, 3)};
        for (int i = 0; i < 12; i++) {
            MnasArch arch = i == 0 ? SPACE.parse(EVERY_KIND) : SPACE.sample(random);
            MnasNetSize size = sizes[i % sizes.length];
            assertEquals(
                    MnasCost.params(arch, size),
                    MnasNetNetwork.of(arch, size, i).parameterCount(),
                    SPACE.format(arch) + " at " + size);
        }
    }

    @Test
    void logitsHaveTheClassShapeAndTheSeedFixesTheWeights() {
        MnasNetSize size = new MnasNetSize(32, 0.25, 5, 3);
        INDArray images = Nd4j.rand(DataType.DOUBLE, 2, 3, 32, 32);
        INDArray a = MnasNetNetwork.of(MnasArch.MNASNET_A1, size, 11)
                .forward(images, Pass.inference(Pass.BatchNorm.BATCH, 2));
        INDArray b = MnasNetNetwork.of(MnasArch.MNASNET_A1, size, 11)
                .forward(images, Pass.inference(Pass.BatchNorm.BATCH, 2));
        INDArray c = MnasNetNetwork.of(MnasArch.MNASNET_A1, size, 12)
                .forward(images, Pass.inference(Pass.BatchNorm.BATCH, 2));
        assertArrayEquals(new long[] {2, 5}, a.shape());
        assertEquals(a, b);
        assertNotEquals(a, c);
        MnasNetNetwork net = MnasNetNetwork.of(MnasArch.MNASNET_B1, size, 1);
        assertTrue(net.parameters().stream().anyMatch(p -> p.name().equals("block6.layer4.depthwise")));
        assertTrue(net.parameters().stream().anyMatch(p -> p.name().equals("block2.layer1.expand")));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> net.forward(Nd4j.rand(DataType.DOUBLE, 2, 3, 30, 30), Pass.inference(Pass.BatchNorm.RUNNING, 2)));
        assertTrue(e.getMessage().contains("[B, 3, 32, 32]"), e.getMessage());
    }

    /**
     * One element of every parameter tensor: its per-sample gradient against central differences,
     * in both batch-norm modes.
     */
    @ParameterizedTest
    @EnumSource(Pass.BatchNorm.class)
    void perSampleGradientsMatchFiniteDifferences(Pass.BatchNorm mode) {
        MnasNetNetwork net = offZero(MnasNetNetwork.of(SPACE.parse(EVERY_KIND), TINY, 5));
        int batch = 4;
        INDArray images = images(batch);
        Map<String, INDArray> grads = gradients(net, images, mode);
        SplittableRandom pick = new SplittableRandom(9);
        int checked = 0;
        int kinks = 0;
        for (Parameter p : net.parameters()) {
            INDArray g = grads.get(p.name());
            assertArrayEquals(new long[] {batch, p.size()}, g.shape(), p.name());
            INDArray flat = p.value().reshape(p.size());
            long i = pick.nextLong(p.size());
            double[] coarse = centralDifferences(net, images, mode, flat, i, 1e-6);
            boolean agree = true;
            for (int k = 0; k < batch; k++) {
                agree &= Math.abs(coarse[k] - g.getDouble(k, i)) <= 1e-5 + 1e-4 * Math.abs(coarse[k]);
            }
            if (!agree) {
                // A ReLU whose input sits within the step of zero makes the quotient meaningless;
                // two step sizes that disagree reveal it, and such points are skipped (counted).
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
            }
            checked++;
        }
        assertTrue(kinks <= 3, kinks + " points sat on a ReLU kink");
        assertTrue(checked > 80, "checked " + checked);
        System.out.printf("MnasNet %s gradient check: %d tensors, %d kinks skipped%n", mode, checked, kinks);
    }

    /**
     * Shifts every BN's beta off its initial 0 (by up to 0.2): a channel that a ReLU zeroes at
     * every position makes the next conv output exactly 0, so with beta 0 the next ReLU would sit
     * exactly on its kink, where central differences take half the one-sided slope and two step
     * sizes agree on it. The gradients are checked at another point of the same network.
     */
    private static MnasNetNetwork offZero(MnasNetNetwork net) {
        SplittableRandom random = new SplittableRandom(21);
        for (Parameter p : net.parameters()) {
            if (p.name().endsWith(".beta")) {
                INDArray flat = p.value().reshape(p.size());
                for (long i = 0; i < p.size(); i++) {
                    flat.putScalar(i, (random.nextDouble() * 2 - 1) * 0.2);
                }
            }
        }
        return net;
    }

    /** With running statistics one batched backward gives each sample's own single-sample gradient. */
    @Test
    void runningModeBatchedGradientsAreTheSingleSampleGradients() {
        MnasNetNetwork net = offZero(MnasNetNetwork.of(SPACE.parse(EVERY_KIND), TINY, 6));
        int batch = 3;
        INDArray images = images(batch);
        Map<String, INDArray> batched = gradients(net, images, Pass.BatchNorm.RUNNING);
        for (int k = 0; k < batch; k++) {
            INDArray one = images.get(NDArrayIndex.interval(k, k + 1)).dup();
            Map<String, INDArray> single = gradients(net, one, Pass.BatchNorm.RUNNING);
            for (Parameter p : net.parameters()) {
                INDArray expected = single.get(p.name()).getRow(0);
                INDArray actual = batched.get(p.name()).getRow(k);
                double scale = 1e-9 * (1 + expected.norm2Number().doubleValue());
                assertTrue(expected.sub(actual).norm2Number().doubleValue() < scale, p.name() + " sample " + k);
            }
        }
    }

    private static INDArray images(int batch) {
        return Nd4j.randn(new SplittableRandom(1).nextLong(), new long[] {batch, 1, 32, 32})
                .castTo(DataType.DOUBLE);
    }

    private static Map<String, INDArray> gradients(MnasNetNetwork net, INDArray images, Pass.BatchNorm mode) {
        int batch = (int) images.size(0);
        Map<String, INDArray> grads = new HashMap<>();
        Pass pass = Pass.withGradients(mode, batch, (p, g) -> grads.merge(p.name(), g.dup(), INDArray::add));
        net.forward(images, pass);
        net.backward(pass.summedOutputCotangents(net.size().classes()), pass);
        return grads;
    }

    /** d(sum of sample k's logits)/d(parameter element i) for every sample k, by central differences. */
    private static double[] centralDifferences(
            MnasNetNetwork net, INDArray images, Pass.BatchNorm mode, INDArray flat, long i, double h) {
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
