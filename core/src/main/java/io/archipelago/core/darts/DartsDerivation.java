package io.archipelago.core.darts;

/**
 * The genotype that a DARTS search's architecture weights α stand for, derived as DARTS's {@code
 * Network.genotype()} (model_search.py) derives it: softmax over each edge's 8 ops (PRIMITIVES
 * order: none, then {@link DartsOp}'s order); for node i, of its i+2 incoming edges the two whose
 * strongest non-{@code none} op weighs most, stronger first (ties to the earlier edge, as Python's
 * stable sort keeps them); on each, the strongest non-{@code none} op (ties to the earlier op).
 *
 * <p>α has one row per edge, node by node: node 0's edges from inputs 0, 1, node 1's from 0, 1,
 * 2, and so on: 2 + 3 + 4 + 5 = 14 rows.
 */
public final class DartsDerivation {
    /** Edges of DARTS's search cell. */
    public static final int EDGES = 14;
    /** Ops per edge in α, {@code none} first. */
    public static final int PRIMITIVES = DartsOp.COUNT + 1;

    private DartsDerivation() {}

    /**
     * @param alphaNormal the normal cell's α, {@code [14][8]}, before the softmax
     * @param alphaReduce the reduction cell's α
     */
    public static DartsGenotype genotype(double[][] alphaNormal, double[][] alphaReduce) {
        return new DartsGenotype(cell(alphaNormal, "normal"), cell(alphaReduce, "reduce"));
    }

    static DartsCell cell(double[][] alpha, String name) {
        if (alpha.length != EDGES) {
            throw new IllegalArgumentException(name + " α has " + alpha.length + " rows, expected " + EDGES);
        }
        DartsOp[] ops = new DartsOp[DartsCell.PAIRS];
        int[] inputs = new int[DartsCell.PAIRS];
        int start = 0;
        for (int node = 0; node < DartsCell.NODES; node++) {
            int edges = node + 2;
            double[] strength = new double[edges];
            DartsOp[] best = new DartsOp[edges];
            for (int j = 0; j < edges; j++) {
                double[] weights = softmax(alpha[start + j], name, start + j);
                int bestColumn = 1;
                for (int k = 2; k < PRIMITIVES; k++) {
                    if (weights[k] > weights[bestColumn]) {
                        bestColumn = k;
                    }
                }
                strength[j] = weights[bestColumn];
                best[j] = DartsOp.ofOrdinal(bestColumn - 1);
            }
            int first = 0;
            for (int j = 1; j < edges; j++) {
                if (strength[j] > strength[first]) {
                    first = j;
                }
            }
            int second = first == 0 ? 1 : 0;
            for (int j = 0; j < edges; j++) {
                if (j != first && strength[j] > strength[second]) {
                    second = j;
                }
            }
            ops[2 * node] = best[first];
            inputs[2 * node] = first;
            ops[2 * node + 1] = best[second];
            inputs[2 * node + 1] = second;
            start += edges;
        }
        return DartsCell.of(ops, inputs);
    }

    private static double[] softmax(double[] row, String name, int edge) {
        if (row.length != PRIMITIVES) {
            throw new IllegalArgumentException(
                    name + " α row " + edge + " has " + row.length + " ops, expected " + PRIMITIVES);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double v : row) {
            max = Math.max(max, v);
        }
        double[] out = new double[row.length];
        double sum = 0;
        for (int k = 0; k < row.length; k++) {
            out[k] = Math.exp(row[k] - max);
            sum += out[k];
        }
        for (int k = 0; k < row.length; k++) {
            out[k] /= sum;
        }
        return out;
    }
}
