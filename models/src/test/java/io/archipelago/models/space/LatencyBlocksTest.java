package io.archipelago.models.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.models.nn.Layer;
import io.archipelago.models.nn.Parameter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The block decompositions of the spaces with latency tables: a sampled network's blocks are all
 * in the table's set of blocks, blocks of one key are the same computation (equal parameters),
 * and the blocks together hold exactly the network's parameters (nothing left out, nothing twice).
 */
class LatencyBlocksTest {

    @ParameterizedTest
    @CsvSource({"darts, 4, 1, 8", "darts, 6, 2, 16", "mnasnet, 8, 1, 32", "mnasnet, 16, 1, 24"})
    void sampledNetworksAreCutIntoKnownBlocksThatHoldAllTheirParameters(
            String space, int channels, int cells, int side) {
        checkSpace(SpaceNetworksRegistry.require(space, "test"), new NetworkShape(channels, cells, 3, side, side, 5));
    }

    private static <A> void checkSpace(SpaceNetworks<A> networks, NetworkShape shape) {
        LatencyBlocks<A> cut = networks.latencyBlocks().orElseThrow();
        Map<String, Long> parametersByKey = new HashMap<>();
        for (TimedBlock block : cut.everyBlock(shape)) {
            assertFalse(parametersByKey.containsKey(block.key()), "everyBlock repeats " + block.key());
            parametersByKey.put(block.key(), parameters(block.layer().build(1)));
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 5; i++) {
            A architecture = networks.space().sample(random);
            List<TimedBlock> blocks = cut.blocks(architecture, shape);
            long sum = 0;
            for (TimedBlock block : blocks) {
                assertTrue(parametersByKey.containsKey(block.key()), "not in everyBlock: " + block.key());
                long own = parameters(block.layer().build(3));
                assertEquals(parametersByKey.get(block.key()), own, "two computations under key " + block.key());
                sum += own;
            }
            assertEquals(parameters(networks.network(architecture, shape, 0)), sum, "blocks of " + architecture);
        }
    }

    private static long parameters(Layer layer) {
        List<Parameter> all = new ArrayList<>();
        layer.collectParameters(all);
        return all.stream().mapToLong(Parameter::size).sum();
    }
}
