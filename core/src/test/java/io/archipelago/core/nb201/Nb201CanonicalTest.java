package io.archipelago.core.nb201;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class Nb201CanonicalTest {
    private static final Nb201Space SPACE = Nb201Space.INSTANCE;

    private static String key(String cell) {
        return SPACE.canonicalKey(SPACE.parse(cell));
    }

    private static void assertEquivalent(String a, String b) {
        assertEquals(key(a), key(b), a + " and " + b + " should be equivalent");
    }

    private static void assertDistinct(String a, String b) {
        assertNotEquals(key(a), key(b), a + " and " + b + " should differ");
    }

    /** Nodes reachable from the input over non-none edges (independent of the implementation). */
    private static boolean[] reachable(Nb201Cell cell) {
        boolean[] r = new boolean[4];
        r[0] = true;
        for (int e = 0; e < Nb201Cell.EDGES; e++) { // edges are in topological order of their targets
            if (r[Nb201Cell.from(e)] && cell.op(e) != Nb201Op.NONE) {
                r[Nb201Cell.to(e)] = true;
            }
        }
        return r;
    }

    /** Nodes from which the output can be reached over non-none edges. */
    private static boolean[] coreachable(Nb201Cell cell) {
        boolean[] r = new boolean[4];
        r[3] = true;
        for (int e = Nb201Cell.EDGES - 1; e >= 0; e--) {
            if (r[Nb201Cell.to(e)] && cell.op(e) != Nb201Op.NONE) {
                r[Nb201Cell.from(e)] = true;
            }
        }
        return r;
    }

    private static boolean live(Nb201Cell cell, int edge) {
        return cell.op(edge) != Nb201Op.NONE
                && reachable(cell)[Nb201Cell.from(edge)]
                && coreachable(cell)[Nb201Cell.to(edge)];
    }

    @Test
    void spaceHas5425CanonicalClasses() {
        Set<String> keys = SPACE.enumerate().map(SPACE::canonicalKey).collect(Collectors.toSet());
        assertEquals(5_425, keys.size());
    }

    @Test
    void keyIsStableAndMatchesDirectComputation() {
        SPACE.enumerate().forEach(cell -> assertEquals(Nb201Canonical.key(cell), SPACE.canonicalKey(cell)));
    }

    @Test
    void zeroClassIsExactlyTheCellsWithoutAPathFromInputToOutput() {
        int zeros = 0;
        for (Nb201Cell cell : SPACE.enumerate().toList()) {
            boolean disconnected = !reachable(cell)[3];
            assertEquals(disconnected, Nb201Canonical.ZERO.equals(SPACE.canonicalKey(cell)), cell.toString());
            if (disconnected) {
                zeros++;
            }
        }
        // 341 of the 15,625 cells have no path of non-none edges from the input to the output
        assertEquals(341, zeros);
        Map<String, Integer> sizes = new HashMap<>();
        SPACE.enumerate().forEach(c -> sizes.merge(SPACE.canonicalKey(c), 1, Integer::sum));
        assertEquals(341, sizes.get(Nb201Canonical.ZERO));
        assertEquals(15_625, sizes.values().stream().mapToInt(Integer::intValue).sum());
        // the largest classes are a single parametric op applied to the input
        assertEquals(460, sizes.get("nor_conv_3x3(x)"));
        assertEquals(460, sizes.get("nor_conv_1x1(x)"));
        assertEquals(460, sizes.get("avg_pool_3x3(x)"));
        assertEquals(
                460, sizes.values().stream().mapToInt(Integer::intValue).max().orElseThrow());
    }

    @Test
    void opsOnDeadEdgesNeverMatter() {
        int checked = 0;
        for (Nb201Cell cell : SPACE.enumerate().toList()) {
            boolean[] from = reachable(cell);
            boolean[] to = coreachable(cell);
            for (int e = 0; e < Nb201Cell.EDGES; e++) {
                if (from[Nb201Cell.from(e)] && to[Nb201Cell.to(e)]) {
                    continue; // the op decides whether this edge is live
                }
                for (Nb201Op op : Nb201Op.values()) {
                    Nb201Cell other = cell.withOp(e, op);
                    assertEquals(SPACE.canonicalKey(cell), SPACE.canonicalKey(other), cell + " vs " + other);
                    checked++;
                }
            }
        }
        assertTrue(checked > 10_000);
    }

    @Test
    void swappingConvKernelOnALiveEdgeAlwaysChangesTheKey() {
        int checked = 0;
        for (Nb201Cell cell : SPACE.enumerate().toList()) {
            for (int e = 0; e < Nb201Cell.EDGES; e++) {
                if (cell.op(e) == Nb201Op.NOR_CONV_3X3 && live(cell, e)) {
                    Nb201Cell other = cell.withOp(e, Nb201Op.NOR_CONV_1X1);
                    assertNotEquals(SPACE.canonicalKey(cell), SPACE.canonicalKey(other), cell + " vs " + other);
                    checked++;
                }
            }
        }
        assertTrue(checked > 1_000);
    }

    @Test
    void brokenOnlyPathMakesTheCellZero() {
        // node 1 receives nothing, so the conv from node 1 to the output carries zero
        String broken = "|none~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|none~2|";
        assertEquals(Nb201Canonical.ZERO, key(broken));
        assertEquivalent(broken, "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|");
        assertEquivalent(broken, "|none~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|avg_pool_3x3~1|none~2|");
        // the dead-end ops on edges 2<-0 and 2<-1 can be anything
        for (Nb201Op a : Nb201Op.values()) {
            for (Nb201Op b : Nb201Op.values()) {
                assertEquals(
                        Nb201Canonical.ZERO,
                        SPACE.canonicalKey(SPACE.parse(broken).withOp(1, a).withOp(2, b)));
            }
        }
    }

    @Test
    void nodeThatDoesNotReachTheOutputIsIrrelevant() {
        // 3<-2 is none, so whatever flows into node 2 is discarded
        String base = "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|none~2|";
        for (Nb201Op a : Nb201Op.values()) {
            for (Nb201Op b : Nb201Op.values()) {
                Nb201Cell other = SPACE.parse(base).withOp(1, a).withOp(2, b);
                assertEquals(key(base), SPACE.canonicalKey(other), other.toString());
            }
        }
        assertEquals("nor_conv_1x1(nor_conv_3x3(x))+x", key(base));
    }

    @Test
    void skipConnectionsAreFlattened() {
        // conv on 3<-1 after a skip into node 1 is conv on 3<-0
        assertEquivalent(
                "|skip_connect~0|+|none~0|none~1|+|none~0|nor_conv_3x3~1|none~2|",
                "|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|");
        // a chain of skips into the output is one skip from the input
        assertEquivalent(
                "|skip_connect~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|",
                "|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|");
        // conv applied to a sum of skips is conv of the flattened sum
        assertEquivalent(
                "|nor_conv_1x1~0|+|skip_connect~0|skip_connect~1|+|none~0|none~1|nor_conv_3x3~2|",
                "|skip_connect~0|+|nor_conv_1x1~0|skip_connect~1|+|none~0|none~1|nor_conv_3x3~2|");
        assertEquals(
                "nor_conv_3x3(nor_conv_1x1(x)+x)",
                key("|nor_conv_1x1~0|+|skip_connect~0|skip_connect~1|+|none~0|none~1|nor_conv_3x3~2|"));
    }

    @Test
    void additionIsCommutative() {
        assertEquivalent(
                "|nor_conv_3x3~0|+|nor_conv_1x1~0|none~1|+|none~0|skip_connect~1|skip_connect~2|",
                "|nor_conv_1x1~0|+|nor_conv_3x3~0|none~1|+|none~0|skip_connect~1|skip_connect~2|");
        assertEquivalent(
                "|avg_pool_3x3~0|+|none~0|none~1|+|nor_conv_3x3~0|skip_connect~1|none~2|",
                "|nor_conv_3x3~0|+|none~0|none~1|+|avg_pool_3x3~0|skip_connect~1|none~2|");
    }

    @Test
    void differentFunctionsAreNotEquivalent() {
        // conv3x3 vs conv1x1 on a live edge
        assertDistinct(
                "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|skip_connect~1|none~2|",
                "|nor_conv_1x1~0|+|none~0|none~1|+|none~0|skip_connect~1|none~2|");
        // pooling is not the identity
        assertDistinct(
                "|none~0|+|none~0|none~1|+|avg_pool_3x3~0|none~1|none~2|",
                "|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|");
        // x + x is not x: two skip paths add up
        assertDistinct(
                "|skip_connect~0|+|none~0|none~1|+|skip_connect~0|skip_connect~1|none~2|",
                "|skip_connect~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|");
        // the order of ops along a path matters
        assertDistinct(
                "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|nor_conv_1x1~1|none~2|",
                "|nor_conv_1x1~0|+|none~0|none~1|+|none~0|nor_conv_3x3~1|none~2|");
        // conv of a sum is not the sum of convs
        assertDistinct(
                "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|none~0|none~1|nor_conv_3x3~2|",
                "|skip_connect~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|none~1|skip_connect~2|");
        // the best NB201 cell is alone in its class
        Nb201Cell best = SPACE.parse(
                "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|");
        long same = SPACE.enumerate()
                .filter(c -> SPACE.canonicalKey(c).equals(SPACE.canonicalKey(best)))
                .count();
        assertEquals(1, same);
    }

    /** One op reached twice through skips is one set of weights; two ops are two: different networks. */
    @Test
    void aSharedOpIsNotTwoOps() {
        Nb201Space space = Nb201Space.INSTANCE;
        String shared = space.canonicalKey(
                space.parse("|nor_conv_1x1~0|+|none~0|skip_connect~1|+|none~0|skip_connect~1|skip_connect~2|"));
        String twoOps = space.canonicalKey(
                space.parse("|nor_conv_1x1~0|+|nor_conv_1x1~0|none~1|+|none~0|skip_connect~1|skip_connect~2|"));
        assertTrue(shared.startsWith("2*nor_conv_1x1(x) |"), shared);
        assertEquals("nor_conv_1x1(x)+nor_conv_1x1(x)", twoOps); // a tree: the expression alone
        // nested sharing: c(x) + p(c(x)) with one conv is not c(x) + p(c'(x)) with two
        String nestedShared = space.canonicalKey(
                space.parse("|nor_conv_1x1~0|+|none~0|avg_pool_3x3~1|+|none~0|skip_connect~1|skip_connect~2|"));
        String nestedTwo = space.canonicalKey(
                space.parse("|nor_conv_1x1~0|+|none~0|avg_pool_3x3~1|+|nor_conv_1x1~0|none~1|skip_connect~2|"));
        assertNotEquals(nestedShared, nestedTwo);
    }

    /**
     * Cells with one key have the same weights on live edges (from a node the input reaches,
     * through non-'none' edges, to a node that reaches the output): counted independently here.
     */
    @Test
    void cellsWithOneKeyHaveTheSameLiveWeights() {
        Nb201Space space = Nb201Space.INSTANCE;
        Map<String, Integer> weightsOfKey = new HashMap<>();
        space.enumerate().forEach(cell -> {
            boolean[] fromInput = new boolean[4];
            fromInput[0] = true;
            for (int e = 0; e < Nb201Cell.EDGES; e++) {
                if (cell.op(e) != Nb201Op.NONE && fromInput[Nb201Cell.from(e)]) {
                    fromInput[Nb201Cell.to(e)] = true;
                }
            }
            boolean[] toOutput = new boolean[4];
            toOutput[3] = true;
            for (int e = Nb201Cell.EDGES - 1; e >= 0; e--) {
                if (cell.op(e) != Nb201Op.NONE && toOutput[Nb201Cell.to(e)]) {
                    toOutput[Nb201Cell.from(e)] = true;
                }
            }
            int weights = 0;
            for (int e = 0; e < Nb201Cell.EDGES; e++) {
                if (fromInput[Nb201Cell.from(e)] && toOutput[Nb201Cell.to(e)]) {
                    weights += cell.op(e) == Nb201Op.NOR_CONV_3X3 ? 9 : cell.op(e) == Nb201Op.NOR_CONV_1X1 ? 1 : 0;
                }
            }
            Integer seen = weightsOfKey.putIfAbsent(space.canonicalKey(cell), weights);
            assertTrue(seen == null || seen == weights, cell + " has " + weights + " live weights, its class " + seen);
        });
    }
}
