package io.archipelago.models.darts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.darts.DartsCost;
import io.archipelago.core.darts.DartsGenotype;
import io.archipelago.core.darts.DartsSpace;
import io.archipelago.core.darts.PublishedGenotypes;
import io.archipelago.models.nn.Parameter;
import io.archipelago.models.nn.Pass;
import io.archipelago.models.supernet.NdThreads;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DartsNetworkTest {
    private static final DartsSpace SPACE = DartsSpace.INSTANCE;
    private static DataType previous;

    @BeforeAll
    static void doublePrecision() {
        NdThreads.configure(1); // tiny ops: one thread is fastest on a shared machine
        previous = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(previous, previous);
    }

    @Test
    void publishedGenotypesHaveTheAnalyticParameterCount() {
        for (String published :
                new String[] {PublishedGenotypes.DARTS_V2, PublishedGenotypes.PC_DARTS, PublishedGenotypes.P_DARTS}) {
            DartsGenotype genotype = SPACE.parse(published);
            long built = DartsNetwork.of(genotype, DartsCost.CIFAR, 0).parameterCount();
            assertEquals(DartsCost.CIFAR.params(genotype), built, published);
        }
        assertEquals(
                3_349_342L,
                DartsNetwork.of(SPACE.parse(PublishedGenotypes.DARTS_V2), DartsCost.CIFAR, 0)
                        .parameterCount());
    }

    @Test
    void randomGenotypesAtSmallSizesHaveTheAnalyticParameterCount() {
        SplittableRandom random = new SplittableRandom(5);
        DartsCost[] shapes = {
            new DartsCost(2, 3, 10, 8, false), new DartsCost(5, 5, 7, 16, false), new DartsCost(8, 8, 10, 32, false)
        };
        for (DartsCost shape : shapes) {
            for (int i = 0; i < 6; i++) {
                DartsGenotype genotype = SPACE.sample(random);
                assertEquals(
                        shape.params(genotype),
                        DartsNetwork.of(genotype, shape, 1).parameterCount(),
                        shape + " " + genotype);
            }
        }
    }

    /**
     * The wiring of NetworkCIFAR, seen in the parameters' names and shapes: at 6 layers cells 2
     * and 4 reduce; the cell after a reduction preprocesses its older input with FactorizedReduce;
     * strided skips exist only on the reduction cells' inputs 0 and 1.
     */
    @Test
    void cellsAreWiredAsNetworkCifar() {
        DartsGenotype genotype = SPACE.parse("sep3:0+skip:1,skip:0+dil5:2,avg3:1+skip:3,max3:0+skip:4/"
                + "sep3:0+skip:1,skip:0+dil5:2,avg3:1+skip:3,max3:0+skip:4");
        DartsCost shape = new DartsCost(4, 6, 10, 16, false);
        Map<String, long[]> shapes = new HashMap<>();
        for (Parameter p : DartsNetwork.of(genotype, shape, 0).parameters()) {
            shapes.put(p.name(), p.value().shape());
        }
        assertArrayEquals(new long[] {12, 3, 3, 3}, shapes.get("stem.conv"));
        assertArrayEquals(new long[] {4, 12, 1, 1}, shapes.get("cell0.preprocess0.conv")); // the stem, twice
        assertArrayEquals(new long[] {4, 12, 1, 1}, shapes.get("cell0.preprocess1.conv"));
        assertArrayEquals(new long[] {4, 12, 1, 1}, shapes.get("cell1.preprocess0.conv"));
        assertArrayEquals(new long[] {4, 16, 1, 1}, shapes.get("cell1.preprocess1.conv"));
        assertArrayEquals(new long[] {8, 16, 1, 1}, shapes.get("cell2.preprocess1.conv")); // reduction: 2C
        assertArrayEquals(new long[] {4, 16, 1, 1}, shapes.get("cell3.preprocess0.conv_1")); // after a reduction
        assertArrayEquals(new long[] {8, 32, 1, 1}, shapes.get("cell3.preprocess1.conv"));
        assertArrayEquals(new long[] {8, 32, 1, 1}, shapes.get("cell5.preprocess0.conv_1"));
        assertArrayEquals(new long[] {16, 64, 1, 1}, shapes.get("cell5.preprocess1.conv"));
        assertArrayEquals(new long[] {8, 1, 3, 3}, shapes.get("cell2.node0.in0.sep_conv_3x3.0.depthwise"));
        assertArrayEquals(new long[] {8, 1, 5, 5}, shapes.get("cell2.node1.in2.dil_conv_5x5.depthwise"));
        assertArrayEquals(new long[] {4, 8, 1, 1}, shapes.get("cell2.node0.in1.skip_connect.conv_2")); // strided skip
        assertEquals(null, shapes.get("cell1.node0.in1.skip_connect.conv_1"), "a normal cell's skip is the identity");
        assertEquals(null, shapes.get("cell2.node2.in3.skip_connect.conv_1"), "a skip on a node is the identity");
        assertArrayEquals(new long[] {10, 64}, shapes.get("classifier.weight"));
        INDArray logits = DartsNetwork.of(genotype, shape, 0)
                .forward(Nd4j.rand(DataType.DOUBLE, 2, 3, 16, 16), Pass.inference(Pass.BatchNorm.BATCH, 2));
        assertArrayEquals(new long[] {2, 10}, logits.shape());
    }

    @Test
    void logitsHaveTheClassShapeAndTheSeedFixesTheWeights() {
        DartsCost shape = new DartsCost(2, 3, 7, 8, false);
        DartsGenotype genotype = SPACE.parse(PublishedGenotypes.PC_DARTS);
        INDArray images = Nd4j.rand(DataType.DOUBLE, 3, 3, 8, 8);
        INDArray a = DartsNetwork.of(genotype, shape, 11).forward(images, Pass.inference(Pass.BatchNorm.BATCH, 3));
        INDArray b = DartsNetwork.of(genotype, shape, 11).forward(images, Pass.inference(Pass.BatchNorm.BATCH, 3));
        INDArray c = DartsNetwork.of(genotype, shape, 12).forward(images, Pass.inference(Pass.BatchNorm.BATCH, 3));
        assertArrayEquals(new long[] {3, 7}, a.shape());
        assertEquals(a, b);
        assertTrue(a.distance2(c) > 1e-6);
        // writing a node's pairs the other way round is the same network, weights included
        DartsGenotype swapped = SPACE.fromTokens(swapFirstNode(SPACE.tokens(genotype)));
        INDArray d = DartsNetwork.of(swapped, shape, 11).forward(images, Pass.inference(Pass.BatchNorm.BATCH, 3));
        assertTrue(a.equalsWithEps(d, 1e-12));
        IllegalArgumentException size = assertThrows(
                IllegalArgumentException.class,
                () -> DartsNetwork.of(genotype, shape, 0)
                        .forward(Nd4j.rand(DataType.DOUBLE, 1, 3, 16, 16), Pass.inference(Pass.BatchNorm.BATCH, 1)));
        assertTrue(size.getMessage().contains("expected images [B, 3, 8, 8]"), size.getMessage());
        IllegalArgumentException aux = assertThrows(
                IllegalArgumentException.class, () -> DartsNetwork.of(genotype, new DartsCost(2, 3, 7, 32, true), 0));
        assertTrue(aux.getMessage().contains("auxiliary"), aux.getMessage());
    }

    private static int[] swapFirstNode(int[] tokens) {
        int[] out = tokens.clone();
        for (int k = 0; k < 2; k++) {
            out[k] = tokens[k + 2];
            out[k + 2] = tokens[k];
        }
        return out;
    }
}
