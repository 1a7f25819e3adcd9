package io.archipelago.core.darts;

/**
 * The canonical form of a cell, under which cells that compute the same function class are one:
 *
 * <ul>
 *   <li>a node's two pairs in order (by input, then op): a node sums them, and addition does not
 *       care which is first;
 *   <li>the intermediate nodes renumbered: every node is concatenated into the output, and what
 *       reads the output (the next cells' 1x1 preprocessing convs, each after a ReLU, or global
 *       pooling and the classifier) mixes all channels with i.i.d.-initialised weights, so the
 *       concat's channel order is absorbed. Two cells whose DAGs are isomorphic with inputs 0 and
 *       1 fixed (they are different tensors) are therefore the same network. Of the node
 *       numberings that keep every node reading only earlier ones, the one whose compact string is
 *       least is canonical.
 * </ul>
 *
 * Nothing else is merged: no op of this space is the identity of another, and no node is dead.
 */
final class DartsCanonical {
    private DartsCanonical() {}

    /** The 24 orders of the 4 intermediate nodes: {@code PERMUTATIONS[k][node]} is its new number. */
    private static final int[][] PERMUTATIONS = permutations();

    static DartsCell canonical(DartsCell cell) {
        DartsCell best = null;
        String bestKey = null;
        for (int[] permutation : PERMUTATIONS) {
            DartsCell renumbered = renumber(cell, permutation);
            if (renumbered != null) {
                String key = renumbered.toString();
                if (bestKey == null || key.compareTo(bestKey) < 0) {
                    best = renumbered;
                    bestKey = key;
                }
            }
        }
        return best; // the identity numbering always qualifies
    }

    /** The cell with node i moved to {@code permutation[i]}, pairs sorted; null if a node would read a later one. */
    private static DartsCell renumber(DartsCell cell, int[] permutation) {
        DartsOp[] ops = new DartsOp[DartsCell.PAIRS];
        int[] inputs = new int[DartsCell.PAIRS];
        for (int node = 0; node < DartsCell.NODES; node++) {
            int target = permutation[node];
            for (int k = 0; k < 2; k++) {
                int input = cell.input(2 * node + k);
                int mapped = input < 2 ? input : 2 + permutation[input - 2];
                if (mapped > target + 1) {
                    return null;
                }
                ops[2 * target + k] = cell.op(2 * node + k);
                inputs[2 * target + k] = mapped;
            }
            int a = 2 * target;
            if (inputs[a] > inputs[a + 1] || (inputs[a] == inputs[a + 1] && ops[a].ordinal() > ops[a + 1].ordinal())) {
                DartsOp op = ops[a];
                ops[a] = ops[a + 1];
                ops[a + 1] = op;
                int input = inputs[a];
                inputs[a] = inputs[a + 1];
                inputs[a + 1] = input;
            }
        }
        return DartsCell.of(ops, inputs);
    }

    private static int[][] permutations() {
        int[][] out = new int[24][];
        int n = 0;
        for (int a = 0; a < 4; a++) {
            for (int b = 0; b < 4; b++) {
                for (int c = 0; c < 4; c++) {
                    int d = 6 - a - b - c;
                    if (a != b && a != c && b != c && d != a && d != b && d != c) {
                        out[n++] = new int[] {a, b, c, d};
                    }
                }
            }
        }
        return out;
    }
}
