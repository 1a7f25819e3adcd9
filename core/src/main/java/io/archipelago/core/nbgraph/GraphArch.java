package io.archipelago.core.nbgraph;

/**
 * One NAS-Bench-Graph architecture: 4 computing nodes, node k (1..4) applying a {@link GraphOp}
 * to the output of one earlier node (0 = the input features, j = node j). Stored as one
 * mixed-radix number over the token sequence {@code [op1, in1, op2, in2, op3, in3, op4, in4]}
 * (radices 9, 1, 9, 2, 9, 3, 9, 4; most significant first), so architectures are cheap to hash,
 * copy and enumerate, and code order is the lexicographic order of token sequences.
 *
 * <p>The 24 all-skip encodings compute no network and are not architectures: the constructor
 * refuses them.
 */
public record GraphArch(int code) {
    public static final int NODES = 4;
    public static final int OPS = 9;
    /** Encodings the grammar allows, all-skip ones included: 9^4 x 4!. */
    public static final int ENCODINGS = 157_464;
    /** Architectures: the encodings less the 24 all-skip ones. */
    public static final int COUNT = ENCODINGS - 24;

    /** Choices at each token position. */
    static final int[] RADIX = {OPS, 1, OPS, 2, OPS, 3, OPS, 4};
    /** Place value of each token position. */
    static final int[] PLACE = new int[RADIX.length];

    static {
        int place = 1;
        for (int p = RADIX.length - 1; p >= 0; p--) {
            PLACE[p] = place;
            place *= RADIX[p];
        }
    }

    public GraphArch {
        if (code < 0 || code >= ENCODINGS) {
            throw new IllegalArgumentException(
                    "NAS-Bench-Graph architecture code must be in [0, " + ENCODINGS + "), got " + code);
        }
        if (allSkip(code)) {
            throw new IllegalArgumentException("code " + code + " is an all-skip encoding, which computes no network");
        }
    }

    /** Token at {@code position} of code {@code code} (see {@link #tokens()}). */
    static int token(int code, int position) {
        return (code / PLACE[position]) % RADIX[position];
    }

    static boolean allSkip(int code) {
        for (int node = 1; node <= NODES; node++) {
            if (token(code, 2 * (node - 1)) != GraphOp.SKIP.ordinal()) {
                return false;
            }
        }
        return true;
    }

    /** The code of a token sequence whose tokens are in range (not checked). */
    static int code(int[] tokens) {
        int code = 0;
        for (int p = 0; p < tokens.length; p++) {
            code += tokens[p] * PLACE[p];
        }
        return code;
    }

    /**
     * @param ops the op of node 1..4
     * @param inputs the input of node 1..4 (node k reads 0..k-1)
     * @throws IllegalArgumentException when an input is out of range or every op is {@code skip}
     */
    public static GraphArch of(GraphOp[] ops, int[] inputs) {
        if (ops.length != NODES || inputs.length != NODES) {
            throw new IllegalArgumentException("a NAS-Bench-Graph architecture has " + NODES + " nodes, got "
                    + ops.length + " ops and " + inputs.length + " inputs");
        }
        int[] tokens = new int[2 * NODES];
        for (int node = 1; node <= NODES; node++) {
            if (inputs[node - 1] < 0 || inputs[node - 1] >= node) {
                throw new IllegalArgumentException(
                        "node " + node + " reads node 0.." + (node - 1) + ", got " + inputs[node - 1]);
            }
            tokens[2 * (node - 1)] = ops[node - 1].ordinal();
            tokens[2 * (node - 1) + 1] = inputs[node - 1];
        }
        return new GraphArch(code(tokens));
    }

    /** The op of node {@code node} (1..4). */
    public GraphOp op(int node) {
        return GraphOp.ofOrdinal(token(code, 2 * (node - 1)));
    }

    /** The node that node {@code node} (1..4) reads: 0 for the input features, else 1..node-1. */
    public int input(int node) {
        return token(code, 2 * (node - 1) + 1);
    }

    /** @throws IllegalArgumentException when the result would be all-skip */
    public GraphArch withOp(int node, GraphOp op) {
        int position = 2 * (node - 1);
        return new GraphArch(code + (op.ordinal() - token(code, position)) * PLACE[position]);
    }

    /** @throws IllegalArgumentException when {@code input} is not 0..node-1 */
    public GraphArch withInput(int node, int input) {
        if (input < 0 || input >= node) {
            throw new IllegalArgumentException("node " + node + " reads node 0.." + (node - 1) + ", got " + input);
        }
        int position = 2 * (node - 1) + 1;
        return new GraphArch(code + (input - token(code, position)) * PLACE[position]);
    }

    /** The token sequence {@code [op1, in1, op2, in2, op3, in3, op4, in4]} (op tokens are ordinals). */
    public int[] tokens() {
        int[] tokens = new int[RADIX.length];
        for (int p = 0; p < tokens.length; p++) {
            tokens[p] = token(code, p);
        }
        return tokens;
    }

    @Override
    public String toString() {
        return NbGraphSpace.INSTANCE.format(this);
    }
}
