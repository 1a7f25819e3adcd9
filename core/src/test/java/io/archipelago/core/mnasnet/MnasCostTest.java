package io.archipelago.core.mnasnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.space.CostModel;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MnasCostTest {
    private static final MnasNetSpace SPACE = MnasNetSpace.INSTANCE;

    /** The paper's Table 1: 3.9 M parameters and 312 M multiply-adds at 224x224, within 3%. */
    @Test
    void mnasNetA1HasThePublishedSize() {
        Map<String, Double> costs = SPACE.costs(MnasArch.MNASNET_A1);
        assertEquals(3.9e6, costs.get(CostModel.PARAMS), 0.03 * 3.9e6);
        assertEquals(312e6, costs.get(CostModel.FLOPS), 0.03 * 312e6);
        assertEquals(3_887_038L, MnasCost.params(MnasArch.MNASNET_A1, MnasNetSize.STANDARD));
    }

    /** 4.4 M and 315 M as published; the parameters exactly torchvision's mnasnet1_0 (4,383,312). */
    @Test
    void mnasNetB1HasThePublishedSize() {
        Map<String, Double> costs = SPACE.costs(MnasArch.MNASNET_B1);
        assertEquals(4.4e6, costs.get(CostModel.PARAMS), 0.03 * 4.4e6);
        assertEquals(315e6, costs.get(CostModel.FLOPS), 0.03 * 315e6);
        assertEquals(4_383_312L, MnasCost.params(MnasArch.MNASNET_B1, MnasNetSize.STANDARD));
    }

    @Test
    void layersFollowTheTpuBlockStrings() {
        List<MnasLayer> layers = MnasNetSize.STANDARD.layers(MnasArch.MNASNET_A1);
        assertEquals(16, layers.size());
        // r3_k5_s22_e3_i24_o40_se0.25: SE reduces to int(24 * 0.25) = 6 on the first layer, 10 after
        MnasLayer third = layers.get(3);
        assertEquals(new MnasLayer("block3.layer1", MnasOp.MBCONV3, 5, 2, 24, 40, 6, false), third);
        assertEquals(72, third.expanded());
        assertEquals(10, layers.get(4).seReduced());
        assertTrue(layers.get(4).residual());
        assertEquals(new MnasLayer("block1.layer1", MnasOp.SEPCONV, 3, 1, 32, 16, 0, false), layers.get(0));
        assertEquals(32, layers.get(0).expanded());
    }

    /** Hand counts of one layer of each op (24 -> 24 filters, stride 1, 8x8 positions, SE of 6). */
    @Test
    void eachOpCountsItsOwnWeights() {
        MnasLayer conv = new MnasLayer("c", MnasOp.CONV, 3, 1, 24, 24, 6, true);
        assertEquals(9 * 24 * 24 + 2 * 24 + (24 * 6 + 6 + 6 * 24 + 24), MnasCost.params(conv));
        assertEquals(64.0 * 9 * 24 * 24 + 2 * 24 * 6, MnasCost.flops(conv, 8, 8));
        MnasLayer sep = new MnasLayer("s", MnasOp.SEPCONV, 5, 1, 24, 24, 0, true);
        assertEquals(25 * 24 + 2 * 24 + 24 * 24 + 2 * 24, MnasCost.params(sep));
        assertEquals(64.0 * 25 * 24 + 64.0 * 24 * 24, MnasCost.flops(sep, 8, 8));
        MnasLayer mb6 = new MnasLayer("m", MnasOp.MBCONV6, 3, 2, 24, 24, 0, false);
        assertEquals(24 * 144 + 2 * 144 + 9 * 144 + 2 * 144 + 144 * 24 + 2 * 24, MnasCost.params(mb6));
        assertEquals(64.0 * 24 * 144 + 16.0 * 9 * 144 + 16.0 * 144 * 24, MnasCost.flops(mb6, 8, 4));
    }

    @Test
    void sizeScalesInputsWidthAndClassesAsTheTpuCodeDoes() {
        assertEquals(16, MnasSkeleton.roundFilters(32, 0.5));
        assertEquals(8, MnasSkeleton.roundFilters(16, 0.25)); // at least the divisor
        assertEquals(16, MnasSkeleton.roundFilters(18, 0.75)); // 13.5 -> 16 is within 10%
        assertEquals(24, MnasSkeleton.roundFilters(18, 1.0001)); // 18 -> 16 is 11% down: one divisor up
        assertEquals(18, MnasSkeleton.roundFilters(18, 1.0));
        MnasArch a1 = MnasArch.MNASNET_A1;
        MnasNetSize cifar = new MnasNetSize(32, 1.0, 10, 3);
        // only the classifier and the positions change: params differ by the classifier alone
        assertEquals(MnasCost.params(a1, MnasNetSize.STANDARD) - 1280L * 990 - 990, MnasCost.params(a1, cifar));
        assertTrue(MnasCost.flops(a1, cifar) < MnasCost.flops(a1, MnasNetSize.STANDARD) / 40);
        assertEquals(112, new MnasNetSize(224, 1, 1, 3).stemResolution());
        assertEquals(4, new MnasNetSize(7, 1, 1, 3).stemResolution());
        MnasNetSize half = new MnasNetSize(224, 0.5, 1000, 3);
        assertTrue(MnasCost.params(a1, half) < MnasCost.params(a1, MnasNetSize.STANDARD) * 0.7);
        assertEquals(8, half.layers(a1).get(0).outFilters());
        assertThrows(IllegalArgumentException.class, () -> new MnasNetSize(224, 0, 1000, 3));
        assertThrows(IllegalArgumentException.class, () -> new MnasNetSize(0, 1, 1000, 3));
    }

    @Test
    void everySampledArchitectureHasPositiveFiniteCosts() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 500; i++) {
            MnasArch arch = SPACE.sample(random);
            Map<String, Double> costs = SPACE.costs(arch);
            assertTrue(costs.get(CostModel.PARAMS) > 1.3e6, SPACE.format(arch)); // head and classifier alone
            assertTrue(costs.get(CostModel.FLOPS) > 0 && Double.isFinite(costs.get(CostModel.FLOPS)));
        }
    }
}
