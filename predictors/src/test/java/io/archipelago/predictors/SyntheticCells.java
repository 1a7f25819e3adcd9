package io.archipelago.predictors;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Op;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.commons.math3.stat.correlation.KendallsCorrelation;

/** Random NAS-Bench-201 cells with a target every predictor must be able to learn (shared by the predictors' tests). */
public final class SyntheticCells {
    private SyntheticCells() {}

    /** {@code count} distinct cells drawn with {@code seed}. */
    public static List<Nb201Cell> sample(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Nb201Cell> cells = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        while (cells.size() < count) {
            int code = random.nextInt(Nb201Cell.COUNT);
            if (seen.add(code)) {
                cells.add(new Nb201Cell(code));
            }
        }
        return cells;
    }

    /** The number of convolutions in each cell: learnable from the node labels alone. */
    public static double[] convolutions(List<Nb201Cell> cells) {
        double[] targets = new double[cells.size()];
        for (int i = 0; i < targets.length; i++) {
            for (int e = 0; e < Nb201Cell.EDGES; e++) {
                Nb201Op op = cells.get(i).op(e);
                targets[i] += op == Nb201Op.NOR_CONV_1X1 || op == Nb201Op.NOR_CONV_3X3 ? 1 : 0;
            }
        }
        return targets;
    }

    /** Kendall's tau-b. */
    public static double tau(double[] a, double[] b) {
        return new KendallsCorrelation().correlation(a, b);
    }
}
