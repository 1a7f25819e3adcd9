package io.archipelago.core.nb201;

import io.archipelago.core.space.ArchitectureFormatException;

/**
 * The cell-string grammar shared by the plain and the mixed NAS-Bench-201 spaces:
 * {@code |X~0|+|X~0|X~1|+|X~0|X~1|X~2|}, where each X is read by the space (one op, or several
 * joined by {@code ,}). Errors name what is wrong and the character where it is.
 */
final class Nb201Grammar {

    /** Reads the op part of one edge; {@code position} is where it starts in the string. */
    @FunctionalInterface
    interface EdgeReader<T> {
        T read(String token, int edge, int position);
    }

    private Nb201Grammar() {}

    static <T> T[] parse(String encoding, String what, T[] edges, EdgeReader<T> reader) {
        if (encoding == null || encoding.isBlank()) {
            throw malformed(what, String.valueOf(encoding), "empty cell string", 0);
        }
        String s = encoding.strip();
        String[] groups = s.split("\\+", -1);
        if (groups.length != 3) {
            throw malformed(what, s, "expected 3 node groups separated by '+', found " + groups.length, 0);
        }
        int position = 0;
        int edge = 0;
        for (int g = 0; g < 3; g++) {
            int node = g + 1;
            String group = groups[g];
            if (group.length() < 2 || group.charAt(0) != '|' || group.charAt(group.length() - 1) != '|') {
                throw malformed(
                        what, s, "node " + node + " group '" + group + "' must start and end with '|'", position);
            }
            String[] inputs = group.substring(1, group.length() - 1).split("\\|", -1);
            if (inputs.length != node) {
                throw malformed(
                        what,
                        s,
                        "node " + node + " needs " + node + " input edge(s), found " + inputs.length,
                        position);
            }
            int tokenPosition = position + 1;
            for (int i = 0; i < inputs.length; i++) {
                String token = inputs[i];
                int tilde = token.lastIndexOf('~');
                if (tilde < 0) {
                    throw malformed(
                            what,
                            s,
                            "node " + node + " edge '" + token + "' is not of the form op~input",
                            tokenPosition);
                }
                String from = token.substring(tilde + 1);
                if (!from.equals(Integer.toString(i))) {
                    throw malformed(
                            what,
                            s,
                            "node " + node + " edge " + (i + 1) + " must come from node " + i + ", found '~" + from
                                    + "'",
                            tokenPosition + tilde);
                }
                try {
                    edges[edge] = reader.read(token.substring(0, tilde), edge, tokenPosition);
                } catch (IllegalArgumentException problem) {
                    throw malformed(what, s, "node " + node + ": " + problem.getMessage(), tokenPosition);
                }
                edge++;
                tokenPosition += token.length() + 1;
            }
            position += group.length() + 1;
        }
        return edges;
    }

    /** Writes six edge texts in the grammar. */
    static String format(String[] edges) {
        StringBuilder out = new StringBuilder(96);
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            if (e == 1 || e == 3) {
                out.append('+');
            }
            out.append('|').append(edges[e]).append('~').append(Nb201Cell.from(e));
            if (e == 0 || e == 2 || e == 5) {
                out.append('|');
            }
        }
        return out.toString();
    }

    /** One op by its token. */
    static Nb201Op op(String token) {
        Nb201Op op = Nb201Op.ofToken(token);
        if (op == null) {
            throw new IllegalArgumentException("unknown op '" + token + "' (known: " + Nb201Op.tokens() + ")");
        }
        return op;
    }

    private static ArchitectureFormatException malformed(String what, String cell, String problem, int position) {
        return new ArchitectureFormatException(
                "malformed " + what + " '" + cell + "': " + problem + " (at character " + position + ")");
    }
}
