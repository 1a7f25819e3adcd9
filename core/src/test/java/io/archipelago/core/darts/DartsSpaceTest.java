package io.archipelago.core.darts;

import static io.archipelago.core.darts.PublishedGenotypes.DARTS_V2;
import static io.archipelago.core.darts.PublishedGenotypes.PC_DARTS;
import static io.archipelago.core.darts.PublishedGenotypes.P_DARTS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.space.ArchitectureFormatException;
import io.archipelago.core.space.SearchSpaces;
import io.archipelago.proto.Architecture;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DartsSpaceTest {
    private static final DartsSpace SPACE = DartsSpace.INSTANCE;
    private static final String V2_COMPACT =
            "sep3:0+sep3:1,sep3:0+sep3:1,sep3:1+skip:0,skip:0+dil3:2/max3:0+max3:1,skip:2+max3:1,max3:0+skip:2,skip:2+max3:1";

    @Test
    void parsesDartsV2AsPrintedAndWritesItBackInBothForms() {
        DartsGenotype v2 = SPACE.parse(DARTS_V2);
        assertEquals(DartsOp.SEP_CONV_3X3, v2.normal().op(4));
        assertEquals(1, v2.normal().input(4));
        assertEquals(DartsOp.SKIP_CONNECT, v2.normal().op(5));
        assertEquals(0, v2.normal().input(5));
        assertEquals(DartsOp.DIL_CONV_3X3, v2.normal().op(7));
        assertEquals(2, v2.normal().input(7));
        assertEquals(DartsOp.MAX_POOL_3X3, v2.reduce().op(7));
        assertEquals(V2_COMPACT, SPACE.format(v2));
        assertEquals(V2_COMPACT, v2.toString());
        assertEquals(DARTS_V2, SPACE.formatDarts(v2));
        assertEquals(v2, SPACE.parse(V2_COMPACT));
        assertEquals(v2, SPACE.parse("  " + V2_COMPACT.replace("sep3", "sep_conv_3x3") + "\n"));
        assertEquals(v2, SPACE.parse(DARTS_V2.replace('\'', '"').replace(", ", ",\n    ")));
        assertEquals("darts", SPACE.id());
        assertTrue(SPACE.encoding().contains("sep3 (sep_conv_3x3)"), SPACE.encoding());
    }

    @Test
    void readsRangeConcatAndTheIrregularSpacingOfPublishedFiles() {
        DartsGenotype p = SPACE.parse(P_DARTS);
        assertEquals(DartsOp.SEP_CONV_3X3, p.normal().op(3));
        assertEquals(1, p.normal().input(3));
        assertEquals(0, p.normal().input(6));
        assertEquals(DartsOp.DIL_CONV_5X5, p.reduce().op(7));
        assertEquals(3, p.reduce().input(7));
        DartsGenotype pc = SPACE.parse(PC_DARTS);
        assertEquals(DartsOp.SEP_CONV_5X5, pc.reduce().op(0));
        assertEquals(pc, SPACE.parse(SPACE.formatDarts(pc)));
        assertEquals(pc, SPACE.parse(SPACE.format(pc)));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = ';',
            value = {
                "'';empty architecture string",
                "garbage;expected a normal and a reduction cell separated by '/', found 1",
                "sep3:0+sep3:1,sep3:0+sep3:1,sep3:1+skip:0/max3:0+max3:1,skip:2+max3:1,max3:0+skip:2,skip:2+max3:1;normal cell: expected 4 nodes separated by ',', found 3",
                "sep3:0+sep3:1,sep3:0,sep3:1+skip:0,skip:0+dil3:2/max3:0+max3:1,skip:2+max3:1,max3:0+skip:2,skip:2+max3:1;normal cell node 1: expected 2 op:input pairs joined by '+', found 1",
                "sep3:0+sep3:1,sep3:0+sep3:1,sep3:1+skip:0,skip:0+dil3:2/max3:0+max3:1,skip:2+max3:1,max3:0+skip:2,skip:2+max3:1+avg3:0;reduce cell node 3: expected 2 op:input pairs joined by '+', found 3",
                "sep3:0+sep3:1,sep3:0+sep3:1,sep3:1+skip:0,skip:0+dil3:2/max3:0+max3:1,skip:2+max3:1,max3:0+skip:2,skip:2+conv3:1;reduce cell node 3: unknown op 'conv3'",
                "sep3:0+none:1,sep3:0+sep3:1,sep3:1+skip:0,skip:0+dil3:2/max3:0+max3:1,skip:2+max3:1,max3:0+skip:2,skip:2+max3:1;normal cell node 0: unknown op 'none'",
                "sep3:0+sep3:2,sep3:0+sep3:1,sep3:1+skip:0,skip:0+dil3:2/max3:0+max3:1,skip:2+max3:1,max3:0+skip:2,skip:2+max3:1;normal cell node 0: input '2' out of range for node 0: it reads inputs 0..1 (at character 12)",
                "sep3:0+sep3:1,sep3:0+sep3:1,sep3:1+skip:0,skip:0+dil3:6/max3:0+max3:1,skip:2+max3:1,max3:0+skip:2,skip:2+max3:1;normal cell node 3: input '6' out of range for node 3: it reads inputs 0..4",
                "sep3:0+sep3:1,sep3:0+sep3:1,sep3:1+skip:0,skip:0+dil3:x/max3:0+max3:1,skip:2+max3:1,max3:0+skip:2,skip:2+max3:1;normal cell node 3: input 'x' out of range",
                "sep3:0+sep3:1,sep3:0+sep31,sep3:1+skip:0,skip:0+dil3:2/max3:0+max3:1,skip:2+max3:1,max3:0+skip:2,skip:2+max3:1;normal cell node 1: 'sep31' is not of the form op:input",
                "sep3:0+sep3:1,sep3:0+sep3:1,sep3:1+skip:1,skip:0+dil3:2/max3:0+max3:1,skip:2+max3:1,max3:0+skip:2,skip:2+max3:1;normal cell node 2 reads input 1 twice",
                "sep3:0+sep3:1,sep3:0+sep3:1,sep3:1+skip:0,skip:0+dil3:2/max3:0+max3:1,skip:2+max3:1,max3:0+skip:2,skip:2+max3:1/sep3:0+sep3:1;found 3 cell(s)",
            })
    void compactParseErrorsNameTheCellNodeAndProblem(String encoding, String message) {
        ArchitectureFormatException e = assertThrows(ArchitectureFormatException.class, () -> SPACE.parse(encoding));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertTrue(e.getMessage().contains("DARTS genotype"), e.getMessage());
    }

    @Test
    void dartsFormParseErrorsNameTheProblem() {
        assertDartsError(
                DARTS_V2.replace(", ('dil_conv_3x3', 2)]", "]"), "normal cell has 7 (op, input) pairs, expected 8");
        assertDartsError(
                DARTS_V2.replace(
                        "('max_pool_3x3', 1)], reduce_concat",
                        "('max_pool_3x3', 1), ('avg_pool_3x3', 0)], reduce_concat"),
                "reduce cell has 9 (op, input) pairs");
        assertDartsError(
                DARTS_V2.replace("'dil_conv_3x3'", "'sep_conv_7x7'"), "normal cell pair 7: unknown op 'sep_conv_7x7'");
        assertDartsError(
                DARTS_V2.replace(
                        "('skip_connect', 2), ('max_pool_3x3', 1)]", "('skip_connect', 6), ('max_pool_3x3', 1)]"),
                "reduce cell pair 6: input '6' out of range for node 3: it reads inputs 0..4");
        assertDartsError(
                DARTS_V2.replace(
                        "[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0)",
                        "[('sep_conv_3x3', 0), ('sep_conv_3x3', 2), ('sep_conv_3x3', 0)"),
                "normal cell pair 1: input '2' out of range for node 0: it reads inputs 0..1");
        assertDartsError(
                DARTS_V2.replace("normal_concat=[2, 3, 4, 5]", "normal_concat=[2, 3, 4, 5, 6]"),
                "normal_concat must be the intermediate nodes [2, 3, 4, 5], got [2, 3, 4, 5, 6]");
        assertDartsError(
                DARTS_V2.replace("reduce_concat=[2, 3, 4, 5]", "reduce_concat=range(3, 6)"),
                "reduce_concat must be the intermediate nodes [2, 3, 4, 5], got [3, 4, 5]");
        assertDartsError(DARTS_V2.replace("normal=[", "normal=("), "expected '[' but found '(");
        assertDartsError(DARTS_V2 + ")", "unexpected text after the genotype: ')'");
        assertDartsError("Genotype(", "expected 'normal='");
    }

    private static void assertDartsError(String encoding, String message) {
        ArchitectureFormatException e = assertThrows(ArchitectureFormatException.class, () -> SPACE.parse(encoding));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    /** Random edits of the printed form: parsed and round-tripped, or refused with a reason, never another exception. */
    @Test
    void editedDartsFormsParseOrAreRefused() {
        String alphabet = "()[]',=_ 0123456789abcdeglmnoprstuvx\"";
        SplittableRandom random = new SplittableRandom(17);
        int refused = 0;
        for (int i = 0; i < 3_000; i++) {
            StringBuilder text = new StringBuilder(i % 2 == 0 ? DARTS_V2 : P_DARTS);
            for (int e = 0, edits = 1 + random.nextInt(3); e < edits; e++) {
                int at = random.nextInt(text.length());
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(3)) {
                    case 0 -> text.insert(at, c);
                    case 1 -> text.deleteCharAt(at);
                    default -> text.setCharAt(at, c);
                }
            }
            try {
                DartsGenotype g = SPACE.parse(text.toString());
                assertEquals(g, SPACE.parse(SPACE.format(g)));
                assertEquals(g, SPACE.parse(SPACE.formatDarts(g)));
            } catch (ArchitectureFormatException e) {
                assertTrue(e.getMessage().startsWith("malformed DARTS genotype"), e.getMessage());
                refused++;
            }
        }
        assertTrue(refused > 1_000, "refused " + refused);
    }

    @Test
    void sizeIsTheDartsCountAndEnumerateIsLazyDistinctAndAscending() {
        assertEquals(180L * 5_764_801L, DartsSpace.CELLS); // 1 x 3 x 6 x 10 input pairs, 7^8 ops
        assertEquals(1_076_746_950_455_072_400L, SPACE.size());
        assertEquals(Math.multiplyExact(DartsSpace.CELLS, DartsSpace.CELLS), SPACE.size());
        List<DartsGenotype> first = SPACE.enumerate().limit(2_000).toList();
        assertEquals(2_000, new HashSet<>(first).size());
        assertEquals(
                "max3:0+max3:1,max3:0+max3:1,max3:0+max3:1,max3:0+max3:1/max3:0+max3:1,max3:0+max3:1,max3:0+max3:1,max3:0+max3:1",
                SPACE.format(first.get(0)));
        assertEquals(
                "max3:0+max3:1,max3:0+max3:1,max3:0+max3:1,max3:0+max3:1/max3:0+max3:1,max3:0+max3:1,max3:0+max3:1,max3:0+avg3:1",
                SPACE.format(first.get(1)));
        // the index decoding is a bijection onto the ascending-input cells: the last index is the last cell
        assertEquals(
                "dil5:0+dil5:1,dil5:1+dil5:2,dil5:2+dil5:3,dil5:3+dil5:4",
                DartsSpace.cell(DartsSpace.CELLS - 1).toString());
        Set<DartsCell> cells = new HashSet<>();
        for (long i = 0; i < 5 * 49 * 10; i++) { // every choice of node 3 and node 2's op pair under one prefix
            DartsCell cell = DartsSpace.cell(i);
            for (int node = 0; node < 4; node++) {
                assertTrue(cell.input(2 * node) < cell.input(2 * node + 1), cell.toString());
            }
            cells.add(cell);
        }
        assertEquals(5 * 49 * 10, cells.size());
    }

    @Test
    void sampleIsUniformOverOpsAndInputPairs() {
        SplittableRandom random = new SplittableRandom(7);
        int draws = 70_000;
        int[] ops = new int[DartsOp.COUNT];
        int[] node3Pairs = new int[25];
        for (int i = 0; i < draws; i++) {
            DartsGenotype g = SPACE.sample(random);
            ops[g.reduce().op(5).ordinal()]++;
            DartsCell n = g.normal();
            assertTrue(n.input(6) < n.input(7));
            node3Pairs[5 * n.input(6) + n.input(7)]++;
        }
        for (int count : ops) {
            assertEquals(draws / 7.0, count, 5 * Math.sqrt(draws / 7.0), Arrays.toString(ops));
        }
        int pairs = 0;
        for (int a = 0; a < 5; a++) {
            for (int b = a + 1; b < 5; b++) {
                assertEquals(draws / 10.0, node3Pairs[5 * a + b], 5 * Math.sqrt(draws / 10.0), a + "," + b);
                pairs++;
            }
        }
        assertEquals(10, pairs); // node 3 reads two of inputs 0..4
        assertEquals(SPACE.sample(new SplittableRandom(3)), SPACE.sample(new SplittableRandom(3)));
    }

    @Test
    void mutateChangesExactlyOneChoiceAndReachesAll120Neighbours() {
        SplittableRandom random = new SplittableRandom(11);
        DartsGenotype v2 = SPACE.parse(DARTS_V2);
        Set<DartsGenotype> neighbours = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            DartsGenotype g = i % 2 == 0 ? v2 : SPACE.sample(random);
            DartsGenotype next = SPACE.mutate(g, random);
            int[] before = SPACE.tokens(g);
            int[] after = SPACE.tokens(next);
            int changed = 0;
            for (int p = 0; p < before.length; p++) {
                changed += before[p] != after[p] ? 1 : 0;
            }
            assertEquals(1, changed, g + " -> " + next);
            if (g.equals(v2)) {
                neighbours.add(next);
            }
        }
        assertEquals(120, neighbours.size()); // per cell: 8 ops x 6 others, inputs 0 + 2 + 4 + 6
    }

    @Test
    void tokensRoundTripAndNameBadPositions() {
        assertEquals(32, SPACE.length());
        assertEquals(7, SPACE.vocabulary());
        assertArrayEquals(
                new int[] {
                    7, 2, 7, 2, 7, 3, 7, 3, 7, 4, 7, 4, 7, 5, 7, 5, 7, 2, 7, 2, 7, 3, 7, 3, 7, 4, 7, 4, 7, 5, 7, 5
                },
                java.util.stream.IntStream.range(0, 32).map(SPACE::choices).toArray());
        DartsGenotype v2 = SPACE.parse(DARTS_V2);
        int[] tokens = SPACE.tokens(v2);
        assertArrayEquals(new int[] {3, 0, 3, 1, 3, 0, 3, 1, 3, 1, 2, 0, 2, 0, 5, 2}, Arrays.copyOf(tokens, 16));
        assertEquals(v2, SPACE.fromTokens(tokens));
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < 1_000; i++) {
            DartsGenotype g = SPACE.mutate(SPACE.sample(random), random);
            assertEquals(g, SPACE.fromTokens(SPACE.tokens(g)));
            assertEquals(g, SPACE.parse(SPACE.format(g)));
            assertEquals(g, SPACE.parse(SPACE.formatDarts(g)));
        }
        int[] bad = tokens.clone();
        bad[17] = 2;
        ArchitectureFormatException e = assertThrows(ArchitectureFormatException.class, () -> SPACE.fromTokens(bad));
        assertTrue(
                e.getMessage().contains("position 17") && e.getMessage().contains("input of node 0"), e.getMessage());
        int[] twice = tokens.clone();
        twice[3] = 0;
        e = assertThrows(ArchitectureFormatException.class, () -> SPACE.fromTokens(twice));
        assertTrue(e.getMessage().contains("normal cell node 0 reads input 0 twice"), e.getMessage());
        int[] op = tokens.clone();
        op[30] = 7;
        e = assertThrows(ArchitectureFormatException.class, () -> SPACE.fromTokens(op));
        assertTrue(e.getMessage().contains("position 30") && e.getMessage().contains("an op"), e.getMessage());
        e = assertThrows(ArchitectureFormatException.class, () -> SPACE.fromTokens(new int[3]));
        assertTrue(e.getMessage().contains("32 tokens"), e.getMessage());
    }

    @Test
    void canonicalKeysIgnorePairOrderAndNodeNumberingButNothingElse() {
        String base = "sep3:0+sep3:1,sep3:0+sep3:1,sep3:1+skip:0,skip:0+dil3:2/";
        String reduce = "max3:0+max3:1,skip:2+max3:1,max3:0+skip:2,skip:2+max3:1";
        DartsGenotype v2 = SPACE.parse(base + reduce);
        DartsGenotype swappedPairs = SPACE.parse(
                "sep3:1+sep3:0,sep3:1+sep3:0,skip:0+sep3:1,dil3:2+skip:0/max3:1+max3:0,max3:1+skip:2,skip:2+max3:0,max3:1+skip:2");
        assertNotEquals(v2, swappedPairs);
        assertEquals(SPACE.canonicalKey(v2), SPACE.canonicalKey(swappedPairs));
        // nodes 0 and 1 of V2's normal cell are alike: renumbering nodes 1 and 2 (node 3 then reads node 1)
        DartsGenotype renumbered = SPACE.parse("sep3:0+sep3:1,sep3:1+skip:0,sep3:0+sep3:1,skip:0+dil3:2/" + reduce);
        assertEquals(SPACE.canonicalKey(v2), SPACE.canonicalKey(renumbered));
        DartsGenotype readsNode1 = SPACE.parse("sep3:0+sep3:1,sep3:1+skip:0,sep3:0+sep3:1,skip:0+dil3:4/" + reduce);
        assertEquals(SPACE.canonicalKey(v2), SPACE.canonicalKey(readsNode1)); // dil3 on the other sep3+sep3 node
        // a node read twice along two paths is not the same network as two alike nodes read once each
        String a = "sep3:0+sep3:1,sep3:0+sep3:1,sep5:3+avg3:0,skip:2+max3:4/" + reduce;
        String b = "sep3:0+sep3:1,sep3:0+sep3:1,sep5:3+avg3:0,skip:3+max3:4/" + reduce;
        assertNotEquals(SPACE.canonicalKey(SPACE.parse(a)), SPACE.canonicalKey(SPACE.parse(b)));
        // inputs 0 and 1 are different tensors; normal and reduction cells are not interchangeable
        assertNotEquals(
                SPACE.canonicalKey(v2),
                SPACE.canonicalKey(SPACE.parse(base.replace("skip:0+dil3", "skip:1+dil3") + reduce)));
        DartsGenotype swappedCells = new DartsGenotype(v2.reduce(), v2.normal());
        assertNotEquals(SPACE.canonicalKey(v2), SPACE.canonicalKey(swappedCells));
        assertEquals(SPACE.canonicalKey(v2), SPACE.format(SPACE.canonical(v2)));
        assertEquals(SPACE.canonical(v2), SPACE.canonical(SPACE.canonical(v2)));
        // the key is invariant over random renumberings and pair swaps of sampled genotypes
        SplittableRandom random = new SplittableRandom(4);
        for (int i = 0; i < 300; i++) {
            DartsGenotype g = SPACE.sample(random);
            DartsGenotype h = SPACE.fromTokens(swapPairs(SPACE.tokens(g), random));
            assertEquals(SPACE.canonicalKey(g), SPACE.canonicalKey(h));
        }
    }

    private static int[] swapPairs(int[] tokens, SplittableRandom random) {
        int[] out = tokens.clone();
        for (int node = 0; node < 8; node++) {
            if (random.nextBoolean()) {
                int at = 4 * node;
                int[] first = {out[at], out[at + 1]};
                out[at] = out[at + 2];
                out[at + 1] = out[at + 3];
                out[at + 2] = first[0];
                out[at + 3] = first[1];
            }
        }
        return out;
    }

    @Test
    void graphHasBothCellsAsOpNodeDagsAndEquivalentGenotypesShareIt() {
        DartsGenotype v2 = SPACE.parse(DARTS_V2);
        var graph = SPACE.graph(v2);
        assertEquals(22, graph.nodes());
        assertEquals(17, graph.labels().size());
        assertEquals(List.of("input", "output", "input_k-2"), graph.labels().subList(0, 3));
        assertEquals("reduce:dil_conv_5x5", graph.labels().get(16));
        int[][] adj = graph.adjacency();
        for (int from = 0; from < 22; from++) {
            assertEquals(1.0, Arrays.stream(graph.features()[from]).sum());
            for (int to = 0; to <= from; to++) {
                assertEquals(0, adj[from][to], "not topologically ordered: " + from + "->" + to);
            }
        }
        for (int base : new int[] {0, 11}) {
            int inputEdges = 0;
            for (int op = base + 2; op < base + 10; op++) {
                assertEquals(1, adj[op][base + 10], "every op feeds the output");
                inputEdges += adj[base][op] + adj[base + 1][op];
            }
            assertTrue(inputEdges >= 2);
        }
        // canonical V2 normal node 3 = skip:0 + dil3 on a node of two sep3: two edges into the dil op
        DartsCell canonicalNormal = SPACE.canonical(v2).normal();
        int dil = 2
                + Arrays.asList(0, 1, 2, 3, 4, 5, 6, 7).stream()
                        .filter(p -> canonicalNormal.op(p) == DartsOp.DIL_CONV_3X3)
                        .findFirst()
                        .orElseThrow();
        assertEquals(2, Arrays.stream(adj).mapToInt(row -> row[dil]).sum());
        assertEquals(1.0, graph.features()[dil][3 + DartsOp.DIL_CONV_3X3.ordinal()]);
        assertEquals(1.0, graph.features()[11 + 2][3 + 7 + DartsOp.MAX_POOL_3X3.ordinal()]);
        var same = SPACE.graph(SPACE.parse("sep3:1+sep3:0,sep3:1+skip:0,sep3:0+sep3:1,dil3:4+skip:0/"
                + "max3:0+max3:1,skip:2+max3:1,max3:0+skip:2,skip:2+max3:1"));
        assertTrue(Arrays.deepEquals(graph.adjacency(), same.adjacency()));
        assertTrue(Arrays.deepEquals(graph.features(), same.features()));
    }

    @Test
    void protoRoundTripAndServiceLoaderFindsTheSpace() {
        DartsGenotype v2 = SPACE.parse(DARTS_V2);
        Architecture proto = SPACE.toProto(v2);
        assertEquals("darts", proto.getSpace());
        assertEquals(V2_COMPACT, proto.getEncoding());
        assertEquals(v2, SPACE.fromProto(proto));
        assertSame(SPACE, SearchSpaces.byId("darts"));
    }
}
