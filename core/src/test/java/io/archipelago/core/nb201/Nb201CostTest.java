package io.archipelago.core.nb201;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Nb201CostTest {
    private static final Nb201Space SPACE = Nb201Space.INSTANCE;
    private static final Nb201Cost COST = Nb201Cost.STANDARD;

    private static Nb201Cell uniform(Nb201Op op) {
        Nb201Op[] ops = new Nb201Op[Nb201Cell.EDGES];
        Arrays.fill(ops, op);
        return Nb201Cell.of(ops);
    }

    private static final Nb201Cell ALL_CONV3 = uniform(Nb201Op.NOR_CONV_3X3);
    private static final Nb201Cell ALL_CONV1 = uniform(Nb201Op.NOR_CONV_1X1);
    private static final Nb201Cell ALL_NONE = uniform(Nb201Op.NONE);
    private static final Nb201Cell ALL_SKIP = uniform(Nb201Op.SKIP_CONNECT);
    private static final Nb201Cell ALL_POOL = uniform(Nb201Op.AVG_POOL_3X3);

    @Test
    void standardShape() {
        assertEquals(new Nb201Cost(16, 5, 32, 10), COST);
    }

    @Test
    void paramsOfTheExtremeCellsAreThePublishedOnes() {
        assertEquals(1_531_546L, COST.params(ALL_CONV3));
        assertEquals(73_306L, COST.params(ALL_NONE));
    }

    @Test
    void paramsOfTheBestCell() {
        // four 3x3 convs, one 1x1 conv and a skip: 1,531,546 - 5 * sum over C of (9C^2 + 2C + 8C^2)
        Nb201Cell best = SPACE.parse(
                "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|");
        assertEquals(1_073_466L, COST.params(best));
    }

    @Test
    void paramsRangeOverTheSpaceIsThePublishedOne() {
        long min = SPACE.enumerate().mapToLong(COST::params).min().orElseThrow();
        long max = SPACE.enumerate().mapToLong(COST::params).max().orElseThrow();
        assertEquals(73_306L, min);
        assertEquals(1_531_546L, max);
    }

    @Test
    void parameterFreeOpsAddNoParams() {
        long base = COST.params(ALL_NONE);
        assertEquals(base, COST.params(ALL_SKIP));
        assertEquals(base, COST.params(ALL_POOL));
        assertEquals(
                base,
                COST.params(SPACE.parse(
                        "|skip_connect~0|+|avg_pool_3x3~0|none~1|+|skip_connect~0|avg_pool_3x3~1|none~2|")));
    }

    @Test
    void oneConvOnOneEdgeAddsItsWeightsAndBatchNormInEveryCell() {
        // 5 cells per stage at C = 16, 32, 64
        long conv3 = 0;
        long conv1 = 0;
        for (long c : new long[] {16, 32, 64}) {
            conv3 += 5 * (9 * c * c + 2 * c);
            conv1 += 5 * (c * c + 2 * c);
        }
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            assertEquals(73_306L + conv3, COST.params(ALL_NONE.withOp(e, Nb201Op.NOR_CONV_3X3)), "edge " + e);
            assertEquals(73_306L + conv1, COST.params(ALL_NONE.withOp(e, Nb201Op.NOR_CONV_1X1)), "edge " + e);
        }
        assertEquals(73_306L + 6 * conv3, COST.params(ALL_CONV3));
        assertEquals(73_306L + 6 * conv1, COST.params(ALL_CONV1));
    }

    @Test
    void replacingConv3x3ByConv1x1LowersParamsAndFlopsEverywhere() {
        int checked = 0;
        for (Nb201Cell cell : SPACE.enumerate().toList()) {
            for (int e = 0; e < Nb201Cell.EDGES; e++) {
                if (cell.op(e) != Nb201Op.NOR_CONV_3X3) {
                    continue;
                }
                Nb201Cell lighter = cell.withOp(e, Nb201Op.NOR_CONV_1X1);
                assertTrue(COST.params(lighter) < COST.params(cell), cell + " -> " + lighter);
                assertTrue(COST.flops(lighter) < COST.flops(cell), cell + " -> " + lighter);
                // and a 1x1 conv costs more than nothing
                Nb201Cell none = cell.withOp(e, Nb201Op.NONE);
                assertTrue(COST.params(none) < COST.params(lighter));
                assertEquals(COST.params(none), COST.params(cell.withOp(e, Nb201Op.SKIP_CONNECT)));
                checked++;
            }
        }
        assertEquals(6 * 3125, checked); // every edge carries nor_conv_3x3 in a fifth of the cells
    }

    @Test
    void convFlopsAboveTheSkeletonMatchThePublishedSpread() {
        // published NB201 CIFAR-10 FLOPs: 7.78305 M (all none) to 220.11969 M (all 3x3 conv); the cells'
        // convolutions account for exactly the difference: 3 stages x 5 cells x 6 convs x HW * C^2 * 9
        double spread = COST.flops(ALL_CONV3) - COST.flops(ALL_NONE);
        assertEquals(212_336_640.0, spread, 1e-6);
        assertEquals(220.11969e6 - 7.78305e6, spread, 1.0);
        // a 1x1 conv is 9x cheaper than a 3x3 one
        assertEquals(spread / 9, COST.flops(ALL_CONV1) - COST.flops(ALL_NONE), 1e-6);
        // skip and none cost nothing
        assertEquals(COST.flops(ALL_NONE), COST.flops(ALL_SKIP), 0.0);
    }

    /** The FLOPs NAS-Bench-201 publishes: convolution and linear layers only (its counter sums nothing else). */
    private static double publishedFlops(int conv3PerCell, int conv1PerCell) {
        double total = 32 * 32 * 16 * 27.0; // stem
        long side = 32;
        for (long c : new long[] {16, 32, 64}) {
            total += 5 * side * side * (conv3PerCell * 9.0 + conv1PerCell) * c * c;
            if (c < 64) {
                long half = side / 2;
                total += half
                        * half
                        * (9.0 * c * 2 * c + 9.0 * 2 * c * 2 * c + c * 2 * c); // conv_a, conv_b, shortcut 1x1
                side = half;
            }
        }
        return total + 64 * 10 + 10;
    }

    @Test
    void flopsOfAllNoneCellIsThePublished7_78M() {
        assertEquals(7_783_050.0, publishedFlops(0, 0), 1e-6);
        assertEquals(7.78305e6, COST.flops(ALL_NONE), 1.0);
        assertEquals(7.78, COST.flops(ALL_NONE) / 1e6, 0.005);
    }

    @Test
    void flopsOfAllConv3x3CellIsThePublished220_11M() {
        assertEquals(220_119_690.0, publishedFlops(6, 0), 1e-6);
        assertEquals(220.11969e6, COST.flops(ALL_CONV3), 1.0);
        assertEquals(220.11, COST.flops(ALL_CONV3) / 1e6, 0.01);
    }

    @Test
    void averagePoolingEdgesCostNoFlops() {
        Nb201Cell allPool = Nb201Space.INSTANCE.parse(
                "|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|");
        assertEquals(COST.flops(ALL_NONE), COST.flops(allPool), 0.0);
    }
}
