package io.archipelago.core.objective;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pareto dominance, non-dominated sorting and crowding distance, the selection machinery of
 * NSGA-II (Deb, Pratap, Agarwal and Meyarivan, 2002).
 *
 * <p>Points are the rows of a {@code double[][]} (n points &times; m objectives) in the
 * larger-is-better orientation that {@link Objective#score} produces, so a minimised metric needs
 * no special case here. NaN has no place in an order, so a point holding one is rejected rather
 * than silently ranked; ±Infinity is allowed and orders as usual.
 */
public final class Pareto {

    private Pareto() {}

    /**
     * Whether {@code a} Pareto-dominates {@code b}: no worse in every objective and strictly
     * better in at least one. Equal points do not dominate each other.
     *
     * @throws IllegalArgumentException when the points differ in length or hold NaN
     */
    public static boolean dominates(double[] a, double[] b) {
        if (a == null || b == null) {
            throw new IllegalArgumentException("cannot compare a missing point");
        }
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "cannot compare a point of " + a.length + " objectives with one of " + b.length);
        }
        requireNoNaN(a, "a");
        requireNoNaN(b, "b");
        return compare(a, b) > 0;
    }

    /**
     * Fast non-dominated sorting (Deb et al. 2002), O(M N²) time: one pass over all pairs
     * records who dominates whom, then fronts are peeled off by counting down the number of
     * dominators of each point.
     *
     * @return the fronts, front 0 (the non-dominated points) first, each holding point indices
     *     in ascending order; equal points share a front
     * @throws IllegalArgumentException when the rows are ragged or a point holds NaN
     */
    public static int[][] sort(double[][] points) {
        validate(points);
        return peel(points, null);
    }

    /**
     * Non-dominated sorting under Deb's constraint-domination, which lets a constrained search
     * (e.g. a latency budget) keep ranking infeasible candidates instead of discarding them: a
     * feasible point dominates an infeasible one, of two infeasible points the one with the
     * smaller violation dominates (equal violations: neither), and two feasible points compare by
     * Pareto dominance.
     *
     * @param violations per point, how far it lies outside the constraints; 0 means feasible,
     *     +Infinity is allowed (e.g. an unmeasured constrained metric)
     * @throws IllegalArgumentException when the rows are ragged, a point holds NaN, or the
     *     violations are of the wrong length, negative or NaN
     */
    public static int[][] sort(double[][] points, double[] violations) {
        validate(points);
        if (violations == null) {
            throw new IllegalArgumentException("violations must be given (use sort(points) for an unconstrained sort)");
        }
        if (violations.length != points.length) {
            throw new IllegalArgumentException(
                    "got " + violations.length + " violations for " + points.length + " points");
        }
        for (int i = 0; i < violations.length; i++) {
            if (!(violations[i] >= 0)) {
                throw new IllegalArgumentException(
                        "violation of point " + i + " must be >= 0 (0 = feasible), got " + violations[i]);
            }
        }
        return peel(points, violations);
    }

    /**
     * The front number of every point, i.e. its NSGA-II rank (0 = non-dominated).
     *
     * @param fronts as returned by {@link #sort(double[][])}
     * @param n the number of points
     * @throws IllegalArgumentException unless the fronts hold every index {@code 0..n-1} exactly once
     */
    public static int[] ranks(int[][] fronts, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("number of points must be >= 0, got " + n);
        }
        int[] rank = new int[n];
        Arrays.fill(rank, -1);
        for (int f = 0; f < fronts.length; f++) {
            for (int index : fronts[f]) {
                if (index < 0 || index >= n) {
                    throw new IllegalArgumentException(
                            "front " + f + " holds index " + index + ", outside 0.." + (n - 1));
                }
                if (rank[index] >= 0) {
                    throw new IllegalArgumentException(
                            "point " + index + " appears in front " + rank[index] + " and again in front " + f);
                }
                rank[index] = f;
            }
        }
        for (int i = 0; i < n; i++) {
            if (rank[i] < 0) {
                throw new IllegalArgumentException("point " + i + " is in no front");
            }
        }
        return rank;
    }

    /**
     * NSGA-II crowding distance of each member of one front, used to prefer members in sparse
     * regions when a front must be truncated. Per objective the members are sorted; the two
     * boundary members get +Infinity (so the extremes of the front always survive) and each
     * interior member adds the normalised gap between its neighbours,
     * {@code (next - previous) / (max - min)}. An objective that is constant over the front
     * adds nothing, not even the boundary infinities, because its order is arbitrary. Members
     * tied in an objective keep their order in {@code front}, so the result is deterministic.
     * Fronts of at most two members are all boundary: every distance is +Infinity.
     *
     * @param front indices into {@code points}
     * @return the distances, aligned with {@code front}
     * @throws IllegalArgumentException when the rows are ragged, a point holds NaN or an index is
     *     out of range
     */
    public static double[] crowding(double[][] points, int[] front) {
        int m = validate(points);
        if (front == null) {
            throw new IllegalArgumentException("front must be given");
        }
        int size = front.length;
        for (int j = 0; j < size; j++) {
            if (front[j] < 0 || front[j] >= points.length) {
                throw new IllegalArgumentException(
                        "front member " + j + " is index " + front[j] + ", outside 0.." + (points.length - 1));
            }
        }
        double[] distance = new double[size];
        if (size <= 2) {
            Arrays.fill(distance, Double.POSITIVE_INFINITY);
            return distance;
        }
        int[] order = new int[size];
        int[] buffer = new int[size];
        double[] key = new double[size];
        for (int k = 0; k < m; k++) {
            for (int j = 0; j < size; j++) {
                // Halved so that max - min cannot overflow for finite values; the ratios are unchanged.
                key[j] = 0.5 * points[front[j]][k];
                order[j] = j;
            }
            mergeSort(order, buffer, key, 0, size);
            double range = key[order[size - 1]] - key[order[0]];
            if (range == 0) {
                continue;
            }
            distance[order[0]] = Double.POSITIVE_INFINITY;
            distance[order[size - 1]] = Double.POSITIVE_INFINITY;
            for (int j = 1; j < size - 1; j++) {
                double gap = key[order[j + 1]] - key[order[j - 1]];
                // gap == range covers infinite coordinates, where gap / range would be NaN.
                distance[order[j]] += gap == range ? 1.0 : gap / range;
            }
        }
        return distance;
    }

    /**
     * Indices of the non-dominated points (front 0), ascending; cheaper than a full
     * {@link #sort(double[][])} because it stops at the first dominator of each point.
     *
     * @throws IllegalArgumentException when the rows are ragged or a point holds NaN
     */
    public static int[] nonDominated(double[][] points) {
        validate(points);
        int n = points.length;
        int[] result = new int[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            boolean dominated = false;
            for (int j = 0; j < n && !dominated; j++) {
                dominated = j != i && compare(points[j], points[i]) > 0;
            }
            if (!dominated) {
                result[count++] = i;
            }
        }
        return Arrays.copyOf(result, count);
    }

    /** +1 when {@code a} dominates {@code b}, -1 when {@code b} dominates {@code a}, else 0. */
    private static int compare(double[] a, double[] b) {
        boolean aBetter = false;
        boolean bBetter = false;
        for (int k = 0; k < a.length; k++) {
            if (a[k] > b[k]) {
                if (bBetter) {
                    return 0;
                }
                aBetter = true;
            } else if (a[k] < b[k]) {
                if (aBetter) {
                    return 0;
                }
                bBetter = true;
            }
        }
        return aBetter ? 1 : bBetter ? -1 : 0;
    }

    /** {@link #compare} under constraint-domination; {@code violations == null} means all feasible. */
    private static int compare(double[][] points, double[] violations, int i, int j) {
        if (violations != null) {
            double vi = violations[i];
            double vj = violations[j];
            if (vi > 0 || vj > 0) {
                return vi < vj ? 1 : vi > vj ? -1 : 0;
            }
        }
        return compare(points[i], points[j]);
    }

    private static int[][] peel(double[][] points, double[] violations) {
        int n = points.length;
        int[] dominatorCount = new int[n];
        int[][] dominated = new int[n][];
        int[] dominatedCount = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                int c = compare(points, violations, i, j);
                if (c > 0) {
                    append(dominated, dominatedCount, i, j);
                    dominatorCount[j]++;
                } else if (c < 0) {
                    append(dominated, dominatedCount, j, i);
                    dominatorCount[i]++;
                }
            }
        }
        // queue[head, end) is the current front; the next front is appended behind it.
        int[] queue = new int[n];
        int tail = 0;
        for (int i = 0; i < n; i++) {
            if (dominatorCount[i] == 0) {
                queue[tail++] = i;
            }
        }
        List<int[]> fronts = new ArrayList<>();
        int head = 0;
        while (head < tail) {
            int end = tail;
            for (int f = head; f < end; f++) {
                int p = queue[f];
                int[] beaten = dominated[p];
                for (int t = 0; t < dominatedCount[p]; t++) {
                    int q = beaten[t];
                    if (--dominatorCount[q] == 0) {
                        queue[tail++] = q;
                    }
                }
            }
            int[] front = Arrays.copyOfRange(queue, head, end);
            Arrays.sort(front);
            fronts.add(front);
            head = end;
        }
        if (tail != n) {
            throw new IllegalStateException(
                    "dominance relation has a cycle; " + (n - tail) + " points were left unsorted");
        }
        return fronts.toArray(new int[0][]);
    }

    private static void append(int[][] lists, int[] counts, int owner, int value) {
        int[] list = lists[owner];
        if (list == null) {
            list = lists[owner] = new int[4];
        } else if (counts[owner] == list.length) {
            list = lists[owner] = Arrays.copyOf(list, list.length * 2);
        }
        list[counts[owner]++] = value;
    }

    /** Stable merge sort of {@code order[from, to)} by {@code key[order[i]]}, ascending. */
    private static void mergeSort(int[] order, int[] buffer, double[] key, int from, int to) {
        if (to - from < 2) {
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(order, buffer, key, from, mid);
        mergeSort(order, buffer, key, mid, to);
        if (key[order[mid - 1]] <= key[order[mid]]) {
            return;
        }
        System.arraycopy(order, from, buffer, from, to - from);
        int left = from;
        int right = mid;
        for (int out = from; out < to; out++) {
            if (right >= to || (left < mid && key[buffer[left]] <= key[buffer[right]])) {
                order[out] = buffer[left++];
            } else {
                order[out] = buffer[right++];
            }
        }
    }

    /** @return the number of objectives, 0 for an empty point set */
    static int validate(double[][] points) {
        if (points == null) {
            throw new IllegalArgumentException("points must be given");
        }
        int m = -1;
        for (int i = 0; i < points.length; i++) {
            double[] p = points[i];
            if (p == null) {
                throw new IllegalArgumentException("point " + i + " is missing");
            }
            if (m < 0) {
                m = p.length;
            } else if (p.length != m) {
                throw new IllegalArgumentException(
                        "point " + i + " has " + p.length + " objectives but point 0 has " + m);
            }
            for (int k = 0; k < p.length; k++) {
                if (Double.isNaN(p[k])) {
                    throw new IllegalArgumentException("point " + i + " has NaN in objective " + k);
                }
            }
        }
        return Math.max(m, 0);
    }

    private static void requireNoNaN(double[] p, String name) {
        for (int k = 0; k < p.length; k++) {
            if (Double.isNaN(p[k])) {
                throw new IllegalArgumentException("point " + name + " has NaN in objective " + k);
            }
        }
    }
}
