package io.archipelago.core.objective;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Exact hypervolume indicator: the volume of objective space dominated by a point set and
 * bounded by a reference point. It is the one unary quality measure that is strictly monotone
 * in Pareto dominance, which is why benchmarks compare multi-objective searches by it.
 *
 * <p>Points are in the larger-is-better orientation ({@link Objective#score} values): the
 * measured region is the union over points p of the boxes {@code reference <= x <= p}. A point
 * that does not strictly beat the reference in every objective bounds no box and is ignored,
 * so the reference doubles as a "worst acceptable" cut-off. Objectives in different units
 * should first be put on a common scale, e.g. with {@link Objectives#normalised}.
 *
 * <p>Any number of objectives: a sort and sweep in 2-D (O(n log n)); a sweep over the third
 * objective maintaining a 2-D staircase in 3-D (O(n log n) comparisons plus O(n²) worst-case
 * array shifting, fine for thousands of points); from 4-D on, slicing (HSO, While et al. 2006):
 * the points sorted by their last objective, each slab between consecutive values is the
 * (m-1)-D hypervolume of the points above it times its depth, down to the 3-D sweep. That is
 * O(n^(m-2) log n): instant for the fronts of a search (hundreds of points at 4-5 objectives),
 * and what WFG would improve on only for thousands of points in many dimensions.
 */
public final class Hypervolume {

    private static final Comparator<double[]> BY_FIRST_DESCENDING = (a, b) -> Double.compare(b[0], a[0]);

    private static final Comparator<double[]> BY_THIRD_DESCENDING = (a, b) -> Double.compare(b[2], a[2]);

    private Hypervolume() {}

    /**
     * @param points n points of m objectives each, larger is better; may be empty
     * @param reference m finite values; only points strictly above it in every objective count
     * @return the exact hypervolume, 0 when no point counts
     * @throws IllegalArgumentException when m is 0, a point's length differs from the
     *     reference's, a point or the reference holds NaN, the reference is not finite, or a
     *     counting point has an infinite coordinate (its volume would be unbounded)
     */
    public static double of(double[][] points, double[] reference) {
        if (reference == null) {
            throw new IllegalArgumentException("reference point must be given");
        }
        if (points == null) {
            throw new IllegalArgumentException("points must be given");
        }
        int m = reference.length;
        if (m < 1) {
            throw new IllegalArgumentException("the reference point has no objectives");
        }
        for (int k = 0; k < m; k++) {
            if (!Double.isFinite(reference[k])) {
                throw new IllegalArgumentException(
                        "reference point must be finite, got " + reference[k] + " in objective " + k);
            }
        }
        double[][] counted = new double[points.length][];
        int n = 0;
        for (int i = 0; i < points.length; i++) {
            double[] p = points[i];
            if (p == null) {
                throw new IllegalArgumentException("point " + i + " is missing");
            }
            if (p.length != m) {
                throw new IllegalArgumentException(
                        "point " + i + " has " + p.length + " objectives but the reference has " + m);
            }
            boolean beats = true;
            for (int k = 0; k < m; k++) {
                if (Double.isNaN(p[k])) {
                    throw new IllegalArgumentException("point " + i + " has NaN in objective " + k);
                }
                beats &= p[k] > reference[k];
            }
            if (beats) {
                for (int k = 0; k < m; k++) {
                    if (p[k] == Double.POSITIVE_INFINITY) {
                        throw new IllegalArgumentException("point " + i + " is +Infinity in objective " + k
                                + "; its hypervolume would be unbounded");
                    }
                }
                counted[n++] = p;
            }
        }
        if (n == 0) {
            return 0;
        }
        return switch (m) {
            case 1 -> oneDimensional(counted, n, reference);
            case 2 -> twoDimensional(counted, n, reference);
            case 3 -> threeDimensional(counted, n, reference);
            default -> sliced(counted, n, reference);
        };
    }

    /** m >= 4: slabs along the last objective, each the (m-1)-D hypervolume of the points above it times its depth. */
    private static double sliced(double[][] points, int n, double[] reference) {
        int last = reference.length - 1;
        Arrays.sort(points, 0, n, (a, b) -> Double.compare(b[last], a[last]));
        double[] lowerReference = Arrays.copyOf(reference, last);
        double[][] above = new double[n][];
        double volume = 0;
        int i = 0;
        while (i < n) {
            double level = points[i][last];
            while (i < n && points[i][last] == level) {
                above[i] = Arrays.copyOf(points[i], last);
                i++;
            }
            double below = i < n ? points[i][last] : reference[last];
            volume += of(Arrays.copyOf(above, i), lowerReference) * (level - below);
        }
        return volume;
    }

    private static double oneDimensional(double[][] points, int n, double[] reference) {
        double best = points[0][0];
        for (int i = 1; i < n; i++) {
            best = Math.max(best, points[i][0]);
        }
        return best - reference[0];
    }

    /**
     * Sweep from the largest first objective down: a point adds the horizontal strip between the
     * highest second objective seen so far and its own, as wide as its first objective reaches.
     */
    private static double twoDimensional(double[][] points, int n, double[] reference) {
        Arrays.sort(points, 0, n, BY_FIRST_DESCENDING);
        double area = 0;
        double top = reference[1];
        for (int i = 0; i < n; i++) {
            double[] p = points[i];
            if (p[1] > top) {
                area += (p[0] - reference[0]) * (p[1] - top);
                top = p[1];
            }
        }
        return area;
    }

    /**
     * Sweep from the largest third objective down, keeping the 2-D staircase (and its area) of
     * the points seen so far; between consecutive distinct third-objective values the dominated
     * region is a prism of that area.
     */
    private static double threeDimensional(double[][] points, int n, double[] reference) {
        Arrays.sort(points, 0, n, BY_THIRD_DESCENDING);
        Staircase staircase = new Staircase(n, reference[0], reference[1]);
        double volume = 0;
        int i = 0;
        while (i < n) {
            double z = points[i][2];
            while (i < n && points[i][2] == z) {
                staircase.add(points[i][0], points[i][1]);
                i++;
            }
            double below = i < n ? points[i][2] : reference[2];
            volume += staircase.area * (z - below);
        }
        return volume;
    }

    /**
     * The mutually non-dominated 2-D points seen so far, x ascending (hence y strictly
     * descending), and the area they dominate above (left, bottom). Adding a point computes only
     * the area it alone dominates, so the total is updated in time proportional to the points it
     * removes.
     */
    private static final class Staircase {
        private final double[] xs;
        private final double[] ys;
        private final double left;
        private final double bottom;
        private int size;
        double area;

        Staircase(int capacity, double left, double bottom) {
            this.xs = new double[capacity];
            this.ys = new double[capacity];
            this.left = left;
            this.bottom = bottom;
        }

        void add(double x, double y) {
            int ceiling = firstAtLeast(x);
            if (ceiling < size && ys[ceiling] >= y) {
                return; // weakly dominated: the entry with the largest y among those with x' >= x covers it
            }
            int right = ceiling < size && xs[ceiling] == x ? ceiling + 1 : ceiling;
            int dominatedFrom = right;
            while (dominatedFrom > 0 && ys[dominatedFrom - 1] <= y) {
                dominatedFrom--;
            }
            // Walk leftwards from x over the entries the new point dominates: between two of them
            // the existing cover reaches the height of the one on the right.
            double cursor = x;
            double height = right < size ? ys[right] : bottom;
            double gained = 0;
            for (int j = right - 1; j >= dominatedFrom; j--) {
                gained += (cursor - xs[j]) * (y - height);
                cursor = xs[j];
                height = ys[j];
            }
            double edge = dominatedFrom > 0 ? xs[dominatedFrom - 1] : left;
            gained += (cursor - edge) * (y - height);
            area += gained;

            int removed = right - dominatedFrom;
            if (removed != 1) {
                System.arraycopy(xs, right, xs, dominatedFrom + 1, size - right);
                System.arraycopy(ys, right, ys, dominatedFrom + 1, size - right);
            }
            xs[dominatedFrom] = x;
            ys[dominatedFrom] = y;
            size += 1 - removed;
        }

        /** Index of the first entry with {@code xs[i] >= x}, or {@code size}. */
        private int firstAtLeast(double x) {
            int lo = 0;
            int hi = size;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (xs[mid] < x) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }
}
