package io.archipelago.core.nb201;

import io.archipelago.core.space.GraphEncoding;
import io.archipelago.core.space.SearchSpace;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * NAS-Bench-201 supernet cells: each edge carries a non-empty set of ops whose outputs are averaged,
 * written like a plain cell with the ops of an edge joined by {@code ,}
 * (e.g. {@code |nor_conv_3x3,skip_connect~0|+...}). A cell with one op per edge is written
 * exactly as in the plain space, so its benchmark entry can be looked up directly. Pruning-based
 * strategies (TE-NAS) search here, from {@link MixedCell#full()} down to a plain cell.
 */
public final class Nb201MixedSpace implements SearchSpace<MixedCell> {
    public static final String ID = "nb201-mixed";
    public static final Nb201MixedSpace INSTANCE = new Nb201MixedSpace();
    private static final int SUBSETS = (1 << Nb201Cell.OPS) - 1; // non-empty op sets per edge

    private Nb201MixedSpace() {}

    @Override
    public String encoding() {
        return "as nb201, each edge a set of ops joined by ',' (a supernet's cell; TE-NAS prunes it), e.g. |none,skip_connect~0|+...";
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public MixedCell parse(String encoding) {
        @SuppressWarnings("unchecked")
        Set<Nb201Op>[] edges = Nb201Grammar.parse(
                encoding, "mixed NAS-Bench-201 cell", new Set[Nb201Cell.EDGES], (token, edge, position) -> {
                    EnumSet<Nb201Op> ops = EnumSet.noneOf(Nb201Op.class);
                    for (String name : token.split(",", -1)) {
                        if (!ops.add(Nb201Grammar.op(name))) {
                            throw new IllegalArgumentException("op '" + name + "' appears twice on edge " + edge);
                        }
                    }
                    return ops;
                });
        return MixedCell.of(List.of(edges));
    }

    @Override
    public String format(MixedCell cell) {
        String[] edges = new String[Nb201Cell.EDGES];
        for (int e = 0; e < edges.length; e++) {
            edges[e] = String.join(",", cell.ops(e).stream().map(Nb201Op::token).toList());
        }
        return Nb201Grammar.format(edges);
    }

    @Override
    public MixedCell sample(RandomGenerator random) {
        return decode(random.nextLong(size()));
    }

    /** Adds or removes one op on one edge (never leaving an edge empty). */
    @Override
    public MixedCell mutate(MixedCell cell, RandomGenerator random) {
        while (true) {
            int edge = random.nextInt(Nb201Cell.EDGES);
            Nb201Op op = Nb201Op.ofOrdinal(random.nextInt(Nb201Cell.OPS));
            Set<Nb201Op> ops = cell.ops(edge);
            if (ops.contains(op)) {
                if (ops.size() > 1) {
                    return cell.without(edge, op);
                }
            } else {
                return cell.with(edge, op);
            }
        }
    }

    @Override
    public Stream<MixedCell> enumerate() {
        return LongStream.range(0, size()).mapToObj(Nb201MixedSpace::decode);
    }

    @Override
    public long size() {
        long n = 1;
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            n *= SUBSETS;
        }
        return n;
    }

    /** The encoding itself: mixed edges are not simplified, so only identical supernets share a key. */
    @Override
    public String canonicalKey(MixedCell cell) {
        return format(cell);
    }

    /** As {@link Nb201Space#graph}, with each edge node multi-hot over the ops it carries. */
    @Override
    public GraphEncoding graph(MixedCell cell) {
        Nb201Cell skeleton = new Nb201Cell(0);
        GraphEncoding plain = Nb201Space.INSTANCE.graph(skeleton);
        double[][] features = new double[plain.nodes()][];
        for (int i = 0; i < features.length; i++) {
            features[i] = plain.features()[i].clone();
        }
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            java.util.Arrays.fill(features[e + 1], 0);
            for (Nb201Op op : cell.ops(e)) {
                features[e + 1][2 + op.ordinal()] = 1;
            }
        }
        return new GraphEncoding(plain.adjacency(), features, plain.labels());
    }

    private static MixedCell decode(long index) {
        List<EnumSet<Nb201Op>> edges = new ArrayList<>();
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            int mask = (int) (index % SUBSETS) + 1;
            index /= SUBSETS;
            EnumSet<Nb201Op> ops = EnumSet.noneOf(Nb201Op.class);
            for (int o = 0; o < Nb201Cell.OPS; o++) {
                if ((mask & (1 << o)) != 0) {
                    ops.add(Nb201Op.ofOrdinal(o));
                }
            }
            edges.add(ops);
        }
        return MixedCell.of(edges);
    }
}
