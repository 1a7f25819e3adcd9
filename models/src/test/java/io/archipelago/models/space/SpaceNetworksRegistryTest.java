package io.archipelago.models.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.space.SearchSpaces;
import io.archipelago.models.nb201.Nb201Network;
import io.archipelago.models.nn.Pass;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SpaceNetworksRegistryTest {
    private static final String CELL =
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";

    @Test
    void everyPluginServesAKnownSpaceAndNb201IsAmongThem() {
        List<String> spaces = SpaceNetworksRegistry.spaces();
        assertTrue(spaces.containsAll(List.of("nb201", "nb201-mixed")), spaces.toString());
        for (String id : spaces) {
            assertEquals(id, SearchSpaces.byId(id).id());
            SpaceNetworks<?> networks = SpaceNetworksRegistry.find(id).orElseThrow();
            assertTrue(!networks.shapeMeaning().isBlank(), id);
        }
    }

    @Test
    void theFactoryBuildsTheSpacesOwnNetworkWithTheSameWeights() {
        NetworkShape shape = new NetworkShape(2, 1, 3, 8, 8, 10);
        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 8, 8);
        INDArray viaPlugin = SpaceNetworksRegistry.require("nb201", "this test")
                .factory(CELL)
                .build(shape, 5)
                .forward(images, Pass.inference(Pass.BatchNorm.BATCH, 2));
        INDArray direct = Nb201Network.of(Nb201Space.INSTANCE.parse(CELL), shape, 5)
                .forward(images, Pass.inference(Pass.BatchNorm.BATCH, 2));
        assertEquals(direct, viaPlugin);
    }

    @Test
    void aSpaceWithoutNetworksIsNamedWithThoseThatHaveThem() {
        var e = assertThrows(IllegalArgumentException.class, () -> SpaceNetworksRegistry.require("nbgraph", "teg"));
        assertTrue(e.getMessage().contains("space 'nbgraph' has none"), e.getMessage());
        assertTrue(e.getMessage().contains("nb201"), e.getMessage());
    }
}
