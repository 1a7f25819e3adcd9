package io.archipelago.core.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HypervolumeTest {

    private static final double[] ORIGIN_2D = {0, 0};
    private static final double[] ORIGIN_3D = {0, 0, 0};

    // ---------------------------------------------------------------- hand-computed

    @Test
    void oneObjectiveIsTheBestMinusTheReference() {
        assertEquals(5.0, Hypervolume.of(new double[][] {{3}, {5}, {-1}}, new double[] {0}));
        assertEquals(0.0, Hypervolume.of(new double[][] {{-3}, {0}}, new double[] {0}));
    }

    @Test
    void twoDimensionalBoxes() {
        assertEquals(2.0, Hypervolume.of(new double[][] {{3, 2}}, new double[] {1, 1}), "single box 2 x 1");
        assertEquals(5.0, Hypervolume.of(new double[][] {{3, 1}, {1, 3}}, ORIGIN_2D), "3 + 3 - overlap 1");
        assertEquals(6.0, Hypervolume.of(new double[][] {{1, 3}, {2, 2}, {3, 1}}, ORIGIN_2D), "staircase 3 + 2 + 1");
        assertEquals(
                6.0,
                Hypervolume.of(new double[][] {{3, 1}, {1, 3}, {2, 2}, {2, 2}, {1, 1}}, ORIGIN_2D),
                "with a duplicate and a dominated point");
        assertEquals(
                8.0, Hypervolume.of(new double[][] {{2, 4}, {2, 3}, {1, 4}}, ORIGIN_2D), "ties in both objectives");
    }

    @Test
    void minimisedObjectivesAreNegativeScores() {
        // latency 2 and 3 ms against a 10 ms reference: scores -2, -3 against -10
        assertEquals(56.0, Hypervolume.of(new double[][] {{-2, -3}}, new double[] {-10, -10}));
    }

    @Test
    void pointsNotBeatingTheReferenceCountForNothing() {
        double[] reference = {1, 1};
        assertEquals(0.0, Hypervolume.of(new double[][] {{3, 0.5}, {0.5, 3}, {1, 1}, {5, 1}, {1, 5}}, reference));
        assertEquals(1.0, Hypervolume.of(new double[][] {{2, 2}, {5, 1}, {1, 5}, {0, 9}}, reference));
        assertEquals(0.0, Hypervolume.of(new double[][] {{2, 2, 1}}, new double[] {1, 1, 1}));
        assertEquals(0.0, Hypervolume.of(new double[][] {{Double.NEGATIVE_INFINITY, 5}}, reference));
    }

    @Test
    void emptySetHasNoVolume() {
        assertEquals(0.0, Hypervolume.of(new double[0][], new double[] {0}));
        assertEquals(0.0, Hypervolume.of(new double[0][], ORIGIN_2D));
        assertEquals(0.0, Hypervolume.of(new double[0][], ORIGIN_3D));
    }

    @Test
    void threeDimensionalBoxes() {
        assertEquals(24.0, Hypervolume.of(new double[][] {{2, 3, 4}}, ORIGIN_3D), "single box");
        assertEquals(
                6.0, Hypervolume.of(new double[][] {{3, 4, 5}}, new double[] {2, 2, 2}), "single box off the origin");
        assertEquals(5.0, Hypervolume.of(new double[][] {{2, 2, 1}, {1, 1, 2}}, ORIGIN_3D), "4 + 2 - overlap 1");
        // three 1x1x3 bars along the axes: 3 * 3 - 3 pairwise overlaps (unit cube each) + 1 triple
        assertEquals(7.0, Hypervolume.of(new double[][] {{3, 1, 1}, {1, 3, 1}, {1, 1, 3}}, ORIGIN_3D), "three bars");
        assertEquals(
                8.0,
                Hypervolume.of(new double[][] {{1, 1, 1}, {2, 2, 2}, {2, 1, 2}}, ORIGIN_3D),
                "dominated points inside a cube");
        // two boxes sharing the top z: union in the xy plane is 2*1 + 1*2 - 1 = 3, times height 2
        assertEquals(6.0, Hypervolume.of(new double[][] {{2, 1, 2}, {1, 2, 2}}, ORIGIN_3D), "equal third objective");
        // staircase in xy at z = 1 (area 6) plus a point reaching z = 3 over [0,1]x[0,1]: 6 + 1 * 2
        assertEquals(8.0, Hypervolume.of(new double[][] {{1, 3, 1}, {2, 2, 1}, {3, 1, 1}, {1, 1, 3}}, ORIGIN_3D));
        // a later point dominating (in xy) several staircase entries, and one equal in x to an entry
        double[][] points = {{1, 4, 3}, {2, 3, 3}, {3, 2, 3}, {4, 1, 3}, {3, 3, 1}, {4, 2, 2}};
        // z in (2,3]: area 1*4 + 1*3 + 1*2 + 1*1 = 10
        // z in (1,2]: add (4,2): staircase (1,4) (2,3) (4,2) -> 4 + 3*... computed as union:
        //   x in (0,1]:4, (1,2]:3, (2,3]:2, (3,4]:2 -> 11
        // z in (0,1]: add (3,3): x in (0,1]:4, (1,2]:3, (2,3]:3, (3,4]:2 -> 12
        assertEquals(10 + 11 + 12, Hypervolume.of(points, ORIGIN_3D), 1e-12);
    }

    @Test
    void inputIsNotReordered() {
        double[][] points = {{1, 3, 1}, {3, 1, 2}, {2, 2, 3}};
        double[][] copy = Arrays.stream(points).map(double[]::clone).toArray(double[][]::new);
        Hypervolume.of(points, ORIGIN_3D);
        Hypervolume.of(Arrays.stream(points).map(p -> new double[] {p[0], p[1]}).toArray(double[][]::new), ORIGIN_2D);
        assertTrue(Arrays.deepEquals(copy, points));
    }

    // ---------------------------------------------------------------- validation

    @Test
    void aReferenceWithoutObjectivesIsRejected() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Hypervolume.of(new double[0][], new double[0]));
        assertTrue(e.getMessage().contains("no objectives"), e.getMessage());
    }

    @Test
    void fourAndFiveDimensionalBoxes() {
        assertEquals(24, Hypervolume.of(new double[][] {{1, 2, 3, 4}}, new double[4]), 1e-12);
        // Two boxes of 16 overlapping in their common corner box, 1 x 1 x 1 x 2.
        assertEquals(16 + 16 - 2, Hypervolume.of(new double[][] {{2, 2, 2, 2}, {1, 1, 1, 16}}, new double[4]), 1e-12);
        assertEquals(
                32 + 32 - 2, Hypervolume.of(new double[][] {{2, 2, 2, 2, 2}, {1, 1, 1, 1, 32}}, new double[5]), 1e-12);
    }

    @Test
    void badPointsAndReferencesAreNamed() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Hypervolume.of(new double[][] {{1, 1}, {2, 2}, {3, Double.NaN}}, ORIGIN_2D));
        assertTrue(e.getMessage().contains("point 2") && e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Hypervolume.of(new double[][] {{-1, Double.NaN}}, ORIGIN_2D));
        assertTrue(
                e.getMessage().contains("point 0"),
                "NaN is rejected even in a point that would not count: " + e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Hypervolume.of(new double[][] {{1, 1}, {1, 1, 1}}, ORIGIN_2D));
        assertTrue(e.getMessage().contains("point 1") && e.getMessage().contains("3 objectives"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Hypervolume.of(new double[][] {{1, 1}}, new double[] {0, Double.NaN}));
        assertTrue(e.getMessage().contains("reference"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> Hypervolume.of(new double[][] {{1, 1}}, new double[] {Double.NEGATIVE_INFINITY, 0}));
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Hypervolume.of(new double[][] {{1, 1}, {Double.POSITIVE_INFINITY, 1}}, ORIGIN_2D));
        assertTrue(e.getMessage().contains("point 1") && e.getMessage().contains("unbounded"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Hypervolume.of(new double[][] {{1, 1}}, null));
        assertThrows(IllegalArgumentException.class, () -> Hypervolume.of(null, ORIGIN_2D));
    }

    // ---------------------------------------------------------------- properties

    @Test
    void matchesCoordinateCompressionOnRandomSets() {
        SplittableRandom random = new SplittableRandom(1234L);
        for (int trial = 0; trial < 400; trial++) {
            int m = 1 + random.nextInt(5);
            int n = random.nextInt(m == 5 ? 8 : m == 4 ? 13 : m == 3 ? 41 : 61);
            double[][] points = ParetoTest.randomPoints(random, n, m, trial % 2 == 0);
            double[] reference = randomReference(random, m, trial % 2 == 0);
            double expected = bruteForce(points, reference);
            double actual = Hypervolume.of(points, reference);
            assertClose(expected, actual, "trial " + trial + " (n=" + n + ", m=" + m + ")");
        }
    }

    @Test
    void invariantUnderPermutationOfPointsAndObjectives() {
        SplittableRandom random = new SplittableRandom(99L);
        for (int trial = 0; trial < 300; trial++) {
            int m = 2 + random.nextInt(2);
            int n = 1 + random.nextInt(60);
            double[][] points = ParetoTest.randomPoints(random, n, m, trial % 2 == 0);
            double[] reference = randomReference(random, m, trial % 2 == 0);
            double value = Hypervolume.of(points, reference);
            String label = "trial " + trial;

            double[][] shuffled = points.clone();
            for (int i = shuffled.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                double[] t = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = t;
            }
            assertClose(value, Hypervolume.of(shuffled, reference), label + ": points shuffled");

            int[] axes = m == 2
                    ? new int[] {1, 0}
                    : new int[][] {{1, 2, 0}, {2, 0, 1}, {0, 2, 1}, {2, 1, 0}}[random.nextInt(4)];
            double[][] permuted = new double[n][m];
            double[] permutedReference = new double[m];
            for (int k = 0; k < m; k++) {
                permutedReference[k] = reference[axes[k]];
                for (int i = 0; i < n; i++) {
                    permuted[i][k] = points[i][axes[k]];
                }
            }
            assertClose(
                    value,
                    Hypervolume.of(permuted, permutedReference),
                    label + ": objectives permuted " + Arrays.toString(axes));
        }
    }

    @Test
    void dominatedPointsChangeNothingAndNonDominatedOnesAddVolume() {
        SplittableRandom random = new SplittableRandom(5L);
        for (int trial = 0; trial < 300; trial++) {
            int m = 2 + random.nextInt(2);
            int n = 1 + random.nextInt(60);
            double[][] points = ParetoTest.randomPoints(random, n, m, trial % 2 == 0);
            double[] reference = new double[m];
            Arrays.fill(reference, -2);
            double value = Hypervolume.of(points, reference);

            double[] base = points[random.nextInt(n)];
            double[] dominated = base.clone();
            for (int k = 0; k < m; k++) {
                dominated[k] -= random.nextInt(2) * random.nextDouble(0, 1);
            }
            double[][] more = Arrays.copyOf(points, n + 2);
            more[n] = dominated;
            more[n + 1] = base.clone(); // a duplicate
            assertClose(value, Hypervolume.of(more, reference), "trial " + trial + ": dominated point added");

            double[] better = base.clone();
            better[random.nextInt(m)] += 0.5 + random.nextDouble();
            more[n] = better;
            double bigger = Hypervolume.of(more, reference);
            boolean newlyNonDominated = Arrays.stream(points).noneMatch(p -> dominatesOrEquals(p, better));
            boolean counts = Arrays.stream(better).allMatch(v -> v > -2);
            if (newlyNonDominated && counts) {
                assertTrue(bigger > value, "trial " + trial + ": a non-dominated point must add volume");
            }
        }
    }

    @Test
    void normalisedObjectivesGiveAUnitScale() {
        // accuracy (max, %) and params (min, count): the ideal point normalises to (1, 1), volume 1
        double[][] scores = {{95, -1e6}, {90, -2e5}, {80, -1e5}};
        double[][] unit = Objectives.normalised(scores, new double[] {80, -2e6}, new double[] {100, 0});
        double value = Hypervolume.of(unit, ORIGIN_2D);
        // (0.75, 0.5), (0.5, 0.9), (0, 0.95) clipped: 0.75*0.5 + 0.5*(0.9-0.5)
        assertEquals(0.375 + 0.2, value, 1e-12);
        assertTrue(value <= 1.0);
    }

    @Test
    void thousandsOfPointsInThreeDimensionsAreFast() {
        SplittableRandom random = new SplittableRandom(3L);
        int n = 4000;
        double[][] points = new double[n][];
        for (int i = 0; i < n; i++) {
            // points on the positive octant of the unit sphere: all mutually non-dominated
            double x = Math.abs(random.nextDouble(-1, 1));
            double y = Math.abs(random.nextDouble(-1, 1));
            double z = Math.abs(random.nextDouble(-1, 1));
            double norm = Math.sqrt(x * x + y * y + z * z);
            points[i] = new double[] {x / norm, y / norm, z / norm};
        }
        double value = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> Hypervolume.of(points, ORIGIN_3D));
        // bounded above by the octant of the unit ball, pi/6
        assertTrue(value > 0.45 && value < Math.PI / 6, "value " + value);
    }

    // ---------------------------------------------------------------- helpers

    private static boolean dominatesOrEquals(double[] a, double[] b) {
        for (int k = 0; k < a.length; k++) {
            if (a[k] < b[k]) {
                return false;
            }
        }
        return true;
    }

    private static double[] randomReference(SplittableRandom random, int m, boolean integers) {
        double[] reference = new double[m];
        for (int k = 0; k < m; k++) {
            // usually below the cloud, sometimes inside it so that clipping matters
            reference[k] =
                    random.nextInt(4) == 0 ? (integers ? random.nextInt(3) - 1 : random.nextDouble(-0.5, 0.5)) : -5;
        }
        return reference;
    }

    private static void assertClose(double expected, double actual, String label) {
        double tolerance = 1e-9 * Math.max(1.0, Math.abs(expected));
        assertEquals(expected, actual, tolerance, label);
    }

    /**
     * Exact hypervolume by coordinate compression: the distinct coordinates of each axis (with
     * the reference) cut space into grid cells, and a cell is dominated iff its upper corner is
     * weakly dominated by some point.
     */
    static double bruteForce(double[][] points, double[] reference) {
        int m = reference.length;
        double[][] grid = new double[m][];
        for (int k = 0; k < m; k++) {
            final int axis = k;
            grid[k] = java.util.stream.Stream.concat(
                            Arrays.stream(points).map(p -> p[axis]), java.util.stream.Stream.of(reference[axis]))
                    .mapToDouble(Double::doubleValue)
                    .filter(v -> v >= reference[axis])
                    .distinct()
                    .sorted()
                    .toArray();
        }
        int[] cell = new int[m];
        double[] upper = new double[m];
        double total = 0;
        // odometer over all cells
        while (true) {
            boolean valid = true;
            double volume = 1;
            for (int k = 0; k < m; k++) {
                if (cell[k] + 1 >= grid[k].length) {
                    valid = false;
                    break;
                }
                upper[k] = grid[k][cell[k] + 1];
                volume *= upper[k] - grid[k][cell[k]];
            }
            if (valid) {
                for (double[] p : points) {
                    if (dominatesOrEquals(p, upper)) {
                        total += volume;
                        break;
                    }
                }
            }
            int k = 0;
            while (k < m && ++cell[k] >= Math.max(grid[k].length - 1, 1)) {
                cell[k] = 0;
                k++;
            }
            if (k == m) {
                return total;
            }
        }
    }
}
