package io.archipelago.core.mnasnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.space.GraphEncoding;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MnasGraphTest {
    private static final MnasNetSpace SPACE = MnasNetSpace.INSTANCE;

    @Test
    void mnasNetA1IsAChainOfItsSixteenLayersWithNineBypasses() {
        GraphEncoding graph = SPACE.graph(MnasArch.MNASNET_A1);
        assertEquals(18, graph.nodes());
        assertEquals(18, graph.labels().size());
        assertEquals("input", graph.labels().get(0));
        assertEquals("output", graph.labels().get(1));
        int edges =
                Arrays.stream(graph.adjacency()).flatMapToInt(Arrays::stream).sum();
        assertEquals(17 + 9, edges);
        assertEquals(1.0, graph.features()[1][graph.labels().indexOf("sep-k3")]);
        assertEquals(1.0, graph.features()[4][graph.labels().indexOf("mb3-k5-se")]);
        // block 2's second layer (node 3) has a residual: node 2 feeds node 4 too
        assertEquals(1, graph.adjacency()[2][4]);
        assertEquals(0, graph.adjacency()[1][3]);
    }

    @Test
    void graphsAreTopologicallyOrderedOneHotChainsAndEquivalentArchitecturesShareThem() {
        SplittableRandom random = new SplittableRandom(9);
        for (int i = 0; i < 1000; i++) {
            MnasArch arch = SPACE.sample(random);
            GraphEncoding graph = SPACE.graph(arch);
            int layers = arch.blocks().stream().mapToInt(MnasBlock::layers).sum();
            assertEquals(layers + 2, graph.nodes());
            for (int from = 0; from < graph.nodes(); from++) {
                assertEquals(1.0, Arrays.stream(graph.features()[from]).sum());
                for (int to = 0; to <= from; to++) {
                    assertEquals(0, graph.adjacency()[from][to]);
                }
                if (from + 1 < graph.nodes()) {
                    assertEquals(1, graph.adjacency()[from][from + 1]);
                }
            }
            GraphEncoding canonical = SPACE.graph(SPACE.parse(SPACE.canonicalKey(arch)));
            assertTrue(Arrays.deepEquals(graph.adjacency(), canonical.adjacency()));
            assertTrue(Arrays.deepEquals(graph.features(), canonical.features()));
        }
    }
}
