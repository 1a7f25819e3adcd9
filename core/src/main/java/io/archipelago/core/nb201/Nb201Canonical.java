package io.archipelago.core.nb201;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Canonical form of an NB201 cell: the function the cell computes, written as an expression.
 *
 * <p>Node 0 is the input; node j is the sum of op(node i) over its incoming edges. Three
 * identities make different cells one:
 * <ul>
 *   <li>{@code none} contributes nothing, and a node with no non-zero input is zero; so is any op
 *       applied to a zero node (ReLU-conv-BN and pooling of zero are zero at initialisation);</li>
 *   <li>{@code skip_connect} is the identity, so skip(node i) contributes node i's terms
 *       themselves (sums are flattened);</li>
 *   <li>addition is commutative: a node is the sorted multiset of its terms.</li>
 * </ul>
 * Edges into nodes that never reach the output do not appear in node 3's expression, so they
 * drop out without a separate rule.
 *
 * <p>Flattening keeps track of which op produced each term: one op reached along two skip paths
 * is one set of weights counted twice ({@code 2*nor_conv_1x1(x)}), which is not the same network
 * as two ops with weights of their own ({@code nor_conv_1x1(x)+nor_conv_1x1(x)}), though the
 * expressions look alike. This gives 4,975 classes; NAS-Bench-201's own {@code to_unique_str},
 * which does not flatten skip sums, finds 6,466.
 *
 * <p>Known limit: sharing is tracked among the terms of one sum, not between a term and the same
 * op nested inside another term ({@code c(x) + p(c(x))} with one conv or with two renders alike),
 * so 297 classes still hold cells whose live weights differ. A canonical labelling of the op DAG
 * would separate them.
 */
final class Nb201Canonical {
    static final String ZERO = "zero";

    private Nb201Canonical() {}

    static String key(Nb201Cell cell) {
        // Each node: how many times each term instance (the input, or the op of one edge) is summed.
        List<Map<Integer, Integer>> nodes = new ArrayList<>(4);
        String[] expressions = new String[Nb201Cell.EDGES + 1]; // instance -> expression; last = the input
        int input = Nb201Cell.EDGES;
        expressions[input] = "x";
        nodes.add(Map.of(input, 1));
        for (int node = 1; node <= 3; node++) {
            Map<Integer, Integer> terms = new TreeMap<>();
            for (int e = 0; e < Nb201Cell.EDGES; e++) {
                if (Nb201Cell.to(e) != node) {
                    continue;
                }
                Map<Integer, Integer> source = nodes.get(Nb201Cell.from(e));
                Nb201Op op = cell.op(e);
                if (op == Nb201Op.NONE || source.isEmpty()) {
                    continue;
                }
                if (op == Nb201Op.SKIP_CONNECT) {
                    source.forEach((instance, count) -> terms.merge(instance, count, Integer::sum));
                } else {
                    expressions[e] = op.token() + "(" + render(source, expressions) + ")";
                    terms.merge(e, 1, Integer::sum);
                }
            }
            nodes.add(terms);
        }
        Map<Integer, Integer> output = nodes.get(3);
        return output.isEmpty() ? ZERO : render(output, expressions);
    }

    /** A sum of term instances as a sorted, '+'-joined string; a repeated instance is written k*term. */
    private static String render(Map<Integer, Integer> terms, String[] expressions) {
        List<String> rendered = new ArrayList<>(terms.size());
        terms.forEach((instance, count) -> rendered.add(count == 1 ? expressions[instance] : count + "*" + expressions[instance]));
        Collections.sort(rendered);
        return String.join("+", rendered);
    }
}
