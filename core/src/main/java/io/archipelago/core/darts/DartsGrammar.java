package io.archipelago.core.darts;

import io.archipelago.core.space.ArchitectureFormatException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes genotypes in the two forms {@link DartsSpace} documents: DARTS's printed
 * {@code Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=[2, 3, 4, 5], reduce=[...],
 * reduce_concat=range(2, 6))} and the compact {@code sep3:0+sep3:1,...,skip:0+dil3:2/max3:0+...}.
 */
final class DartsGrammar {
    private static final String WHAT = "DARTS genotype";
    private static final String[] CELL_NAMES = {"normal", "reduce"};

    private DartsGrammar() {}

    static DartsGenotype parse(String encoding) {
        if (encoding == null || encoding.isBlank()) {
            throw malformed(String.valueOf(encoding), "empty architecture string");
        }
        String s = encoding.strip();
        return s.startsWith("Genotype") ? parseDarts(s) : parseCompact(s);
    }

    static String formatCompact(DartsGenotype genotype) {
        return genotype.normal() + "/" + genotype.reduce();
    }

    /** As DARTS prints a {@code Genotype} namedtuple (its repr), concat as a list. */
    static String formatDarts(DartsGenotype genotype) {
        StringBuilder out = new StringBuilder(512).append("Genotype(");
        for (int c = 0; c < 2; c++) {
            DartsCell cell = genotype.cell(c);
            out.append(c == 0 ? "" : ", ").append(CELL_NAMES[c]).append("=[");
            for (int p = 0; p < DartsCell.PAIRS; p++) {
                out.append(p == 0 ? "" : ", ")
                        .append("('")
                        .append(cell.op(p).token())
                        .append("', ")
                        .append(cell.input(p))
                        .append(')');
            }
            out.append("], ").append(CELL_NAMES[c]).append("_concat=[2, 3, 4, 5]");
        }
        return out.append(')').toString();
    }

    // ---- compact form: cells split by '/', nodes by ',', a node's two pairs by '+', op:input

    private static DartsGenotype parseCompact(String s) {
        String[] cells = s.split("/", -1);
        if (cells.length != 2) {
            throw malformed(
                    s,
                    "expected a normal and a reduction cell separated by '/', found " + cells.length
                            + " cell(s) (at character 0)");
        }
        int offset = 0;
        DartsCell[] parsed = new DartsCell[2];
        for (int c = 0; c < 2; c++) {
            parsed[c] = parseCompactCell(s, cells[c], CELL_NAMES[c], offset);
            offset += cells[c].length() + 1;
        }
        return new DartsGenotype(parsed[0], parsed[1]);
    }

    private static DartsCell parseCompactCell(String s, String text, String cellName, int offset) {
        String[] nodes = text.split(",", -1);
        if (nodes.length != DartsCell.NODES) {
            throw malformed(
                    s,
                    cellName + " cell: expected " + DartsCell.NODES + " nodes separated by ',', found " + nodes.length
                            + " (at character " + offset + ")");
        }
        DartsOp[] ops = new DartsOp[DartsCell.PAIRS];
        int[] inputs = new int[DartsCell.PAIRS];
        int position = offset;
        for (int node = 0; node < DartsCell.NODES; node++) {
            String[] pairs = nodes[node].split("\\+", -1);
            if (pairs.length != 2) {
                throw malformed(
                        s,
                        cellName + " cell node " + node + ": expected 2 op:input pairs joined by '+', found "
                                + pairs.length + " (at character " + position + ")");
            }
            for (int k = 0; k < 2; k++) {
                String pair = pairs[k];
                int colon = pair.indexOf(':');
                String where = cellName + " cell node " + node + ": ";
                if (colon < 0) {
                    throw malformed(
                            s, where + "'" + pair + "' is not of the form op:input (at character " + position + ")");
                }
                ops[2 * node + k] = op(s, where, pair.substring(0, colon), position);
                inputs[2 * node + k] = input(s, where, pair.substring(colon + 1), node, position + colon + 1);
                position += pair.length() + 1;
            }
        }
        return cell(s, cellName, ops, inputs);
    }

    // ---- DARTS's printed form; whitespace is dropped first (names and numbers hold none)

    private static DartsGenotype parseDarts(String original) {
        Cursor in = new Cursor(original, original.replaceAll("\\s+", ""));
        in.expect("Genotype(");
        DartsCell[] cells = new DartsCell[2];
        for (int c = 0; c < 2; c++) {
            String name = CELL_NAMES[c];
            in.expect((c == 0 ? "" : ",") + name + "=");
            cells[c] = parseDartsPairs(in, name);
            in.expect("," + name + "_concat=");
            List<Integer> concat = parseConcat(in);
            if (!concat.equals(List.of(2, 3, 4, 5))) {
                throw malformed(original, name + "_concat must be the intermediate nodes [2, 3, 4, 5], got " + concat);
            }
        }
        in.skip(",");
        in.expect(")");
        if (!in.atEnd()) {
            throw malformed(original, "unexpected text after the genotype: '" + in.rest() + "'");
        }
        return new DartsGenotype(cells[0], cells[1]);
    }

    private static DartsCell parseDartsPairs(Cursor in, String cellName) {
        List<DartsOp> ops = new ArrayList<>();
        List<Integer> inputs = new ArrayList<>();
        in.expect("[");
        while (!in.skip("]")) {
            if (!ops.isEmpty()) {
                in.expect(",");
            }
            in.expect("(");
            String name = in.quoted();
            in.expect(",");
            String index = in.number();
            in.expect(")");
            int pair = ops.size();
            String where = cellName + " cell pair " + pair + ": ";
            ops.add(op(in.original, where, name, -1));
            int node = Math.min(pair / 2, DartsCell.NODES - 1);
            inputs.add(pair < DartsCell.PAIRS ? input(in.original, where, index, node, -1) : Integer.parseInt(index));
        }
        if (ops.size() != DartsCell.PAIRS) {
            throw malformed(
                    in.original,
                    cellName + " cell has " + ops.size() + " (op, input) pairs, expected " + DartsCell.PAIRS + " ("
                            + DartsCell.NODES + " nodes x 2)");
        }
        return cell(
                in.original,
                cellName,
                ops.toArray(DartsOp[]::new),
                inputs.stream().mapToInt(Integer::intValue).toArray());
    }

    /** {@code [2, 3, 4, 5]} or {@code range(2, 6)}, as genotypes.py files write it. */
    private static List<Integer> parseConcat(Cursor in) {
        List<Integer> nodes = new ArrayList<>();
        if (in.skip("range(")) {
            int from = Integer.parseInt(in.number());
            in.expect(",");
            int to = Integer.parseInt(in.number());
            in.expect(")");
            for (int j = from; j < to && nodes.size() <= DartsCell.NODES + 2; j++) {
                nodes.add(j);
            }
            return nodes;
        }
        in.expect("[");
        while (!in.skip("]")) {
            if (!nodes.isEmpty()) {
                in.expect(",");
            }
            nodes.add(Integer.parseInt(in.number()));
        }
        return nodes;
    }

    private static final class Cursor {
        final String original;
        final String text;
        int at;

        Cursor(String original, String text) {
            this.original = original;
            this.text = text;
        }

        boolean skip(String token) {
            if (text.startsWith(token, at)) {
                at += token.length();
                return true;
            }
            return false;
        }

        void expect(String token) {
            if (!skip(token)) {
                String found = text.substring(at, Math.min(text.length(), at + 20));
                throw malformed(original, "expected '" + token + "' but found '" + found + "'");
            }
        }

        String quoted() {
            char quote = at < text.length() ? text.charAt(at) : 0;
            if (quote != '\'' && quote != '"') {
                expect("'");
            }
            int end = text.indexOf(quote, at + 1);
            if (end < 0) {
                throw malformed(
                        original,
                        "unterminated quote at '" + text.substring(at, Math.min(text.length(), at + 20)) + "'");
            }
            String name = text.substring(at + 1, end);
            at = end + 1;
            return name;
        }

        String number() {
            int start = at;
            while (at < text.length() && Character.isDigit(text.charAt(at)) && at - start < 9) {
                at++;
            }
            if (at == start) {
                expect("a number");
            }
            return text.substring(start, at);
        }

        boolean atEnd() {
            return at == text.length();
        }

        String rest() {
            return text.substring(at);
        }
    }

    private static DartsOp op(String s, String where, String name, int position) {
        DartsOp op = DartsOp.ofName(name);
        if (op == null) {
            throw malformed(s, where + "unknown op '" + name + "' (known: " + DartsOp.names() + ")" + at(position));
        }
        return op;
    }

    private static int input(String s, String where, String text, int node, int position) {
        if (text.isEmpty()
                || text.length() > 2
                || !text.chars().allMatch(Character::isDigit)
                || Integer.parseInt(text) > node + 1) {
            throw malformed(
                    s,
                    where + "input '" + text + "' out of range for node " + node + ": it reads inputs 0.." + (node + 1)
                            + at(position));
        }
        return Integer.parseInt(text);
    }

    private static DartsCell cell(String s, String cellName, DartsOp[] ops, int[] inputs) {
        try {
            return DartsCell.of(ops, inputs);
        } catch (ArchitectureFormatException e) {
            throw malformed(s, cellName + " cell " + e.getMessage());
        }
    }

    private static String at(int position) {
        return position < 0 ? "" : " (at character " + position + ")";
    }

    static ArchitectureFormatException malformed(String arch, String problem) {
        return new ArchitectureFormatException("malformed " + WHAT + " '" + arch + "': " + problem);
    }
}
