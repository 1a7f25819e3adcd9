package io.archipelago.models.darts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.archipelago.core.darts.DartsCost;
import io.archipelago.core.darts.DartsSpace;
import io.archipelago.core.darts.PublishedGenotypes;
import io.archipelago.models.nn.Pass;
import io.archipelago.models.space.NetworkShape;
import io.archipelago.models.space.SpaceNetworks;
import io.archipelago.models.space.SpaceNetworksRegistry;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DartsNetworksTest {

    @Test
    void thePluginBuildsDartsNetworksAtItsShapes() {
        SpaceNetworks<?> found = SpaceNetworksRegistry.find("darts").orElseThrow();
        assertSame(DartsSpace.INSTANCE, found.space());
        DartsNetworks networks = (DartsNetworks) found;
        // N = 6 normal cells per stage: DARTS's 20 cells, reductions at 6 and 13
        assertEquals(DartsCost.CIFAR, DartsNetworks.size(networks.standard()));
        DartsNetwork v2 =
                (DartsNetwork) networks.factory(PublishedGenotypes.DARTS_V2).build(networks.standard(), 0);
        assertEquals(3_349_342L, v2.parameterCount());
        NetworkShape thin = networks.thin();
        INDArray logits = networks.factory(PublishedGenotypes.PC_DARTS)
                .build(thin, 1)
                .forward(
                        Nd4j.rand(DataType.FLOAT, 2, 3, thin.height(), thin.width())
                                .castTo(Nd4j.defaultFloatingPointType()),
                        Pass.inference(Pass.BatchNorm.RUNNING, 2));
        assertArrayEquals(new long[] {2, 10}, logits.shape());
        assertThrows(IllegalArgumentException.class, () -> DartsNetworks.size(new NetworkShape(4, 1, 1, 8, 8, 10)));
        assertThrows(IllegalArgumentException.class, () -> DartsNetworks.size(new NetworkShape(4, 1, 3, 8, 16, 10)));
        assertThrows(IllegalArgumentException.class, () -> DartsNetworks.size(new NetworkShape(4, 1, 3, 6, 6, 10)));
    }
}
