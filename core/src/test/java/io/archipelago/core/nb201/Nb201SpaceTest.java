package io.archipelago.core.nb201;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.space.ArchitectureFormatException;
import io.archipelago.core.space.GraphEncoding;
import io.archipelago.core.space.SearchSpaces;
import io.archipelago.proto.Architecture;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Nb201SpaceTest {
    private static final Nb201Space SPACE = Nb201Space.INSTANCE;
    private static final String BEST =
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|";

    @Test
    void enumeratesAllCellsOnceAndSizeAgrees() {
        assertEquals(15_625L, SPACE.size());
        List<Nb201Cell> cells = SPACE.enumerate().toList();
        assertEquals(15_625, cells.size());
        assertEquals(15_625, new HashSet<>(cells).size());
        assertEquals("nb201", SPACE.id());
    }

    @Test
    void formatParseRoundTripForEveryCell() {
        Set<String> encodings = new HashSet<>();
        SPACE.enumerate().forEach(cell -> {
            String encoding = SPACE.format(cell);
            assertEquals(cell, SPACE.parse(encoding), encoding);
            assertEquals(encoding, SPACE.format(SPACE.parse(encoding)));
            assertEquals(encoding, cell.toString());
            assertTrue(encodings.add(encoding), "two cells format as " + encoding);
        });
        assertEquals(15_625, encodings.size());
    }

    @Test
    void parsesKnownCellEdgeByEdge() {
        Nb201Cell cell = SPACE.parse(BEST);
        assertEquals(Nb201Op.NOR_CONV_3X3, cell.op(0)); // 1<-0
        assertEquals(Nb201Op.NOR_CONV_3X3, cell.op(1)); // 2<-0
        assertEquals(Nb201Op.NOR_CONV_3X3, cell.op(2)); // 2<-1
        assertEquals(Nb201Op.SKIP_CONNECT, cell.op(3)); // 3<-0
        assertEquals(Nb201Op.NOR_CONV_3X3, cell.op(4)); // 3<-1
        assertEquals(Nb201Op.NOR_CONV_1X1, cell.op(5)); // 3<-2
        assertEquals(
                cell,
                Nb201Cell.of(
                        Nb201Op.NOR_CONV_3X3,
                        Nb201Op.NOR_CONV_3X3,
                        Nb201Op.NOR_CONV_3X3,
                        Nb201Op.SKIP_CONNECT,
                        Nb201Op.NOR_CONV_3X3,
                        Nb201Op.NOR_CONV_1X1));
        assertEquals(BEST, SPACE.format(cell));
    }

    @Test
    void tokensRoundTripForEveryCellAndBadSequencesNameThePosition() {
        assertEquals(6, SPACE.length());
        assertEquals(5, SPACE.vocabulary());
        SPACE.enumerate().forEach(cell -> assertEquals(cell, SPACE.fromTokens(SPACE.tokens(cell))));
        assertArrayEquals(new int[] {3, 3, 3, 1, 3, 2}, SPACE.tokens(SPACE.parse(BEST)));
        ArchitectureFormatException e =
                assertThrows(ArchitectureFormatException.class, () -> SPACE.fromTokens(new int[] {0, 1, 2, 5, 0, 0}));
        assertTrue(e.getMessage().contains("position 3"), e.getMessage());
        e = assertThrows(ArchitectureFormatException.class, () -> SPACE.fromTokens(new int[] {0, 1}));
        assertTrue(e.getMessage().contains("6 tokens"), e.getMessage());
    }

    @Test
    void parseToleratesSurroundingWhitespace() {
        assertEquals(SPACE.parse(BEST), SPACE.parse("  " + BEST + "\n"));
    }

    @Test
    void protoRoundTripAndSpaceCheck() {
        Nb201Cell cell = SPACE.parse(BEST);
        Architecture proto = SPACE.toProto(cell);
        assertEquals("nb201", proto.getSpace());
        assertEquals(BEST, proto.getEncoding());
        assertEquals(cell, SPACE.fromProto(proto));
        Architecture foreign = proto.toBuilder().setSpace("nb101").build();
        ArchitectureFormatException e = assertThrows(ArchitectureFormatException.class, () -> SPACE.fromProto(foreign));
        assertTrue(e.getMessage().contains("nb101"), e.getMessage());
        assertEquals(SPACE, SearchSpaces.byId("nb201"));
        IllegalArgumentException unknown =
                assertThrows(IllegalArgumentException.class, () -> SearchSpaces.byId("nb101"));
        assertTrue(
                unknown.getMessage().contains("nb101") && unknown.getMessage().contains("nb201"), unknown.getMessage());
    }

    private static ArchitectureFormatException parseFails(String encoding) {
        return assertThrows(ArchitectureFormatException.class, () -> SPACE.parse(encoding));
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should mention '" + part + "'");
        }
    }

    @Test
    void unknownOpIsNamedWithItsPosition() {
        String bad = "|nor_conv_3x3~0|+|conv_5x5~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|";
        ArchitectureFormatException e = parseFails(bad);
        int at = bad.indexOf("conv_5x5~0"); // 18
        assertEquals(18, at);
        assertMentions(e, "unknown op 'conv_5x5'", "node 2", "(at character " + at + ")", "nor_conv_3x3", bad);
    }

    @Test
    void unknownOpOnLastEdgeIsLocated() {
        String bad = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|max_pool_3x3~2|";
        ArchitectureFormatException e = parseFails(bad);
        assertMentions(e, "unknown op 'max_pool_3x3'", "node 3", "(at character " + bad.indexOf("max_pool_3x3") + ")");
    }

    @Test
    void wrongInputIndexIsNamedWithItsPosition() {
        String bad = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|";
        ArchitectureFormatException e = parseFails(bad);
        int tilde = bad.indexOf("~0", bad.indexOf("~0", 20) + 1); // the second edge of node 2
        assertEquals(45, tilde);
        assertMentions(e, "node 2 edge 2 must come from node 1", "found '~0'", "(at character " + tilde + ")");
    }

    @Test
    void wrongInputIndexOnFirstEdge() {
        ArchitectureFormatException e = parseFails(
                "|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|");
        assertMentions(e, "node 1 edge 1 must come from node 0", "found '~1'", "(at character 13)");
    }

    @Test
    void nonNumericInputIndex() {
        ArchitectureFormatException e = parseFails(
                "|nor_conv_3x3~x|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|");
        assertMentions(e, "found '~x'");
    }

    @Test
    void missingTildeIsReported() {
        String bad = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect|nor_conv_3x3~1|nor_conv_1x1~2|";
        ArchitectureFormatException e = parseFails(bad);
        assertMentions(
                e,
                "node 3 edge 'skip_connect' is not of the form op~input",
                "(at character " + bad.indexOf("skip_connect") + ")");
    }

    @Test
    void tooFewNodeGroups() {
        ArchitectureFormatException e = parseFails("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|");
        assertMentions(e, "expected 3 node groups", "found 2");
    }

    @Test
    void tooManyNodeGroups() {
        ArchitectureFormatException e = parseFails(BEST + "+|none~0|none~1|none~2|none~3|");
        assertMentions(e, "expected 3 node groups", "found 4");
    }

    @Test
    void tooFewEdgesIntoANode() {
        String bad = "|nor_conv_3x3~0|+|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|";
        ArchitectureFormatException e = parseFails(bad);
        assertMentions(e, "node 2 needs 2 input edge(s), found 1", "(at character 17)");
    }

    @Test
    void tooManyEdgesIntoANode() {
        String bad =
                "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|none~3|";
        ArchitectureFormatException e = parseFails(bad);
        assertMentions(
                e, "node 3 needs 3 input edge(s), found 4", "(at character " + bad.indexOf("|skip_connect") + ")");
    }

    @Test
    void missingPipesAreReported() {
        ArchitectureFormatException leading = parseFails(
                "nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|");
        assertMentions(leading, "node 1 group 'nor_conv_3x3~0|' must start and end with '|'", "(at character 0)");
        String trailing =
                "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|";
        ArchitectureFormatException e = parseFails(trailing);
        assertMentions(
                e, "node 2 group '|nor_conv_3x3~0|nor_conv_3x3~1' must start and end with '|'", "(at character 17)");
        ArchitectureFormatException none =
                parseFails("nor_conv_3x3~0+nor_conv_3x3~0 nor_conv_3x3~1+skip_connect~0 nor_conv_3x3~1 nor_conv_1x1~2");
        assertMentions(none, "must start and end with '|'");
    }

    @ParameterizedTest
    @CsvSource(
            value = {"''", "'   '", "NULL"},
            nullValues = "NULL")
    void emptyOrBlankOrNullStringIsRejected(String encoding) {
        ArchitectureFormatException e = parseFails(encoding);
        assertMentions(e, "empty cell string", "(at character 0)");
    }

    @Test
    void samplingIsDeterministicForASeed() {
        List<Nb201Cell> first = new ArrayList<>();
        List<Nb201Cell> second = new ArrayList<>();
        Random a = new Random(42);
        Random b = new Random(42);
        for (int i = 0; i < 500; i++) {
            first.add(SPACE.sample(a));
            second.add(SPACE.sample(b));
        }
        assertEquals(first, second);
        List<Nb201Cell> other = new ArrayList<>();
        Random c = new Random(43);
        for (int i = 0; i < 500; i++) {
            other.add(SPACE.sample(c));
        }
        assertNotEquals(first, other);
    }

    @Test
    void samplingCoversTheSpace() {
        SplittableRandom random = new SplittableRandom(7);
        Set<Nb201Cell> seen = new HashSet<>();
        int[][] opCounts = new int[Nb201Cell.EDGES][Nb201Cell.OPS];
        int draws = 20_000;
        for (int i = 0; i < draws; i++) {
            Nb201Cell cell = SPACE.sample(random);
            seen.add(cell);
            for (int e = 0; e < Nb201Cell.EDGES; e++) {
                opCounts[e][cell.op(e).ordinal()]++;
            }
        }
        // 20,000 uniform draws over 15,625 cells hit about 15,625 * (1 - e^-1.28) = 11,300 distinct ones
        assertTrue(seen.size() > 10_500, "only " + seen.size() + " distinct cells");
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            for (int o = 0; o < Nb201Cell.OPS; o++) {
                assertTrue(
                        Math.abs(opCounts[e][o] - draws / 5) < 400, "edge " + e + " op " + o + ": " + opCounts[e][o]);
            }
        }
    }

    @Test
    void mutateChangesExactlyOneEdge() {
        Random random = new Random(1);
        int[] edgeHits = new int[Nb201Cell.EDGES];
        Set<Nb201Op> newOpsOnEdge0 = new HashSet<>();
        Nb201Cell start = SPACE.parse(BEST);
        for (int i = 0; i < 20_000; i++) {
            Nb201Cell cell = i % 2 == 0 ? start : SPACE.sample(random);
            Nb201Cell mutant = SPACE.mutate(cell, random);
            assertNotEquals(cell, mutant);
            int changed = 0;
            for (int e = 0; e < Nb201Cell.EDGES; e++) {
                if (cell.op(e) != mutant.op(e)) {
                    changed++;
                    edgeHits[e]++;
                    if (e == 0 && cell == start) {
                        newOpsOnEdge0.add(mutant.op(e));
                    }
                }
            }
            assertEquals(1, changed, cell + " -> " + mutant);
        }
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            assertTrue(edgeHits[e] > 2_800, "edge " + e + " mutated only " + edgeHits[e] + " times");
        }
        // from nor_conv_3x3 every other op is reachable, nor_conv_3x3 itself never
        assertEquals(
                Set.of(Nb201Op.NONE, Nb201Op.SKIP_CONNECT, Nb201Op.NOR_CONV_1X1, Nb201Op.AVG_POOL_3X3), newOpsOnEdge0);
    }

    @Test
    void mutateIsDeterministicForASeed() {
        Nb201Cell cell = SPACE.parse(BEST);
        Random a = new Random(5);
        Random b = new Random(5);
        for (int i = 0; i < 100; i++) {
            Nb201Cell x = SPACE.mutate(cell, a);
            assertEquals(x, SPACE.mutate(cell, b));
            cell = x;
        }
    }

    @Test
    void graphEncodingOfKnownCell() {
        GraphEncoding graph = SPACE.graph(SPACE.parse(BEST));
        assertEquals(8, graph.nodes());
        assertEquals(
                List.of("input", "output", "none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"),
                graph.labels());
        int[][] expected = new int[8][8];
        // input feeds the ops of the edges leaving node 0: edges 0 (1<-0), 1 (2<-0), 3 (3<-0)
        expected[0][1] = 1;
        expected[0][2] = 1;
        expected[0][4] = 1;
        // edge 0 ends in node 1, which edges 2 (2<-1) and 4 (3<-1) leave
        expected[1][3] = 1;
        expected[1][5] = 1;
        // edges 1 and 2 end in node 2, which edge 5 (3<-2) leaves
        expected[2][6] = 1;
        expected[3][6] = 1;
        // edges 3, 4, 5 end in node 3, the output
        expected[4][7] = 1;
        expected[5][7] = 1;
        expected[6][7] = 1;
        for (int i = 0; i < 8; i++) {
            assertArrayEquals(expected[i], graph.adjacency()[i], "adjacency row " + i);
        }
        double[][] features = graph.features();
        assertEquals(8, features.length);
        int[] hot = {0, 5, 5, 5, 3, 5, 4, 1}; // input, conv3x3 x3, skip, conv3x3, conv1x1, output
        for (int i = 0; i < 8; i++) {
            assertEquals(7, features[i].length);
            double[] row = new double[7];
            row[hot[i]] = 1;
            assertArrayEquals(row, features[i], "features of node " + i);
        }
    }

    @Test
    void graphEncodingIsUpperTriangularOneHotForEveryCell() {
        SPACE.enumerate().filter(c -> c.code() % 7 == 0).forEach(cell -> {
            GraphEncoding graph = SPACE.graph(cell);
            int ones = 0;
            for (int i = 0; i < graph.nodes(); i++) {
                double sum = 0;
                for (double f : graph.features()[i]) {
                    sum += f;
                }
                assertEquals(1.0, sum, 0.0);
                for (int j = 0; j < graph.nodes(); j++) {
                    if (graph.adjacency()[i][j] != 0) {
                        assertTrue(j > i, "edge " + i + "->" + j + " is not topologically ordered");
                        ones++;
                    }
                }
            }
            assertEquals(10, ones);
            for (int e = 0; e < Nb201Cell.EDGES; e++) {
                assertEquals(1.0, graph.features()[e + 1][2 + cell.op(e).ordinal()]);
            }
        });
    }

    @Test
    void cellCodeBoundsAndWithOp() {
        assertThrows(IllegalArgumentException.class, () -> new Nb201Cell(-1));
        assertThrows(IllegalArgumentException.class, () -> new Nb201Cell(15_625));
        assertThrows(IllegalArgumentException.class, () -> Nb201Cell.of(Nb201Op.NONE));
        Nb201Cell cell = SPACE.parse(BEST).withOp(5, Nb201Op.AVG_POOL_3X3);
        assertEquals(
                "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|",
                SPACE.format(cell));
    }
}
