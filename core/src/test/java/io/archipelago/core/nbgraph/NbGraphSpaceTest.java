package io.archipelago.core.nbgraph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.space.ArchitectureFormatException;
import io.archipelago.core.space.GraphEncoding;
import io.archipelago.core.space.SearchSpaces;
import io.archipelago.proto.Architecture;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NbGraphSpaceTest {
    private static final NbGraphSpace SPACE = NbGraphSpace.INSTANCE;
    private static final String EXAMPLE = "gcn~0|gin~1|cheb~1|fc~2";

    @Test
    void parsesTheReadmeExampleNodeByNode() {
        GraphArch arch = SPACE.parse(EXAMPLE);
        assertEquals(GraphOp.GCN, arch.op(1));
        assertEquals(0, arch.input(1));
        assertEquals(GraphOp.GIN, arch.op(2));
        assertEquals(1, arch.input(2));
        assertEquals(GraphOp.CHEB, arch.op(3));
        assertEquals(1, arch.input(3));
        assertEquals(GraphOp.FC, arch.op(4));
        assertEquals(2, arch.input(4));
        assertEquals(arch, GraphArch.of(new GraphOp[] {GraphOp.GCN, GraphOp.GIN, GraphOp.CHEB, GraphOp.FC}, new int[] {
            0, 1, 1, 2
        }));
        assertEquals(EXAMPLE, SPACE.format(arch));
        assertEquals(EXAMPLE, arch.toString());
        assertEquals(EXAMPLE, SPACE.format(SPACE.parse("  " + EXAMPLE + "\n")));
        assertEquals("nbgraph", SPACE.id());
    }

    @Test
    void enumeratesEveryNonEmptyEncodingOnceAndFormatRoundTrips() {
        assertEquals(157_440L, SPACE.size());
        Set<String> encodings = new HashSet<>();
        long[] count = {0};
        SPACE.enumerate().forEach(arch -> {
            String encoding = SPACE.format(arch);
            assertTrue(encoding.matches("^[a-z]+~0\\|[a-z]+~[01]\\|[a-z]+~[0-2]\\|[a-z]+~[0-3]$"), encoding);
            assertFalse(encoding.matches("^(skip~\\d\\|?){4}$"), encoding);
            assertEquals(arch, SPACE.parse(encoding), encoding);
            assertTrue(encodings.add(encoding), "two architectures format as " + encoding);
            count[0]++;
        });
        assertEquals(157_440L, count[0]);
        assertEquals(
                List.of("gat~0|gat~0|gat~0|gat~0", "gat~0|gat~0|gat~0|gat~1"),
                SPACE.enumerate().limit(2).map(SPACE::format).toList());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = ';',
            value = {
                "'';empty architecture string",
                "gcn~0|gin~1|cheb~1;expected 4 nodes separated by '|', found 3",
                "gcn~0|gin~1|cheb~1|fc~2|gat~3;expected 4 nodes separated by '|', found 5",
                "gcn~0|gin1|cheb~1|fc~2;node 2 'gin1' is not of the form op~input",
                "gcn~0|gin~1|conv~1|fc~2;node 3: unknown op 'conv' (known: gat, gcn, gin, cheb, sage, arma, graph, fc, skip)",
                "gcn~0|gin~1|cheb~3|fc~2;node 3: input '3' must be one digit 0..2",
                "gcn~1|gin~1|cheb~1|fc~2;node 1: input '1' must be one digit 0..0",
                "gcn~0|gin~1|cheb~1|fc~;node 4: input '' must be one digit 0..3",
                "gcn~0|gin~01|cheb~1|fc~2;node 2: input '01' must be one digit 0..1",
                "GCN~0|gin~1|cheb~1|fc~2;node 1: unknown op 'GCN'",
            })
    void parseErrorsNameTheNodeAndToken(String encoding, String message) {
        ArchitectureFormatException e = assertThrows(ArchitectureFormatException.class, () -> SPACE.parse(encoding));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertTrue(e.getMessage().contains("NAS-Bench-Graph"), e.getMessage());
    }

    @Test
    void parseErrorsGiveTheCharacterWhereTheProblemIs() {
        ArchitectureFormatException e =
                assertThrows(ArchitectureFormatException.class, () -> SPACE.parse("gcn~0|gin~1|cheb~7|fc~2"));
        assertTrue(e.getMessage().contains("at character 17"), e.getMessage());
    }

    @Test
    void allSkipEncodingsAreNoNetwork() {
        int refused = 0;
        for (int in2 = 0; in2 < 2; in2++) {
            for (int in3 = 0; in3 < 3; in3++) {
                for (int in4 = 0; in4 < 4; in4++) {
                    String encoding = "skip~0|skip~" + in2 + "|skip~" + in3 + "|skip~" + in4;
                    ArchitectureFormatException e =
                            assertThrows(ArchitectureFormatException.class, () -> SPACE.parse(encoding));
                    assertTrue(e.getMessage().contains("computes no network"), e.getMessage());
                    assertTrue(e.getMessage().contains(encoding), e.getMessage());
                    refused++;
                }
            }
        }
        assertEquals(24, refused);
        assertThrows(
                IllegalArgumentException.class,
                () -> SPACE.parse("skip~0|skip~1|skip~2|gcn~3").withOp(4, GraphOp.SKIP));
        ArchitectureFormatException e = assertThrows(
                ArchitectureFormatException.class, () -> SPACE.fromTokens(new int[] {8, 0, 8, 1, 8, 0, 8, 3}));
        assertTrue(e.getMessage().contains("no network"), e.getMessage());
        assertEquals(
                157_440L,
                SPACE.enumerate().filter(a -> SPACE.format(a).contains("skip")).count()
                        + SPACE.enumerate()
                                .filter(a -> !SPACE.format(a).contains("skip"))
                                .count());
    }

    @Test
    void sampleIsUniformOverNonEmptyEncodingsAndCoversEveryChoice() {
        SplittableRandom random = new SplittableRandom(7);
        int draws = 200_000;
        int[] opCounts = new int[GraphArch.OPS];
        int[] input4Counts = new int[4];
        int allButOneSkip = 0;
        for (int i = 0; i < draws; i++) {
            GraphArch arch = SPACE.sample(random);
            assertFalse(GraphArch.allSkip(arch.code()));
            opCounts[arch.op(3).ordinal()]++;
            input4Counts[arch.input(4)]++;
            int skips = 0;
            for (int node = 1; node <= 4; node++) {
                skips += arch.op(node) == GraphOp.SKIP ? 1 : 0;
            }
            allButOneSkip += skips == 3 ? 1 : 0;
        }
        for (int count : opCounts) {
            assertEquals(draws / 9.0, count, 5 * Math.sqrt(draws / 9.0), Arrays.toString(opCounts));
        }
        for (int count : input4Counts) {
            assertEquals(draws / 4.0, count, 5 * Math.sqrt(draws / 4.0), Arrays.toString(input4Counts));
        }
        // 24 x 4 x 8 encodings have exactly three skips
        double expected = draws * (24.0 * 4 * 8) / 157_440;
        assertEquals(expected, allButOneSkip, 5 * Math.sqrt(expected));
        assertEquals(SPACE.sample(new SplittableRandom(3)), SPACE.sample(new SplittableRandom(3)));
    }

    @Test
    void mutateChangesExactlyOneTokenAndNeverGivesAnAllSkipEncoding() {
        SplittableRandom random = new SplittableRandom(11);
        GraphArch lonely = SPACE.parse("skip~0|skip~1|gcn~1|skip~2");
        Set<GraphArch> lonelyNeighbours = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            GraphArch arch = i % 4 == 0 ? lonely : SPACE.sample(random);
            GraphArch next = SPACE.mutate(arch, random);
            assertNotEquals(arch, next);
            assertFalse(GraphArch.allSkip(next.code()));
            int[] before = arch.tokens();
            int[] after = next.tokens();
            int changed = 0;
            for (int p = 0; p < before.length; p++) {
                changed += before[p] != after[p] ? 1 : 0;
            }
            assertEquals(1, changed, SPACE.format(arch) + " -> " + SPACE.format(next));
            if (arch.equals(lonely)) {
                lonelyNeighbours.add(next);
            }
        }
        // 4 x 8 other ops + 0 + 1 + 2 + 3 other inputs, less the one all-skip neighbour
        assertEquals(37, lonelyNeighbours.size());
        assertEquals(38, NbGraphSpace.neighbours(SPACE.parse(EXAMPLE).code()).size());
    }

    @Test
    void tokensRoundTripAndChoicesFollowTheInputs() {
        assertEquals(8, SPACE.length());
        assertEquals(9, SPACE.vocabulary());
        assertArrayEquals(
                new int[] {9, 1, 9, 2, 9, 3, 9, 4},
                java.util.stream.IntStream.range(0, 8).map(SPACE::choices).toArray());
        assertArrayEquals(new int[] {1, 0, 2, 1, 3, 1, 7, 2}, SPACE.tokens(SPACE.parse(EXAMPLE)));
        SPACE.enumerate().forEach(arch -> assertEquals(arch, SPACE.fromTokens(SPACE.tokens(arch))));
        ArchitectureFormatException e = assertThrows(
                ArchitectureFormatException.class, () -> SPACE.fromTokens(new int[] {1, 0, 2, 1, 3, 3, 7, 2}));
        assertTrue(e.getMessage().contains("position 5"), e.getMessage());
        assertTrue(e.getMessage().contains("input of node 3"), e.getMessage());
        e = assertThrows(ArchitectureFormatException.class, () -> SPACE.fromTokens(new int[] {1, 0, 9, 1, 3, 1, 7, 2}));
        assertTrue(e.getMessage().contains("position 2"), e.getMessage());
        e = assertThrows(ArchitectureFormatException.class, () -> SPACE.fromTokens(new int[] {1, 1, 2, 1, 3, 1, 7, 2}));
        assertTrue(e.getMessage().contains("position 1"), e.getMessage());
        e = assertThrows(ArchitectureFormatException.class, () -> SPACE.fromTokens(new int[] {1, 0}));
        assertTrue(e.getMessage().contains("8 tokens"), e.getMessage());
    }

    @Test
    void canonicalKeysFollowTheReadmeReduction() {
        assertEquals(
                SPACE.canonicalKey(SPACE.parse("gcn~0|cheb~1|gin~1|fc~3")),
                SPACE.canonicalKey(SPACE.parse("gcn~0|gin~1|cheb~1|fc~2")));
        assertEquals("gcn(cheb,gin(fc))", SPACE.canonicalKey(SPACE.parse(EXAMPLE)));
        assertEquals(
                SPACE.canonicalKey(SPACE.parse("skip~0|gcn~1|gcn~2|skip~3")),
                SPACE.canonicalKey(SPACE.parse("skip~0|skip~1|gcn~2|gcn~3")));
        assertEquals("gcn(gcn)", SPACE.canonicalKey(SPACE.parse("skip~0|gcn~1|gcn~2|skip~3")));
        // a leaf skip beside another reader of its input stays: that input is an output too
        assertEquals("gcn(gin,skip)", SPACE.canonicalKey(SPACE.parse("gcn~0|gin~1|skip~1|skip~3")));
        assertNotEquals(
                SPACE.canonicalKey(SPACE.parse("gcn~0|gin~1|skip~1|gat~0")),
                SPACE.canonicalKey(SPACE.parse("gcn~0|gin~1|gat~0|fc~0")));
        // a skip reading the input features is dropped
        assertEquals("gcn", SPACE.canonicalKey(SPACE.parse("gcn~0|skip~0|skip~0|skip~0")));
        assertEquals(1, SPACE.effectiveNodes(SPACE.parse("gcn~0|skip~0|skip~0|skip~0")));
        assertEquals(4, SPACE.effectiveNodes(SPACE.parse(EXAMPLE)));
        assertEquals(26_206, SPACE.distinctNetworks());
    }

    @Test
    void equivalentEncodingsShareTheirRepresentativeAndGraph() {
        GraphArch a = SPACE.parse("gcn~0|cheb~1|gin~1|fc~3");
        GraphArch b = SPACE.parse(EXAMPLE);
        assertEquals(SPACE.representative(a), SPACE.representative(b));
        assertEquals(b, SPACE.representative(a));
        assertEquals(b, SPACE.representative(b));
        assertEquals(
                SPACE.parse("skip~0|skip~1|gcn~2|gcn~3"),
                SPACE.representative(SPACE.parse("skip~0|gcn~1|gcn~2|skip~3")));
        assertEquals(
                SPACE.parse("skip~0|skip~1|skip~2|gin~3"),
                SPACE.representative(SPACE.parse("gin~0|skip~1|skip~0|skip~3")));
        assertEquals(SPACE.canonicalKey(a), SPACE.canonicalKey(SPACE.representative(a)));
        GraphEncoding ga = SPACE.graph(a);
        GraphEncoding gb = SPACE.graph(b);
        assertTrue(Arrays.deepEquals(ga.adjacency(), gb.adjacency()));
        assertTrue(Arrays.deepEquals(ga.features(), gb.features()));
    }

    @Test
    void graphIsATopologicallyOrderedDagFromInputToOutput() {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 2_000; i++) {
            GraphArch arch = SPACE.sample(random);
            GraphEncoding graph = SPACE.graph(arch);
            assertEquals(6, graph.nodes());
            assertEquals(11, graph.labels().size());
            assertEquals("input", graph.labels().get(0));
            assertEquals("output", graph.labels().get(1));
            int[][] adj = graph.adjacency();
            GraphArch shown = SPACE.representative(arch);
            for (int from = 0; from < 6; from++) {
                assertEquals(1.0, Arrays.stream(graph.features()[from]).sum());
                for (int to = 0; to <= from; to++) {
                    assertEquals(0, adj[from][to], "not topologically ordered: " + from + "->" + to);
                }
            }
            assertEquals(1.0, graph.features()[0][0]);
            assertEquals(1.0, graph.features()[5][1]);
            for (int node = 1; node <= 4; node++) {
                assertEquals(1.0, graph.features()[node][2 + shown.op(node).ordinal()]);
                int inEdges = 0;
                for (int from = 0; from < 6; from++) {
                    inEdges += adj[from][node];
                }
                assertEquals(1, inEdges);
                assertEquals(1, adj[shown.input(node)][node]);
                boolean read = false;
                for (int to = 1; to <= 4; to++) {
                    read |= adj[node][to] == 1;
                }
                assertEquals(read ? 0 : 1, adj[node][5], "output is fed by exactly the leaves");
            }
        }
        Map<String, Integer> labels = new HashMap<>();
        List<String> names = SPACE.graph(SPACE.parse(EXAMPLE)).labels();
        for (int i = 0; i < names.size(); i++) {
            labels.put(names.get(i), i);
        }
        assertEquals(
                Set.of("input", "output", "gat", "gcn", "gin", "cheb", "sage", "arma", "graph", "fc", "skip"),
                labels.keySet());
    }

    @Test
    void protoRoundTripAndServiceLoaderFindsEverySpace() {
        GraphArch arch = SPACE.parse(EXAMPLE);
        Architecture proto = SPACE.toProto(arch);
        assertEquals("nbgraph", proto.getSpace());
        assertEquals(EXAMPLE, proto.getEncoding());
        assertEquals(arch, SPACE.fromProto(proto));
        assertThrows(
                ArchitectureFormatException.class,
                () -> SPACE.fromProto(proto.toBuilder().setSpace("nb201").build()));
        assertSame(SPACE, SearchSpaces.byId("nbgraph"));
        assertSame(io.archipelago.core.nb201.Nb201Space.INSTANCE, SearchSpaces.byId("nb201"));
        assertSame(io.archipelago.core.nb201.Nb201MixedSpace.INSTANCE, SearchSpaces.byId("nb201-mixed"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> SearchSpaces.byId("no-such-space"));
        assertTrue(e.getMessage().contains("'no-such-space'"), e.getMessage());
        assertTrue(e.getMessage().contains("nb201, nb201-mixed, nbgraph"), e.getMessage());
    }
}
