package io.archipelago.core.darts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DartsDerivationTest {
    private static final DartsSpace SPACE = DartsSpace.INSTANCE;

    /** Row of α for edge (node, input): node i's edges start at 2 + 3 + ... (i terms). */
    private static int row(int node, int input) {
        return node * (node + 3) / 2 + input;
    }

    /** α whose strongest edges and ops are {@code cell}'s pairs, first pair strongest. */
    private static double[][] alphaFor(DartsCell cell) {
        double[][] alpha = new double[DartsDerivation.EDGES][DartsDerivation.PRIMITIVES];
        for (int p = 0; p < DartsCell.PAIRS; p++) {
            alpha[row(p / 2, cell.input(p))][1 + cell.op(p).ordinal()] = p % 2 == 0 ? 3 : 2;
        }
        return alpha;
    }

    @Test
    void derivesDartsV2FromWeightsThatFavourIt() {
        DartsGenotype v2 = SPACE.parse(PublishedGenotypes.DARTS_V2);
        double[][] normal = alphaFor(v2.normal());
        // 'none' never wins: the strongest raw weight on an unused edge is none's
        normal[row(3, 4)][0] = 10;
        assertEquals(v2, DartsDerivation.genotype(normal, alphaFor(v2.reduce())));
        assertEquals(
                PublishedGenotypes.DARTS_V2,
                SPACE.formatDarts(DartsDerivation.genotype(normal, alphaFor(v2.reduce()))));
    }

    @Test
    void edgesRankBySoftmaxWeightOfTheirBestNonNoneOp() {
        DartsGenotype v2 = SPACE.parse(PublishedGenotypes.DARTS_V2);
        double[][] reduce = alphaFor(v2.reduce());
        // node 0: edge from input 0 has the larger raw α (sep3 4.5), but none (5) takes most of its
        // softmax: sep3 weighs e^4.5/(e^5+e^4.5+6) = 0.37; input 1's dil5 (1.5) weighs
        // e^1.5/(e^1.5+7) = 0.39 and ranks first. Edge 0's op is sep3, not none.
        reduce[row(0, 0)] = new double[] {5, 0, 0, 0, 4.5, 0, 0, 0};
        reduce[row(0, 1)] = new double[] {0, 0, 0, 0, 0, 0, 0, 1.5};
        DartsGenotype derived = DartsDerivation.genotype(alphaFor(v2.normal()), reduce);
        assertEquals(SPACE.parse(SPACE.format(v2).replace("/max3:0+max3:1,", "/dil5:1+sep3:0,")), derived);
    }

    @Test
    void tiesGoToTheEarlierEdgeAndTheEarlierOp() {
        double[][] uniform = new double[DartsDerivation.EDGES][DartsDerivation.PRIMITIVES];
        DartsGenotype derived = DartsDerivation.genotype(uniform, uniform);
        String cell = "max3:0+max3:1,max3:0+max3:1,max3:0+max3:1,max3:0+max3:1";
        assertEquals(SPACE.parse(cell + "/" + cell), derived);
        assertThrows(IllegalArgumentException.class, () -> DartsDerivation.genotype(new double[13][8], uniform));
        assertThrows(IllegalArgumentException.class, () -> DartsDerivation.genotype(uniform, new double[14][7]));
    }
}
