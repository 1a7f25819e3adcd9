package io.archipelago.models.darts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.archipelago.models.nn.Parameter;
import io.archipelago.models.nn.Pass;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FactorizedReduceTest {

    /**
     * With both 1x1 convs reading channel 0 only, output channel 0 is the ReLU of the even pixels
     * (2i, 2j) and channel 1 that of the odd ones (2i+1, 2j+1): the two halves see disjoint pixels.
     */
    @Test
    void theTwoHalvesSampleTheEvenAndTheShiftedPixels() {
        FactorizedReduce reduce = new FactorizedReduce("fr", 2, 2, 0);
        List<Parameter> parameters = new ArrayList<>();
        reduce.collectParameters(parameters);
        assertEquals(
                List.of("fr.conv_1", "fr.conv_2", "fr.bn.gamma", "fr.bn.beta"),
                parameters.stream().map(Parameter::name).toList());
        for (Parameter conv : parameters.subList(0, 2)) {
            assertArrayEquals(new long[] {1, 2, 1, 1}, conv.value().shape());
            conv.value()
                    .assign(Nd4j.create(new double[] {1, 0}, new long[] {1, 2, 1, 1})
                            .castTo(conv.value().dataType()));
        }
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 2, 6, 6).castTo(Nd4j.defaultFloatingPointType());
        INDArray y = reduce.forward(x, Pass.inference(Pass.BatchNorm.RUNNING, 2));
        assertArrayEquals(new long[] {2, 2, 3, 3}, y.shape());
        double bn = 1 / Math.sqrt(1 + 1e-5);
        for (int n = 0; n < 2; n++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(Math.max(0, x.getDouble(n, 0, 2 * i, 2 * j)) * bn, y.getDouble(n, 0, i, j), 1e-5);
                    assertEquals(
                            Math.max(0, x.getDouble(n, 0, 2 * i + 1, 2 * j + 1)) * bn, y.getDouble(n, 1, i, j), 1e-5);
                }
            }
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> reduce.forward(Nd4j.rand(DataType.FLOAT, 1, 2, 5, 5), Pass.inference(Pass.BatchNorm.RUNNING, 1)));
        assertThrows(IllegalArgumentException.class, () -> new FactorizedReduce("odd", 2, 3, 0));
    }
}
