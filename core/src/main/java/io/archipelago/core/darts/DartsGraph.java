package io.archipelago.core.darts;

import io.archipelago.core.space.GraphEncoding;
import java.util.ArrayList;
import java.util.List;

/**
 * A genotype as one node-labelled DAG, ops as nodes (as {@link io.archipelago.core.nb201.Nb201Space}
 * shows NB201 cells): the normal cell in nodes 0..10, the reduction cell in nodes 11..21, each as
 * <ul>
 *   <li>{@code +0}: the older input {@code c_{k-2}} (label {@code input_k-2}),
 *   <li>{@code +1}: the previous cell's output {@code c_{k-1}} (label {@code input}),
 *   <li>{@code +2 .. +9}: the 8 pairs' ops, pair p at {@code +2+p}, labelled by cell and op (a
 *       reduction cell's op is another op: stride 2 on the inputs, a different place in the net),
 *   <li>{@code +10}: the output (concatenation of all nodes), fed by every op.
 * </ul>
 * An op reading input j is fed by input j, or by both ops of intermediate node j-2 (their sum).
 * The cells are two components, not chained: the network repeats them, and how is fixed.
 */
final class DartsGraph {
    static final int PER_CELL = DartsCell.PAIRS + 3;
    static final List<String> LABELS = labels();

    private DartsGraph() {}

    static GraphEncoding of(DartsGenotype genotype) {
        int n = 2 * PER_CELL;
        int[][] adjacency = new int[n][n];
        double[][] features = new double[n][LABELS.size()];
        for (int c = 0; c < 2; c++) {
            DartsCell cell = genotype.cell(c);
            int base = c * PER_CELL;
            int output = base + PER_CELL - 1;
            features[base][2] = 1;
            features[base + 1][0] = 1;
            features[output][1] = 1;
            for (int p = 0; p < DartsCell.PAIRS; p++) {
                int op = base + 2 + p;
                features[op][3 + c * DartsOp.COUNT + cell.op(p).ordinal()] = 1;
                int input = cell.input(p);
                if (input < 2) {
                    adjacency[base + input][op] = 1;
                } else {
                    int node = input - 2;
                    adjacency[base + 2 + 2 * node][op] = 1;
                    adjacency[base + 3 + 2 * node][op] = 1;
                }
                adjacency[op][output] = 1;
            }
        }
        return new GraphEncoding(adjacency, features, LABELS);
    }

    private static List<String> labels() {
        List<String> labels = new ArrayList<>(List.of("input", "output", "input_k-2"));
        for (String cell : new String[] {"normal", "reduce"}) {
            for (DartsOp op : DartsOp.values()) {
                labels.add(cell + ":" + op.token());
            }
        }
        return List.copyOf(labels);
    }
}
