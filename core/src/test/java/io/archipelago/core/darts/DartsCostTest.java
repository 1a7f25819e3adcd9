package io.archipelago.core.darts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.space.CostModel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DartsCostTest {
    private static final DartsSpace SPACE = DartsSpace.INSTANCE;

    @Test
    void dartsV2HasDartsOwnParameterCount() {
        DartsGenotype v2 = SPACE.parse(PublishedGenotypes.DARTS_V2);
        long params = DartsCost.CIFAR.params(v2);
        System.out.printf(
                "DARTS-V2 at C=36, 20 layers: %,d parameters, %.1f M multiply-adds%n",
                params, DartsCost.CIFAR.flops(v2) / 1e6);
        // train.py prints "param size = 3.349342MB" (count_parameters_in_MB, auxiliary head left out)
        assertEquals(3.349, params / 1e6, 0.01 * 3.349);
        assertEquals(3_349_342L, params);
        assertEquals((double) params, SPACE.costs(v2).get(CostModel.PARAMS));
    }

    @Test
    void pcDartsAndPDartsMatchTheirPapers() {
        long pc = DartsCost.CIFAR.params(SPACE.parse(PublishedGenotypes.PC_DARTS));
        long p = DartsCost.CIFAR.params(SPACE.parse(PublishedGenotypes.P_DARTS));
        System.out.printf("PC-DARTS: %,d parameters; P-DARTS: %,d%n", pc, p);
        assertEquals(3.6, pc / 1e6, 0.03 * 3.6);
        assertEquals(3.4, p / 1e6, 0.03 * 3.4);
    }

    /**
     * Multiply-adds as later papers tabulate these networks on CIFAR-10 (DARTS 528M, P-DARTS 532M,
     * PC-DARTS 558M), to 1%: the count covers convolutions and the classifier, as theirs do.
     */
    @Test
    void multiplyAddsMatchTheTabulatedFigures() {
        assertEquals(528e6, DartsCost.CIFAR.flops(SPACE.parse(PublishedGenotypes.DARTS_V2)), 0.01 * 528e6);
        assertEquals(532e6, DartsCost.CIFAR.flops(SPACE.parse(PublishedGenotypes.P_DARTS)), 0.01 * 532e6);
        assertEquals(558e6, DartsCost.CIFAR.flops(SPACE.parse(PublishedGenotypes.PC_DARTS)), 0.01 * 558e6);
    }

    @Test
    void auxiliaryHeadAddsItsOwnWeightsOnly() {
        DartsGenotype v2 = SPACE.parse(PublishedGenotypes.DARTS_V2);
        long without = DartsCost.CIFAR.params(v2);
        long with = DartsCost.CIFAR.withAuxiliary(true).params(v2);
        // cell 13 outputs 4 x 144 = 576 channels: 1x1 conv to 128 + BN, 2x2 conv to 768 + BN, linear to 10
        assertEquals(576L * 128 + 256 + 128L * 768 * 4 + 1536 + 768L * 10 + 10, with - without);
        assertThrows(IllegalArgumentException.class, () -> new DartsCost(36, 20, 10, 16, true));
        assertThrows(IllegalArgumentException.class, () -> new DartsCost(36, 20, 10, 30, false));
    }

    /** Parameters from first principles for an all-pool genotype: stem, preprocessing and classifier only. */
    @Test
    void weightFreeCellsLeaveStemPreprocessingAndClassifier() {
        DartsGenotype pools = SPACE.parse("max3:0+avg3:1,max3:0+avg3:1,max3:0+avg3:1,max3:0+avg3:1/"
                + "max3:0+avg3:1,max3:0+avg3:1,max3:0+avg3:1,max3:0+avg3:1");
        DartsCost cost = new DartsCost(4, 3, 10, 8, false);
        // stem 3->12; cell 0 (normal, C=4): 12->4 twice; cell 1 (reduce, C=8): 12->8, 16->8;
        // cell 2 (reduce, C=16): FactorizedReduce 16->16, 32->16; classifier 64->10
        long expected = 27 * 12
                + 24
                + (12 * 4 + 8) * 2
                + (12 * 8 + 16)
                + (16 * 8 + 16)
                + (16 * 16 + 32)
                + (32 * 16 + 32)
                + 64 * 10
                + 10;
        assertEquals(expected, cost.params(pools));
        // FLOPs: stem at 8x8, cell 0 at 8x8, cell 1's preprocessing at 8x8, cell 2's at 4x4
        double flops = 64 * 27 * 12
                + 64 * (12 * 4 + 12 * 4)
                + 64 * (12 * 8 + 16 * 8)
                + 16 * (16 * 16 + 32 * 16)
                + 64 * 10
                + 10;
        assertEquals(flops, cost.flops(pools), 1e-9);
        assertTrue(cost.reduces(1) && cost.reduces(2) && !cost.reduces(0));
    }

    @Test
    void everyOpAddsItsOperationsPyWeights() {
        SplittableRandom random = new SplittableRandom(1);
        DartsCost cost = new DartsCost(6, 5, 10, 16, false);
        for (int i = 0; i < 200; i++) {
            DartsGenotype g = SPACE.sample(random);
            DartsGenotype h = SPACE.mutate(g, random);
            assertTrue(cost.params(g) > 0 && cost.flops(h) > 0);
            // the canonical form is the same network
            assertEquals(cost.params(g), cost.params(SPACE.canonical(g)));
            assertEquals(cost.flops(g), cost.flops(SPACE.canonical(g)), 1e-6);
        }
        assertEquals(2 * (9 * 6 + 36 + 12), DartsCost.opParams(DartsOp.SEP_CONV_3X3, 6, false));
        assertEquals(25 * 6 + 36 + 12, DartsCost.opParams(DartsOp.DIL_CONV_5X5, 6, true));
        assertEquals(36 + 12, DartsCost.opParams(DartsOp.SKIP_CONNECT, 6, true));
        assertEquals(0, DartsCost.opParams(DartsOp.SKIP_CONNECT, 6, false));
    }
}
