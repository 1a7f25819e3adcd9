package io.archipelago.core.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ParetoTest {

    private static final double INF = Double.POSITIVE_INFINITY;

    // ---------------------------------------------------------------- dominance

    @Test
    void dominanceNeedsNoWorseEverywhereAndBetterSomewhere() {
        assertTrue(Pareto.dominates(new double[] {2, 2}, new double[] {1, 1}));
        assertTrue(Pareto.dominates(new double[] {2, 1}, new double[] {1, 1}));
        assertTrue(Pareto.dominates(new double[] {1, 1, 0}, new double[] {1, 1, -INF}));
        assertFalse(Pareto.dominates(new double[] {1, 1}, new double[] {2, 2}));
        assertFalse(Pareto.dominates(new double[] {1, 1}, new double[] {1, 1}), "equal points do not dominate");
        assertFalse(Pareto.dominates(new double[] {3, 0}, new double[] {0, 3}), "incomparable");
        assertFalse(Pareto.dominates(new double[] {0, 3}, new double[] {3, 0}), "incomparable");
        assertFalse(Pareto.dominates(new double[] {2, 1, 5}, new double[] {1, 2, 0}));
        assertFalse(Pareto.dominates(new double[0], new double[0]));
    }

    @Test
    void dominanceRejectsMismatchedLengthsAndNaN() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Pareto.dominates(new double[] {1, 2}, new double[] {1, 2, 3}));
        assertTrue(e.getMessage().contains("2") && e.getMessage().contains("3"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Pareto.dominates(new double[] {1, Double.NaN}, new double[] {0, 0}));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> Pareto.dominates(new double[] {1, 1}, new double[] {Double.NaN, 0}));
    }

    // ---------------------------------------------------------------- hand-computed sorts

    /**
     * Front 0: (1,4) (3,3) (4,1); front 1: (2,2) dominated by (3,3), (0,3) dominated by (1,4);
     * front 2: (1,1) dominated by (2,2).
     */
    private static final double[][] SIX = {
        {2, 2}, // 0: front 1
        {1, 4}, // 1: front 0
        {1, 1}, // 2: front 2
        {4, 1}, // 3: front 0
        {0, 3}, // 4: front 1
        {3, 3}, // 5: front 0
    };

    @Test
    void sortsSixPointsIntoThreeFronts() {
        int[][] fronts = Pareto.sort(SIX);
        assertEquals(3, fronts.length);
        assertArrayEquals(new int[] {1, 3, 5}, fronts[0]);
        assertArrayEquals(new int[] {0, 4}, fronts[1]);
        assertArrayEquals(new int[] {2}, fronts[2]);
        assertArrayEquals(new int[] {1, 0, 2, 0, 1, 0}, Pareto.ranks(fronts, SIX.length));
        assertArrayEquals(new int[] {1, 3, 5}, Pareto.nonDominated(SIX));
    }

    @Test
    void duplicatesShareAFront() {
        double[][] points = {{1, 1}, {2, 2}, {2, 2}, {1, 1}, {3, 0}};
        int[][] fronts = Pareto.sort(points);
        assertEquals(2, fronts.length);
        assertArrayEquals(new int[] {1, 2, 4}, fronts[0]);
        assertArrayEquals(new int[] {0, 3}, fronts[1]);
        assertArrayEquals(new int[] {1, 2, 4}, Pareto.nonDominated(points));
    }

    @Test
    void constantObjectiveLeavesAChainOnTheOther() {
        double[][] points = {{3, 5}, {1, 5}, {2, 5}, {3, 5}};
        int[][] fronts = Pareto.sort(points);
        assertEquals(3, fronts.length);
        assertArrayEquals(new int[] {0, 3}, fronts[0]);
        assertArrayEquals(new int[] {2}, fronts[1]);
        assertArrayEquals(new int[] {1}, fronts[2]);
    }

    @Test
    void threeObjectivesAndInfinities() {
        double[][] points = {
            {1, 0, 0}, // 0: front 0
            {0, 1, 0}, // 1: front 0
            {0, 0, 1}, // 2: front 0
            {0, 0, 0}, // 3: front 1, dominated by all three
            {0, 0, -INF}, // 4: front 2
            {1, -INF, 0}, // 5: dominated by 0 only -> front 1
        };
        int[][] fronts = Pareto.sort(points);
        assertEquals(3, fronts.length);
        assertArrayEquals(new int[] {0, 1, 2}, fronts[0]);
        assertArrayEquals(new int[] {3, 5}, fronts[1]);
        assertArrayEquals(new int[] {4}, fronts[2]);
    }

    @Test
    void emptyAndSingleton() {
        assertEquals(0, Pareto.sort(new double[0][]).length);
        assertEquals(0, Pareto.nonDominated(new double[0][]).length);
        assertEquals(0, Pareto.ranks(new int[0][], 0).length);
        int[][] fronts = Pareto.sort(new double[][] {{7, -3}});
        assertEquals(1, fronts.length);
        assertArrayEquals(new int[] {0}, fronts[0]);
    }

    @Test
    void aChainHasOneFrontPerPoint() {
        int n = 1000;
        double[][] points = new double[n][];
        for (int i = 0; i < n; i++) {
            points[i] = new double[] {(i * 7919) % n, (i * 7919) % n}; // a permuted chain
        }
        int[][] fronts = Pareto.sort(points);
        assertEquals(n, fronts.length);
        for (int f = 0; f < n; f++) {
            assertEquals(1, fronts[f].length);
            assertEquals(n - 1 - f, points[fronts[f][0]][0]);
        }
    }

    // ---------------------------------------------------------------- constraint-domination

    @Test
    void constraintDominationRanksFeasibleFirstThenBySmallerViolation() {
        double[][] points = {
            {5, 5}, // 0: violation 1
            {1, 1}, // 1: feasible
            {2, 0}, // 2: feasible, incomparable with 1
            {4, 4}, // 3: violation 0.5
            {3, 3}, // 4: violation 0.5, Pareto-dominated by 3 but equal violation: same front
            {9, 9}, // 5: violation +inf (unknown)
            {0, 0}, // 6: feasible, dominated by 1
        };
        double[] violations = {1, 0, 0, 0.5, 0.5, INF, 0};
        int[][] fronts = Pareto.sort(points, violations);
        assertEquals(5, fronts.length);
        assertArrayEquals(new int[] {1, 2}, fronts[0]);
        assertArrayEquals(new int[] {6}, fronts[1]);
        assertArrayEquals(new int[] {3, 4}, fronts[2]);
        assertArrayEquals(new int[] {0}, fronts[3]);
        assertArrayEquals(new int[] {5}, fronts[4]);
    }

    @Test
    void equalInfiniteViolationsAreIncomparable() {
        double[][] points = {{9, 9}, {0, 0}, {5, 5}};
        int[][] fronts = Pareto.sort(points, new double[] {INF, INF, 2});
        assertEquals(2, fronts.length);
        assertArrayEquals(new int[] {2}, fronts[0]);
        assertArrayEquals(new int[] {0, 1}, fronts[1]);
    }

    @Test
    void zeroViolationsGiveTheUnconstrainedSort() {
        int[][] constrained = Pareto.sort(SIX, new double[SIX.length]);
        assertTrue(Arrays.deepEquals(Pareto.sort(SIX), constrained));
    }

    @Test
    void violationsAreValidated() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Pareto.sort(SIX, new double[5]));
        assertTrue(e.getMessage().contains("5") && e.getMessage().contains("6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pareto.sort(SIX, new double[] {0, 0, -1, 0, 0, 0}));
        assertTrue(e.getMessage().contains("point 2"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Pareto.sort(SIX, new double[] {0, 0, 0, Double.NaN, 0, 0}));
        assertTrue(e.getMessage().contains("point 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pareto.sort(SIX, null));
    }

    // ---------------------------------------------------------------- validation

    @Test
    void nanIsRejectedNamingThePoint() {
        double[][] points = {{1, 2}, {3, 4}, {5, 6}, {7, Double.NaN}};
        for (Runnable call : List.<Runnable>of(
                () -> Pareto.sort(points),
                () -> Pareto.sort(points, new double[4]),
                () -> Pareto.nonDominated(points),
                () -> Pareto.crowding(points, new int[] {0, 1, 2}))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
            assertTrue(e.getMessage().contains("point 3"), e.getMessage());
            assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        }
    }

    @Test
    void raggedPointsAreRejected() {
        double[][] points = {{1, 2}, {3, 4}, {5, 6, 7}};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pareto.sort(points));
        assertTrue(e.getMessage().contains("point 2") && e.getMessage().contains("3 objectives"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pareto.nonDominated(points));
        assertThrows(IllegalArgumentException.class, () -> Pareto.crowding(points, new int[] {0, 1}));
        e = assertThrows(IllegalArgumentException.class, () -> Pareto.sort(new double[][] {{1}, null}));
        assertTrue(e.getMessage().contains("point 1"), e.getMessage());
    }

    @Test
    void ranksValidateTheFronts() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Pareto.ranks(new int[][] {{0, 2}}, 3));
        assertTrue(e.getMessage().contains("point 1") && e.getMessage().contains("no front"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pareto.ranks(new int[][] {{0, 1}, {1}}, 2));
        assertTrue(e.getMessage().contains("point 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pareto.ranks(new int[][] {{0, 5}}, 2));
        assertTrue(e.getMessage().contains("5"), e.getMessage());
    }

    // ---------------------------------------------------------------- crowding

    @Test
    void crowdingOfAFiveMemberFront() {
        double[][] points = {
            {3, 5}, // 0: C
            {0, 0}, // 1: not in the front
            {0, 10}, // 2: A
            {10, 0}, // 3: E
            {1, 6}, // 4: B
            {6, 2}, // 5: D
        };
        // Objective 0 (range 10), sorted A B C D E; objective 1 (range 10), sorted E D C B A.
        // B: (3-0)/10 + (10-5)/10 = 0.8; C: (6-1)/10 + (6-2)/10 = 0.9; D: (10-3)/10 + (5-0)/10 = 1.2.
        int[] front = {5, 2, 0, 4, 3}; // D A C B E
        double[] distance = Pareto.crowding(points, front);
        assertArrayEquals(new double[] {1.2, INF, 0.9, 0.8, INF}, distance, 1e-12);
    }

    @Test
    void crowdingWithAConstantObjectiveUsesOnlyTheOther() {
        double[][] points = {{0, 7}, {1, 7}, {2, 7}, {4, 7}, {8, 7}};
        // Objective 0 range 8: 1 -> (2-0)/8, 2 -> (4-1)/8, 4 -> (8-2)/8; objective 1 adds nothing.
        double[] distance = Pareto.crowding(points, new int[] {0, 1, 2, 3, 4});
        assertArrayEquals(new double[] {INF, 0.25, 0.375, 0.75, INF}, distance, 1e-12);
    }

    @Test
    void crowdingOfThreeObjectives() {
        double[][] points = {{0, 0, 4}, {1, 2, 2}, {2, 1, 0}, {4, 4, 1}};
        // obj0 (range 4) order 0,1,2,3: 1 -> (2-0)/4 = .5, 2 -> (4-1)/4 = .75
        // obj1 (range 4) order 0,2,1,3: 2 -> (2-0)/4 = .5, 1 -> (4-1)/4 = .75
        // obj2 (range 4) order 2,3,1,0: boundaries 2 and 0; 3 -> (2-0)/4 = .5, 1 -> (4-1)/4 = .75
        double[] distance = Pareto.crowding(points, new int[] {0, 1, 2, 3});
        assertArrayEquals(new double[] {INF, 2.0, INF, INF}, distance, 1e-12);
        distance = Pareto.crowding(points, new int[] {1, 3});
        assertArrayEquals(new double[] {INF, INF}, distance);
    }

    @Test
    void smallFrontsAreAllBoundary() {
        double[][] points = {{1, 2}, {2, 1}, {3, 0}};
        assertEquals(0, Pareto.crowding(points, new int[0]).length);
        assertArrayEquals(new double[] {INF}, Pareto.crowding(points, new int[] {1}));
        assertArrayEquals(new double[] {INF, INF}, Pareto.crowding(points, new int[] {2, 0}));
    }

    @Test
    void tiedMembersKeepTheirOrderInTheFront() {
        // Sorted stably the order is 1, 2, 3, 0: boundaries 1 and 0; 2 -> (0-0)/3, 3 -> (3-0)/3.
        double[][] points = {{3}, {0}, {0}, {0}};
        assertArrayEquals(new double[] {INF, INF, 0, 1}, Pareto.crowding(points, new int[] {0, 1, 2, 3}), 1e-12);
        // Listing the tied members the other way round moves the boundary to the first one listed.
        assertArrayEquals(new double[] {INF, INF, 0, 1}, Pareto.crowding(points, new int[] {0, 3, 2, 1}), 1e-12);
    }

    @Test
    void identicalMembersHaveNoCrowdingDistance() {
        double[][] points = {{1, 1}, {1, 1}, {1, 1}};
        assertArrayEquals(new double[] {0, 0, 0}, Pareto.crowding(points, new int[] {0, 1, 2}));
    }

    @Test
    void crowdingSurvivesHugeRanges() {
        double max = Double.MAX_VALUE;
        double[][] points = {{-max}, {0}, {max}};
        assertArrayEquals(new double[] {INF, 1.0, INF}, Pareto.crowding(points, new int[] {0, 1, 2}), 1e-12);
    }

    @Test
    void crowdingRejectsOutOfRangeMembers() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Pareto.crowding(SIX, new int[] {0, 6, 1}));
        assertTrue(e.getMessage().contains("member 1") && e.getMessage().contains("6"), e.getMessage());
    }

    @Test
    void crowdingMatchesADirectComputationOnRandomFronts() {
        SplittableRandom random = new SplittableRandom(20020402L);
        for (int trial = 0; trial < 300; trial++) {
            int m = 2 + random.nextInt(2);
            double[][] points = randomPoints(random, 3 + random.nextInt(40), m, trial % 2 == 0);
            int[] front = Pareto.sort(points)[0];
            double[] distance = Pareto.crowding(points, front);
            assertEquals(front.length, distance.length);
            if (front.length <= 2) {
                for (double d : distance) {
                    assertEquals(INF, d);
                }
                continue;
            }
            // Direct definition with distinct values: a member is a boundary in objective k iff it
            // holds the strict min or max there; ties at the extremes are checked only loosely.
            double[] expected = new double[front.length];
            boolean ambiguous = false;
            for (int k = 0; k < m; k++) {
                double[] values = new double[front.length];
                for (int j = 0; j < front.length; j++) {
                    values[j] = points[front[j]][k];
                }
                double[] sorted = values.clone();
                Arrays.sort(sorted);
                double range = sorted[sorted.length - 1] - sorted[0];
                if (range == 0) {
                    continue;
                }
                for (int a = 0; a + 1 < sorted.length; a++) {
                    ambiguous |= sorted[a] == sorted[a + 1];
                }
                for (int j = 0; j < front.length; j++) {
                    int at = Arrays.binarySearch(sorted, values[j]);
                    expected[j] += at == 0 || at == sorted.length - 1 ? INF : (sorted[at + 1] - sorted[at - 1]) / range;
                }
            }
            if (!ambiguous) {
                assertArrayEquals(expected, distance, 1e-12, "trial " + trial);
            }
            for (double d : distance) {
                assertTrue(d >= 0, "trial " + trial);
            }
        }
    }

    // ---------------------------------------------------------------- properties against brute force

    @Test
    void fastSortEqualsBruteForceOnRandomSets() {
        SplittableRandom random = new SplittableRandom(42L);
        for (int trial = 0; trial < 600; trial++) {
            int m = 2 + random.nextInt(2);
            int n = random.nextInt(61);
            double[][] points = randomPoints(random, n, m, trial % 3 != 0);
            int[][] fronts = Pareto.sort(points);
            String label = "trial " + trial + " (n=" + n + ", m=" + m + ")";
            assertTrue(Arrays.deepEquals(bruteForceSort(points, null), fronts), label);
            assertFrontsAreWellFormed(points, null, fronts, label);
            int[] expectedFront0 = fronts.length == 0 ? new int[0] : fronts[0];
            assertArrayEquals(expectedFront0, Pareto.nonDominated(points), label);
            int[] rank = Pareto.ranks(fronts, n);
            for (int f = 0; f < fronts.length; f++) {
                for (int i : fronts[f]) {
                    assertEquals(f, rank[i], label);
                }
            }
        }
    }

    @Test
    void constrainedSortEqualsBruteForceOnRandomSets() {
        SplittableRandom random = new SplittableRandom(7L);
        double[] violationLevels = {0, 0, 0, 0.5, 1, 2, INF};
        for (int trial = 0; trial < 600; trial++) {
            int m = 2 + random.nextInt(2);
            int n = random.nextInt(61);
            double[][] points = randomPoints(random, n, m, trial % 2 == 0);
            double[] violations = new double[n];
            for (int i = 0; i < n; i++) {
                violations[i] = trial % 4 == 3
                        ? random.nextDouble() * (random.nextBoolean() ? 0 : 1)
                        : violationLevels[random.nextInt(violationLevels.length)];
            }
            int[][] fronts = Pareto.sort(points, violations);
            String label = "trial " + trial + " (n=" + n + ", m=" + m + ")";
            assertTrue(Arrays.deepEquals(bruteForceSort(points, violations), fronts), label);
            assertFrontsAreWellFormed(points, violations, fronts, label);
            // Every feasible point ranks ahead of every infeasible one.
            int[] rank = Pareto.ranks(fronts, n);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (violations[i] == 0 && violations[j] > 0) {
                        assertTrue(rank[i] < rank[j], label);
                    }
                    if (violations[i] > 0 && violations[i] < violations[j]) {
                        assertTrue(rank[i] < rank[j], label);
                    }
                }
            }
        }
    }

    private static void assertFrontsAreWellFormed(
            double[][] points, double[] violations, int[][] fronts, String label) {
        boolean[] seen = new boolean[points.length];
        for (int[] front : fronts) {
            assertTrue(front.length > 0, label + ": empty front");
            for (int a = 0; a < front.length; a++) {
                if (a > 0) {
                    assertTrue(front[a - 1] < front[a], label + ": front not ascending");
                }
                assertFalse(seen[front[a]], label + ": index twice");
                seen[front[a]] = true;
                for (int b = 0; b < front.length; b++) {
                    assertFalse(
                            dominatesBrute(points, violations, front[a], front[b]),
                            label + ": front is not an antichain");
                }
            }
        }
        for (boolean s : seen) {
            assertTrue(s, label + ": index missing");
        }
        for (int f = 0; f + 1 < fronts.length; f++) {
            for (int q : fronts[f + 1]) {
                boolean dominated = false;
                for (int p : fronts[f]) {
                    dominated |= dominatesBrute(points, violations, p, q);
                }
                assertTrue(
                        dominated, label + ": point " + q + " of front " + (f + 1) + " is not dominated by front " + f);
            }
        }
    }

    /** Front 0 = points no remaining point dominates; remove them; repeat. */
    private static int[][] bruteForceSort(double[][] points, double[] violations) {
        int n = points.length;
        boolean[] removed = new boolean[n];
        int left = n;
        List<int[]> fronts = new ArrayList<>();
        while (left > 0) {
            List<Integer> front = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (removed[i]) {
                    continue;
                }
                boolean dominated = false;
                for (int j = 0; j < n; j++) {
                    dominated |= !removed[j] && dominatesBrute(points, violations, j, i);
                }
                if (!dominated) {
                    front.add(i);
                }
            }
            for (int i : front) {
                removed[i] = true;
            }
            left -= front.size();
            fronts.add(front.stream().mapToInt(Integer::intValue).toArray());
        }
        return fronts.toArray(new int[0][]);
    }

    /** Straight from the definitions, independent of the production code. */
    private static boolean dominatesBrute(double[][] points, double[] violations, int a, int b) {
        if (violations != null) {
            boolean aFeasible = violations[a] == 0;
            boolean bFeasible = violations[b] == 0;
            if (aFeasible != bFeasible) {
                return aFeasible;
            }
            if (!aFeasible) {
                return violations[a] < violations[b];
            }
        }
        boolean noWorse = true;
        boolean better = false;
        for (int k = 0; k < points[a].length; k++) {
            noWorse &= points[a][k] >= points[b][k];
            better |= points[a][k] > points[b][k];
        }
        return noWorse && better;
    }

    /** Integer coordinates in a small range (so ties and duplicates are common) or continuous ones. */
    static double[][] randomPoints(SplittableRandom random, int n, int m, boolean integers) {
        int range = 1 + random.nextInt(8);
        double[][] points = new double[n][m];
        for (double[] p : points) {
            for (int k = 0; k < m; k++) {
                p[k] = integers ? random.nextInt(range) - range / 2 : random.nextDouble(-1, 1);
            }
        }
        return points;
    }
}
