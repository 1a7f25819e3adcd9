package io.archipelago.core.nb201;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A cell whose edges each carry a set of ops whose outputs are averaged (DARTS' mixed op with
 * uniform weights): the supernet cell of pruning-based search (TE-NAS starts with every op but
 * {@code none} on every edge). A plain cell is the case of one op per edge.
 */
public final class MixedCell {
    private final List<EnumSet<Nb201Op>> edges;

    private MixedCell(List<EnumSet<Nb201Op>> edges) {
        this.edges = edges;
    }

    public static MixedCell of(List<? extends Set<Nb201Op>> edgeOps) {
        if (edgeOps.size() != Nb201Cell.EDGES) {
            throw new IllegalArgumentException(
                    "a NAS-Bench-201 cell has " + Nb201Cell.EDGES + " edges, got " + edgeOps.size());
        }
        List<EnumSet<Nb201Op>> copy = new ArrayList<>();
        for (int e = 0; e < edgeOps.size(); e++) {
            if (edgeOps.get(e).isEmpty()) {
                throw new IllegalArgumentException("edge " + e + " of a mixed cell carries no op (use none)");
            }
            copy.add(EnumSet.copyOf(edgeOps.get(e)));
        }
        return new MixedCell(copy);
    }

    public static MixedCell of(Nb201Cell cell) {
        List<EnumSet<Nb201Op>> edges = new ArrayList<>();
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            edges.add(EnumSet.of(cell.op(e)));
        }
        return new MixedCell(edges);
    }

    /** Every op on every edge. */
    public static MixedCell full() {
        List<EnumSet<Nb201Op>> edges = new ArrayList<>();
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            edges.add(EnumSet.allOf(Nb201Op.class));
        }
        return new MixedCell(edges);
    }

    /** This cell with {@code op} removed from every edge that carries it among others. */
    public MixedCell withoutOnEveryEdge(Nb201Op op) {
        List<EnumSet<Nb201Op>> copy = copyEdges();
        for (EnumSet<Nb201Op> ops : copy) {
            if (ops.size() > 1) {
                ops.remove(op);
            }
        }
        return of(copy);
    }

    public Set<Nb201Op> ops(int edge) {
        return EnumSet.copyOf(edges.get(edge));
    }

    /** This cell with {@code op} removed from {@code edge}. */
    public MixedCell without(int edge, Nb201Op op) {
        List<EnumSet<Nb201Op>> copy = copyEdges();
        copy.get(edge).remove(op);
        return of(copy);
    }

    /** This cell with {@code op} added to {@code edge}. */
    public MixedCell with(int edge, Nb201Op op) {
        List<EnumSet<Nb201Op>> copy = copyEdges();
        copy.get(edge).add(op);
        return of(copy);
    }

    /** Whether every edge carries exactly one op (a plain cell). */
    public boolean isPlain() {
        return edges.stream().allMatch(ops -> ops.size() == 1);
    }

    private List<EnumSet<Nb201Op>> copyEdges() {
        List<EnumSet<Nb201Op>> copy = new ArrayList<>();
        edges.forEach(ops -> copy.add(EnumSet.copyOf(ops)));
        return copy;
    }

    /** The plain cell, when every edge has exactly one op. */
    public Nb201Cell toCell() {
        Nb201Op[] ops = new Nb201Op[Nb201Cell.EDGES];
        for (int e = 0; e < ops.length; e++) {
            if (edges.get(e).size() != 1) {
                throw new IllegalStateException("edge " + e + " still carries " + edges.get(e));
            }
            ops[e] = edges.get(e).iterator().next();
        }
        return Nb201Cell.of(ops);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MixedCell other && edges.equals(other.edges);
    }

    @Override
    public int hashCode() {
        return edges.hashCode();
    }

    @Override
    public String toString() {
        return Nb201MixedSpace.INSTANCE.format(this);
    }
}
