package io.archipelago.core.nb201;

/**
 * One NAS-Bench-201 cell: a 4-node DAG whose 6 edges each carry an {@link Nb201Op}. Stored as a
 * single base-5 number ({@code code}, 0..15624) so cells are cheap to hash, copy and enumerate.
 * Edge {@code e} is, in the order of the cell string, 1←0, 2←0, 2←1, 3←0, 3←1, 3←2.
 */
public record Nb201Cell(int code) {
    public static final int EDGES = 6;
    public static final int OPS = 5;
    public static final int COUNT = 15_625; // 5^6

    /** Target node of each edge, in cell-string order. */
    static final int[] TO = {1, 2, 2, 3, 3, 3};
    /** Source node of each edge, in cell-string order. */
    static final int[] FROM = {0, 0, 1, 0, 1, 2};

    private static final int[] POW5 = {1, 5, 25, 125, 625, 3125};

    public Nb201Cell {
        if (code < 0 || code >= COUNT) {
            throw new IllegalArgumentException("NAS-Bench-201 cell code must be in [0, " + COUNT + "), got " + code);
        }
    }

    public static Nb201Cell of(Nb201Op... ops) {
        if (ops.length != EDGES) {
            throw new IllegalArgumentException("a NAS-Bench-201 cell has " + EDGES + " edges, got " + ops.length);
        }
        int code = 0;
        for (int e = 0; e < EDGES; e++) {
            code += ops[e].ordinal() * POW5[e];
        }
        return new Nb201Cell(code);
    }

    public Nb201Op op(int edge) {
        return Nb201Op.ofOrdinal((code / POW5[edge]) % OPS);
    }

    public Nb201Cell withOp(int edge, Nb201Op op) {
        return new Nb201Cell(code + (op.ordinal() - op(edge).ordinal()) * POW5[edge]);
    }

    public static int from(int edge) {
        return FROM[edge];
    }

    public static int to(int edge) {
        return TO[edge];
    }

    @Override
    public String toString() {
        return Nb201Space.INSTANCE.format(this);
    }
}
