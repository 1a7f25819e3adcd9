package io.archipelago.core.nb201;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

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
 * drop out without a separate rule. This merges more cells than NAS-Bench-201's own
 * {@code to_unique_str} (4,930 classes instead of 6,466), because it also flattens skip sums.
 */
final class Nb201Canonical {
    static final String ZERO = "zero";

    private Nb201Canonical() {}

    static String key(Nb201Cell cell) {
        List<List<String>> nodes = new ArrayList<>(4);
        nodes.add(List.of("x"));
        for (int node = 1; node <= 3; node++) {
            List<String> terms = new ArrayList<>();
            for (int e = 0; e < Nb201Cell.EDGES; e++) {
                if (Nb201Cell.to(e) != node) {
                    continue;
                }
                List<String> source = nodes.get(Nb201Cell.from(e));
                Nb201Op op = cell.op(e);
                if (op == Nb201Op.NONE || source.isEmpty()) {
                    continue;
                }
                if (op == Nb201Op.SKIP_CONNECT) {
                    terms.addAll(source);
                } else {
                    terms.add(op.token() + "(" + String.join("+", source) + ")");
                }
            }
            Collections.sort(terms);
            nodes.add(terms);
        }
        List<String> output = nodes.get(3);
        return output.isEmpty() ? ZERO : String.join("+", output);
    }
}
