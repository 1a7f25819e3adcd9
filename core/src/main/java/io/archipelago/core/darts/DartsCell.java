package io.archipelago.core.darts;

import io.archipelago.core.space.ArchitectureFormatException;
import java.util.Arrays;

/**
 * One DARTS cell: 4 intermediate nodes, each the sum of two (op, input) pairs. Inputs 0 and 1
 * are the outputs of the two previous cells, input {@code j >= 2} is intermediate node {@code
 * j - 2}; node {@code i} (0-based) reads inputs {@code 0 .. i+1}. The cell's output concatenates
 * nodes 2..5, so every node matters.
 *
 * <p>A node's two inputs are distinct: DARTS derives a genotype by keeping the two strongest of a
 * node's incoming edges, one op per edge, so a node never reads one input twice. Pairs keep the
 * order in which they were written (DARTS writes the stronger edge first), so a parsed genotype
 * prints as it was read; {@link DartsSpace#canonicalKey} is where that order stops mattering.
 */
public final class DartsCell {
    public static final int NODES = 4;
    /** (op, input) pairs: two per node. */
    public static final int PAIRS = 2 * NODES;

    private final DartsOp[] ops;
    private final int[] inputs;

    private DartsCell(DartsOp[] ops, int[] inputs) {
        this.ops = ops;
        this.inputs = inputs;
    }

    /**
     * @param ops the 8 pairs' ops, node by node
     * @param inputs the 8 pairs' inputs
     * @throws ArchitectureFormatException when a count is wrong, an input is out of its node's
     *     range or a node reads one input twice
     */
    public static DartsCell of(DartsOp[] ops, int[] inputs) {
        if (ops.length != PAIRS || inputs.length != PAIRS) {
            throw new ArchitectureFormatException("a DARTS cell has " + PAIRS + " (op, input) pairs (" + NODES
                    + " nodes x 2), got " + ops.length + " ops and " + inputs.length + " inputs");
        }
        for (int p = 0; p < PAIRS; p++) {
            if (ops[p] == null) {
                throw new ArchitectureFormatException("pair " + p + " has no op");
            }
            int node = p / 2;
            if (inputs[p] < 0 || inputs[p] > node + 1) {
                throw new ArchitectureFormatException("node " + node + " (pair " + p + "): input " + inputs[p]
                        + " out of range 0.." + (node + 1) + " (0, 1 = the previous cells, j >= 2 = node j-2)");
            }
        }
        for (int node = 0; node < NODES; node++) {
            if (inputs[2 * node] == inputs[2 * node + 1]) {
                throw new ArchitectureFormatException("node " + node + " reads input " + inputs[2 * node]
                        + " twice; a DARTS node keeps two distinct incoming edges");
            }
        }
        return new DartsCell(ops.clone(), inputs.clone());
    }

    public DartsOp op(int pair) {
        return ops[pair];
    }

    public int input(int pair) {
        return inputs[pair];
    }

    /** {@code [op, input]} for each pair: op ordinals and input indices. */
    int[] tokens() {
        int[] tokens = new int[2 * PAIRS];
        for (int p = 0; p < PAIRS; p++) {
            tokens[2 * p] = ops[p].ordinal();
            tokens[2 * p + 1] = inputs[p];
        }
        return tokens;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DartsCell cell && Arrays.equals(ops, cell.ops) && Arrays.equals(inputs, cell.inputs);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ops) + Arrays.hashCode(inputs);
    }

    /** The compact form, e.g. {@code sep3:0+sep3:1,sep3:0+sep3:1,sep3:1+skip:0,skip:0+dil3:2}. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(64);
        for (int p = 0; p < PAIRS; p++) {
            if (p > 0) {
                out.append(p % 2 == 0 ? ',' : '+');
            }
            out.append(ops[p].shortToken()).append(':').append(inputs[p]);
        }
        return out.toString();
    }
}
