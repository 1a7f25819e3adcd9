package io.archipelago.core.nb201;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
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
 * is one set of weights counted twice, which is not the same network as two ops with weights of
 * their own, though their expressions look alike. So when an op is used more than once the key
 * adds a canonical labelling of the DAG of live op instances: instances are ordered by their
 * expression, ties (instances with equal expressions) are tried in every order, and the smallest
 * serialisation wins. (A tree of ops is spelled out exactly by its expression alone.) Cells with one key
 * have isomorphic live op graphs, hence the same weights on every path to the output; they may
 * differ only in ops that cannot reach it. This gives 5,425 classes; NAS-Bench-201's own
 * {@code to_unique_str}, which does not flatten skip sums, finds 6,466.
 */
final class Nb201Canonical {
    static final String ZERO = "zero";
    private static final int INPUT = Nb201Cell.EDGES; // instance id of the input x; ops are their edge index

    private Nb201Canonical() {}

    static String key(Nb201Cell cell) {
        // Each node: how many times each term instance (the input, or the op of one edge) is summed.
        List<Map<Integer, Integer>> nodes = new ArrayList<>(4);
        List<Map<Integer, Integer>> inputs = new ArrayList<>(); // per op instance: its input terms
        String[] expressions = new String[Nb201Cell.EDGES + 1];
        for (int i = 0; i <= Nb201Cell.EDGES; i++) {
            inputs.add(null);
        }
        expressions[INPUT] = "x";
        nodes.add(Map.of(INPUT, 1));
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
                    inputs.set(e, source);
                    terms.merge(e, 1, Integer::sum);
                }
            }
            nodes.add(terms);
        }
        Map<Integer, Integer> output = nodes.get(3);
        if (output.isEmpty()) {
            return ZERO;
        }
        List<Integer> live = new ArrayList<>();
        collectLive(output, inputs, live);
        String expression = render(output, expressions);
        // A tree (no op used twice) is spelled out by its expression; only shared ops need labels.
        return isTree(live, inputs, output) ? expression : canonicalLabelling(live, inputs, output, expressions);
    }

    private static boolean isTree(
            List<Integer> live, List<Map<Integer, Integer>> inputs, Map<Integer, Integer> output) {
        Map<Integer, Integer> references = new HashMap<>();
        output.forEach((instance, count) -> references.merge(instance, count, Integer::sum));
        for (int instance : live) {
            inputs.get(instance).forEach((source, count) -> references.merge(source, count, Integer::sum));
        }
        references.remove(INPUT);
        return references.values().stream().allMatch(count -> count == 1);
    }

    /** The op instances the output depends on. */
    private static void collectLive(
            Map<Integer, Integer> terms, List<Map<Integer, Integer>> inputs, List<Integer> live) {
        for (int instance : terms.keySet()) {
            if (instance != INPUT && !live.contains(instance)) {
                live.add(instance);
                collectLive(inputs.get(instance), inputs, live);
            }
        }
    }

    /**
     * Labels live instances in the order of their expressions; instances with equal expressions
     * could swap labels, so every order of each tie group is serialised and the smallest is kept.
     */
    private static String canonicalLabelling(
            List<Integer> live,
            List<Map<Integer, Integer>> inputs,
            Map<Integer, Integer> output,
            String[] expressions) {
        live.sort(Comparator.comparing((Integer i) -> expressions[i]).thenComparing(i -> i));
        String best = null;
        for (List<Integer> order : tieOrders(live, expressions)) {
            Map<Integer, Integer> label = new HashMap<>();
            label.put(INPUT, 0);
            for (int i = 0; i < order.size(); i++) {
                label.put(order.get(i), i + 1);
            }
            StringBuilder out = new StringBuilder(render(output, expressions)).append(" |");
            for (int i = 0; i < order.size(); i++) {
                out.append(' ')
                        .append(i + 1)
                        .append('=')
                        .append(expressions[order.get(i)].substring(0, expressions[order.get(i)].indexOf('(')))
                        .append(labels(inputs.get(order.get(i)), label));
            }
            out.append(" out").append(labels(output, label));
            String candidate = out.toString();
            if (best == null || candidate.compareTo(best) < 0) {
                best = candidate;
            }
        }
        return best;
    }

    private static String labels(Map<Integer, Integer> terms, Map<Integer, Integer> label) {
        List<String> parts = new ArrayList<>();
        terms.forEach((instance, count) -> parts.add((count == 1 ? "" : count + "*") + label.get(instance)));
        Collections.sort(parts);
        return "[" + String.join(",", parts) + "]";
    }

    /** Every order of {@code sorted} that permutes only runs of equal expressions. */
    private static List<List<Integer>> tieOrders(List<Integer> sorted, String[] expressions) {
        List<List<Integer>> orders = new ArrayList<>();
        orders.add(new ArrayList<>());
        int start = 0;
        while (start < sorted.size()) {
            int end = start + 1;
            while (end < sorted.size() && expressions[sorted.get(end)].equals(expressions[sorted.get(start)])) {
                end++;
            }
            List<List<Integer>> group = permutations(sorted.subList(start, end));
            List<List<Integer>> next = new ArrayList<>();
            for (List<Integer> prefix : orders) {
                for (List<Integer> tail : group) {
                    List<Integer> order = new ArrayList<>(prefix);
                    order.addAll(tail);
                    next.add(order);
                }
            }
            orders = next;
            start = end;
        }
        return orders;
    }

    private static List<List<Integer>> permutations(List<Integer> items) {
        if (items.size() <= 1) {
            return List.of(new ArrayList<>(items));
        }
        List<List<Integer>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<Integer> rest = new ArrayList<>(items);
            Integer first = rest.remove(i);
            for (List<Integer> tail : permutations(rest)) {
                tail.add(0, first);
                out.add(tail);
            }
        }
        return out;
    }

    /** A sum of term instances as a sorted, '+'-joined string; a repeated instance is written k*term. */
    private static String render(Map<Integer, Integer> terms, String[] expressions) {
        List<String> rendered = new ArrayList<>(terms.size());
        terms.forEach((instance, count) ->
                rendered.add(count == 1 ? expressions[instance] : count + "*" + expressions[instance]));
        Collections.sort(rendered);
        return String.join("+", rendered);
    }
}
