package io.archipelago.core.nbgraph;

import io.archipelago.core.space.ArchitectureFormatException;
import io.archipelago.core.space.GraphEncoding;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.TokenEncoding;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The NAS-Bench-Graph space (Qin et al., NeurIPS 2022 Datasets and Benchmarks): 4 nodes, each
 * applying one of 9 ops to the input features or an earlier node, written
 * {@code gcn~0|gin~1|cheb~1|fc~2}. Its 157,440 encodings (the 24 all-skip ones are no network)
 * are 26,206 distinct networks; {@link #canonicalKey} tells which.
 *
 * <p>No {@link io.archipelago.core.space.CostModel}: the benchmark's parameter counts are a column
 * of its tables ({@code params}), not something this space computes.
 */
public final class NbGraphSpace implements SearchSpace<GraphArch>, TokenEncoding<GraphArch> {
    public static final String ID = "nbgraph";
    public static final NbGraphSpace INSTANCE = new NbGraphSpace();

    private static final String WHAT = "NAS-Bench-Graph architecture";

    private NbGraphSpace() {}

    /** Canonical keys and representatives of every encoding, computed on first use (~0.5 s). */
    private static final class Classes {
        static final String[] KEYS = new String[GraphArch.ENCODINGS];
        /** Per encoding: the benchmark's row form of its network (itself for the all-skip ones). */
        static final int[] REPRESENTATIVE = new int[GraphArch.ENCODINGS];

        static final int DISTINCT;

        static {
            Map<String, Integer> row = new HashMap<>();
            Map<String, String> keys = new HashMap<>();
            for (int code = 0; code < GraphArch.ENCODINGS; code++) {
                NbGraphCanonical.Reduced tree = NbGraphCanonical.reduce(code);
                String key = keys.computeIfAbsent(NbGraphCanonical.key(tree), k -> k);
                KEYS[code] = key;
                if (NbGraphCanonical.rowForm(code, NbGraphCanonical.effectiveNodes(tree))) {
                    row.merge(
                            key, code, (a, b) -> NbGraphCanonical.rowOrder(a) <= NbGraphCanonical.rowOrder(b) ? a : b);
                }
            }
            for (int code = 0; code < GraphArch.ENCODINGS; code++) {
                REPRESENTATIVE[code] = GraphArch.allSkip(code) ? code : row.get(KEYS[code]);
            }
            DISTINCT = keys.size() - 1; // less the empty network
        }
    }

    @Override
    public String encoding() {
        return "op~input|op~input|op~input|op~input: 4 nodes, each an op on the input features (0) or an earlier node; ops "
                + java.util.Arrays.stream(GraphOp.values())
                        .map(GraphOp::token)
                        .collect(java.util.stream.Collectors.joining(", "));
    }

    @Override
    public String id() {
        return ID;
    }

    /**
     * @throws ArchitectureFormatException naming the node and token that are wrong, or saying that
     *     an all-skip encoding is no network
     */
    @Override
    public GraphArch parse(String encoding) {
        if (encoding == null || encoding.isBlank()) {
            throw malformed(String.valueOf(encoding), "empty architecture string", 0);
        }
        String s = encoding.strip();
        String[] nodes = s.split("\\|", -1);
        if (nodes.length != GraphArch.NODES) {
            throw malformed(s, "expected " + GraphArch.NODES + " nodes separated by '|', found " + nodes.length, 0);
        }
        int[] tokens = new int[2 * GraphArch.NODES];
        int position = 0;
        for (int node = 1; node <= GraphArch.NODES; node++) {
            String text = nodes[node - 1];
            int tilde = text.indexOf('~');
            if (tilde < 0) {
                throw malformed(s, "node " + node + " '" + text + "' is not of the form op~input", position);
            }
            String opToken = text.substring(0, tilde);
            GraphOp op = GraphOp.ofToken(opToken);
            if (op == null) {
                throw malformed(
                        s,
                        "node " + node + ": unknown op '" + opToken + "' (known: " + GraphOp.tokens() + ")",
                        position);
            }
            String input = text.substring(tilde + 1);
            if (input.length() != 1 || input.charAt(0) < '0' || input.charAt(0) >= '0' + node) {
                throw malformed(
                        s,
                        "node " + node + ": input '" + input + "' must be one digit 0.." + (node - 1)
                                + " (0 = the input features, j = node j)",
                        position + tilde + 1);
            }
            tokens[2 * (node - 1)] = op.ordinal();
            tokens[2 * (node - 1) + 1] = input.charAt(0) - '0';
            position += text.length() + 1;
        }
        int code = GraphArch.code(tokens);
        if (GraphArch.allSkip(code)) {
            throw malformed(
                    s, "every node is 'skip': an all-skip encoding computes no network (the benchmark has none)", 0);
        }
        return new GraphArch(code);
    }

    @Override
    public String format(GraphArch arch) {
        StringBuilder out = new StringBuilder(32);
        for (int node = 1; node <= GraphArch.NODES; node++) {
            if (node > 1) {
                out.append('|');
            }
            out.append(arch.op(node).token()).append('~').append(arch.input(node));
        }
        return out.toString();
    }

    /** Uniform over the 157,440 architectures (all-skip encodings are redrawn). */
    @Override
    public GraphArch sample(RandomGenerator random) {
        while (true) {
            int code = random.nextInt(GraphArch.ENCODINGS);
            if (!GraphArch.allSkip(code)) {
                return new GraphArch(code);
            }
        }
    }

    /**
     * Uniform over the neighbours that differ in one node's op or one node's input (at most 38;
     * an all-skip neighbour is none).
     */
    @Override
    public GraphArch mutate(GraphArch arch, RandomGenerator random) {
        List<Integer> neighbours = neighbours(arch.code());
        return new GraphArch(neighbours.get(random.nextInt(neighbours.size())));
    }

    /** Codes of the architectures one token away from {@code code}. */
    static List<Integer> neighbours(int code) {
        List<Integer> out = new ArrayList<>(38);
        for (int p = 0; p < GraphArch.RADIX.length; p++) {
            int current = GraphArch.token(code, p);
            for (int t = 0; t < GraphArch.RADIX[p]; t++) {
                int other = code + (t - current) * GraphArch.PLACE[p];
                if (t != current && !GraphArch.allSkip(other)) {
                    out.add(other);
                }
            }
        }
        return out;
    }

    /** Every architecture in code order (lexicographic over {@link #tokens}). */
    @Override
    public Stream<GraphArch> enumerate() {
        return IntStream.range(0, GraphArch.ENCODINGS)
                .filter(code -> !GraphArch.allSkip(code))
                .mapToObj(GraphArch::new);
    }

    @Override
    public long size() {
        return GraphArch.COUNT;
    }

    /**
     * The reduced tree of the benchmark's README, children sorted, e.g. {@code gcn(cheb,gin(fc))}
     * for {@code gcn~0|gin~1|cheb~1|fc~2}. Equal keys are one row of the benchmark's tables.
     */
    @Override
    public String canonicalKey(GraphArch arch) {
        return Classes.KEYS[arch.code()];
    }

    /** Number of distinct networks: 26,206. */
    public int distinctNetworks() {
        return Classes.DISTINCT;
    }

    /**
     * The benchmark's own form of {@code arch}'s network, as its tables' {@code arch} column
     * writes it: inputs in one of the 9 tree shapes, interchangeable branches in op order, a
     * network of fewer than 4 effective nodes after a chain of skips (e.g. {@code
     * skip~0|skip~1|gcn~2|gcn~3}). Equal exactly when canonical keys are.
     */
    public GraphArch representative(GraphArch arch) {
        int code = Classes.REPRESENTATIVE[arch.code()];
        return code == arch.code() ? arch : new GraphArch(code);
    }

    /** Nodes left after the canonical reduction: 1..4. */
    public int effectiveNodes(GraphArch arch) {
        return NbGraphCanonical.effectiveNodes(arch.code());
    }

    /**
     * Node 0 is the input, nodes 1..4 the ops of {@link #representative(GraphArch)} (so
     * equivalent architectures give one graph), node 5 the output, fed by every node no other
     * node reads.
     */
    @Override
    public GraphEncoding graph(GraphArch arch) {
        GraphArch shown = representative(arch);
        int n = GraphArch.NODES + 2;
        int output = n - 1;
        int[][] adjacency = new int[n][n];
        double[][] features = new double[n][LABELS.size()];
        features[0][0] = 1;
        features[output][1] = 1;
        boolean[] read = new boolean[n];
        for (int node = 1; node <= GraphArch.NODES; node++) {
            features[node][2 + shown.op(node).ordinal()] = 1;
            adjacency[shown.input(node)][node] = 1;
            read[shown.input(node)] = true;
        }
        for (int node = 1; node <= GraphArch.NODES; node++) {
            if (!read[node]) {
                adjacency[node][output] = 1;
            }
        }
        return new GraphEncoding(adjacency, features, LABELS);
    }

    /** {@code [op1, in1, op2, in2, op3, in3, op4, in4]}: op ordinals and input node numbers. */
    @Override
    public int[] tokens(GraphArch arch) {
        return arch.tokens();
    }

    @Override
    public GraphArch fromTokens(int[] tokens) {
        if (tokens.length != length()) {
            throw new ArchitectureFormatException(
                    "a NAS-Bench-Graph token sequence has " + length() + " tokens, got " + tokens.length);
        }
        for (int p = 0; p < tokens.length; p++) {
            if (tokens[p] < 0 || tokens[p] >= choices(p)) {
                String what = p % 2 == 0
                        ? "an op of node " + (p / 2 + 1) + " (0.." + (GraphArch.OPS - 1) + ")"
                        : "an input of node " + (p / 2 + 1) + " (0.." + (p / 2) + ")";
                throw new ArchitectureFormatException("token " + tokens[p] + " at position " + p + " is not " + what);
            }
        }
        int code = GraphArch.code(tokens);
        if (GraphArch.allSkip(code)) {
            throw new ArchitectureFormatException("tokens at positions 0, 2, 4 and 6 are all skip ("
                    + GraphOp.SKIP.ordinal() + "): an all-skip encoding computes no network");
        }
        return new GraphArch(code);
    }

    @Override
    public int length() {
        return 2 * GraphArch.NODES;
    }

    @Override
    public int vocabulary() {
        return GraphArch.OPS;
    }

    /** Op positions (even) have 9 choices; the input position of node k has k. */
    @Override
    public int choices(int position) {
        if (position < 0 || position >= length()) {
            throw new IndexOutOfBoundsException("position " + position + " is not 0.." + (length() - 1));
        }
        return GraphArch.RADIX[position];
    }

    private static final List<String> LABELS;

    static {
        List<String> labels = new ArrayList<>(List.of("input", "output"));
        for (GraphOp op : GraphOp.values()) {
            labels.add(op.token());
        }
        LABELS = List.copyOf(labels);
    }

    private static ArchitectureFormatException malformed(String arch, String problem, int position) {
        return new ArchitectureFormatException(
                "malformed " + WHAT + " '" + arch + "': " + problem + " (at character " + position + ")");
    }
}
