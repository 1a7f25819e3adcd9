package io.archipelago.core.nb201;

import io.archipelago.core.space.ArchitectureFormatException;
import io.archipelago.core.space.CostModel;
import io.archipelago.core.space.GraphEncoding;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.TokenEncoding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The NAS-Bench-201 cell space (Dong &amp; Yang, ICLR 2020): 6 edges x 5 ops = 15,625 cells,
 * written {@code |op~0|+|op~0|op~1|+|op~0|op~1|op~2|}.
 */
public final class Nb201Space implements SearchSpace<Nb201Cell>, TokenEncoding<Nb201Cell>, CostModel<Nb201Cell> {
    public static final String ID = "nb201";
    public static final Nb201Space INSTANCE = new Nb201Space();

    /** Canonical key of every cell, computed once (the space is small). */
    private final String[] canonicalKeys = new String[Nb201Cell.COUNT];

    private Nb201Space() {
        for (int code = 0; code < Nb201Cell.COUNT; code++) {
            canonicalKeys[code] = Nb201Canonical.key(new Nb201Cell(code));
        }
    }

    @Override
    public String encoding() {
        return "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|: the op on each edge into nodes 1, 2 and 3, from the node after ~; ops "
                + java.util.Arrays.stream(Nb201Op.values())
                        .map(Nb201Op::token)
                        .collect(java.util.stream.Collectors.joining(", "));
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Nb201Cell parse(String encoding) {
        return Nb201Cell.of(Nb201Grammar.parse(
                encoding,
                "NAS-Bench-201 cell",
                new Nb201Op[Nb201Cell.EDGES],
                (token, edge, position) -> Nb201Grammar.op(token)));
    }

    @Override
    public String format(Nb201Cell cell) {
        String[] edges = new String[Nb201Cell.EDGES];
        for (int e = 0; e < edges.length; e++) {
            edges[e] = cell.op(e).token();
        }
        return Nb201Grammar.format(edges);
    }

    @Override
    public Nb201Cell sample(RandomGenerator random) {
        return new Nb201Cell(random.nextInt(Nb201Cell.COUNT));
    }

    /** Changes the op of one uniformly chosen edge to a different, uniformly chosen op. */
    @Override
    public Nb201Cell mutate(Nb201Cell cell, RandomGenerator random) {
        int edge = random.nextInt(Nb201Cell.EDGES);
        int shift = 1 + random.nextInt(Nb201Cell.OPS - 1);
        return cell.withOp(edge, Nb201Op.ofOrdinal((cell.op(edge).ordinal() + shift) % Nb201Cell.OPS));
    }

    @Override
    public Stream<Nb201Cell> enumerate() {
        return IntStream.range(0, Nb201Cell.COUNT).mapToObj(Nb201Cell::new);
    }

    @Override
    public long size() {
        return Nb201Cell.COUNT;
    }

    @Override
    public String canonicalKey(Nb201Cell cell) {
        return canonicalKeys[cell.code()];
    }

    /**
     * The cell with its ops turned into nodes (the usual view of NB201 for graph predictors):
     * node 0 is the input, nodes 1..6 the edges' ops in cell-string order, node 7 the output.
     * Op node e feeds op node f when edge f starts at the node edge e ends in.
     */
    @Override
    public GraphEncoding graph(Nb201Cell cell) {
        int n = Nb201Cell.EDGES + 2;
        int output = n - 1;
        int[][] adjacency = new int[n][n];
        double[][] features = new double[n][LABELS.size()];
        features[0][0] = 1;
        features[output][1] = 1;
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            features[e + 1][2 + cell.op(e).ordinal()] = 1;
            if (Nb201Cell.from(e) == 0) {
                adjacency[0][e + 1] = 1;
            }
            if (Nb201Cell.to(e) == 3) {
                adjacency[e + 1][output] = 1;
            }
            for (int f = 0; f < Nb201Cell.EDGES; f++) {
                if (Nb201Cell.from(f) == Nb201Cell.to(e)) {
                    adjacency[e + 1][f + 1] = 1;
                }
            }
        }
        return new GraphEncoding(adjacency, features, LABELS);
    }

    /** The cell as its six edges' op ordinals, in cell-string order. */
    @Override
    public int[] tokens(Nb201Cell cell) {
        int[] tokens = new int[Nb201Cell.EDGES];
        for (int e = 0; e < tokens.length; e++) {
            tokens[e] = cell.op(e).ordinal();
        }
        return tokens;
    }

    @Override
    public Nb201Cell fromTokens(int[] tokens) {
        if (tokens.length != Nb201Cell.EDGES) {
            throw new ArchitectureFormatException(
                    "a NAS-Bench-201 token sequence has " + Nb201Cell.EDGES + " tokens, got " + tokens.length);
        }
        Nb201Op[] ops = new Nb201Op[tokens.length];
        for (int e = 0; e < tokens.length; e++) {
            if (tokens[e] < 0 || tokens[e] >= Nb201Cell.OPS) {
                throw new ArchitectureFormatException(
                        "token " + tokens[e] + " at position " + e + " is not an op (0.." + (Nb201Cell.OPS - 1) + ")");
            }
            ops[e] = Nb201Op.ofOrdinal(tokens[e]);
        }
        return Nb201Cell.of(ops);
    }

    @Override
    public int length() {
        return Nb201Cell.EDGES;
    }

    @Override
    public int vocabulary() {
        return Nb201Cell.OPS;
    }

    private static final List<String> LABELS;

    static {
        List<String> labels = new ArrayList<>(List.of("input", "output"));
        for (Nb201Op op : Nb201Op.values()) {
            labels.add(op.token());
        }
        LABELS = List.copyOf(labels);
    }

    /** Parameters and FLOPs of the benchmark's network (C=16, N=5, 32x32, 10 classes), counted as NAS-Bench-201 counts them. */
    @Override
    public Map<String, Double> costs(Nb201Cell cell) {
        return Map.of(PARAMS, (double) Nb201Cost.STANDARD.params(cell), FLOPS, Nb201Cost.STANDARD.flops(cell));
    }
}
