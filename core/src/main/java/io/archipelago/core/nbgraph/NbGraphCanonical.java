package io.archipelago.core.nbgraph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Canonical form of a NAS-Bench-Graph encoding: the reduction of the benchmark's README, which
 * agrees with the benchmark's own {@code valid_hash} on all 157,440 non-empty encodings.
 *
 * <p>Repeatedly drop any {@code skip} node that
 * <ul>
 *   <li>has readers (they are re-attached to the skip's own input),</li>
 *   <li>is the only reader of its input (its input becomes the output it was), or</li>
 *   <li>reads node 0 (the benchmark does not count the bare input features as an output).</li>
 * </ul>
 * What remains is a tree rooted at the input; the key writes it with every node's children
 * sorted, so interchangeable branches are one: a node is {@code op} or {@code op(c1,c2,...)}, and
 * the key lists the input's subtrees joined by {@code ,}. The all-skip encodings reduce to the
 * empty tree, {@link #EMPTY}.
 */
final class NbGraphCanonical {
    static final String EMPTY = "empty";
    private static final int SKIP = GraphOp.SKIP.ordinal();

    private NbGraphCanonical() {}

    /** The reduced tree of an encoding: {@code input[k]} of each node still alive (0 = input). */
    record Reduced(int[] ops, int[] inputs, boolean[] alive) {}

    static Reduced reduce(int code) {
        int n = GraphArch.NODES;
        int[] ops = new int[n + 1];
        int[] inputs = new int[n + 1];
        boolean[] alive = new boolean[n + 1];
        for (int node = 1; node <= n; node++) {
            ops[node] = GraphArch.token(code, 2 * (node - 1));
            inputs[node] = GraphArch.token(code, 2 * (node - 1) + 1);
            alive[node] = true;
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int node = 1; node <= n; node++) {
                if (!alive[node] || ops[node] != SKIP) {
                    continue;
                }
                boolean hasReaders = false;
                int readersOfInput = 0;
                for (int other = 1; other <= n; other++) {
                    if (!alive[other]) {
                        continue;
                    }
                    if (inputs[other] == node) {
                        hasReaders = true;
                        inputs[other] = inputs[node];
                    }
                    if (inputs[other] == inputs[node]) {
                        readersOfInput++; // counts this node too, and its re-attached readers
                    }
                }
                if (hasReaders || readersOfInput == 1 || inputs[node] == 0) {
                    alive[node] = false;
                    changed = true;
                }
            }
        }
        return new Reduced(ops, inputs, alive);
    }

    static String key(int code) {
        return key(reduce(code));
    }

    static String key(Reduced tree) {
        String key = subtrees(tree, 0);
        return key.isEmpty() ? EMPTY : key;
    }

    /** Number of nodes left after the reduction (0 for the all-skip encodings). */
    static int effectiveNodes(int code) {
        return effectiveNodes(reduce(code));
    }

    static int effectiveNodes(Reduced tree) {
        int count = 0;
        for (boolean a : tree.alive()) {
            count += a ? 1 : 0;
        }
        return count;
    }

    /**
     * Whether an encoding has the form of the benchmark's rows for a network of {@code effective}
     * nodes: with p = 4 - effective, nodes 1..p are the chain {@code skip~0|skip~1|...} and the
     * other nodes read node p or later. Among the encodings of one network that have this form,
     * the benchmark's row is the one of least {@link #rowOrder}.
     */
    static boolean rowForm(int code, int effective) {
        int chain = GraphArch.NODES - effective;
        for (int node = 1; node <= GraphArch.NODES; node++) {
            int op = GraphArch.token(code, 2 * (node - 1));
            int input = GraphArch.token(code, 2 * (node - 1) + 1);
            if (node <= chain ? op != SKIP || input != node - 1 : input < chain) {
                return false;
            }
        }
        return true;
    }

    /** Lexicographic order over (input digits, then op ordinals), which picks the benchmark's rows. */
    static int rowOrder(int code) {
        int inputs = 0;
        int ops = 0;
        for (int node = 1; node <= GraphArch.NODES; node++) {
            inputs = inputs * GraphArch.NODES + GraphArch.token(code, 2 * (node - 1) + 1);
            ops = ops * GraphArch.OPS + GraphArch.token(code, 2 * (node - 1));
        }
        return inputs * 6561 + ops;
    }

    /** The sorted subtrees of {@code parent}'s readers, joined by {@code ,}. */
    private static String subtrees(Reduced tree, int parent) {
        List<String> children = new ArrayList<>(GraphArch.NODES);
        for (int node = 1; node <= GraphArch.NODES; node++) {
            if (tree.alive()[node] && tree.inputs()[node] == parent) {
                String below = subtrees(tree, node);
                String op = GraphOp.ofOrdinal(tree.ops()[node]).token();
                children.add(below.isEmpty() ? op : op + "(" + below + ")");
            }
        }
        Collections.sort(children);
        return String.join(",", children);
    }
}
