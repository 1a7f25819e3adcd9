package io.archipelago.core.nbgraph;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The nine ops a NAS-Bench-Graph node can apply, in the benchmark's order (which also orders
 * interchangeable nodes in its canonical rows: {@code gat} first, {@code skip} last).
 */
public enum GraphOp {
    GAT("gat"),
    GCN("gcn"),
    GIN("gin"),
    CHEB("cheb"),
    SAGE("sage"),
    ARMA("arma"),
    GRAPH("graph"),
    FC("fc"),
    SKIP("skip");

    private static final GraphOp[] VALUES = values();
    private final String token;

    GraphOp(String token) {
        this.token = token;
    }

    /** The name used in architecture strings, e.g. {@code cheb}. */
    public String token() {
        return token;
    }

    public static GraphOp ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    /** @return the op, or null when {@code token} names none */
    static GraphOp ofToken(String token) {
        for (GraphOp op : VALUES) {
            if (op.token.equals(token)) {
                return op;
            }
        }
        return null;
    }

    static String tokens() {
        return Arrays.stream(VALUES).map(GraphOp::token).collect(Collectors.joining(", "));
    }
}
