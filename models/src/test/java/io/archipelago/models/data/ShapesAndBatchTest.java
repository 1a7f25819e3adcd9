package io.archipelago.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class ShapesAndBatchTest {
    @Test
    void inputShapeIsValidated() {
        assertEquals(new InputShape(3, 32, 32), InputShape.DEFAULT);
        assertEquals(3072, InputShape.DEFAULT.pixels());
        assertArrayEquals(new long[] {5, 3, 32, 32}, InputShape.DEFAULT.batchShape(5));
        assertThrows(IllegalArgumentException.class, () -> new InputShape(0, 32, 32));
        assertThrows(IllegalArgumentException.class, () -> new InputShape(3, -1, 32));
        assertThrows(IllegalArgumentException.class, () -> new InputShape(3, 32, 0));
    }

    @Test
    void batchCopiesItsLabelsAndChecksItsImages() {
        int[] labels = {1, 2};
        Batch b = new Batch(Nd4j.zeros(DataType.FLOAT, 2, 1, 4, 4), labels);
        labels[0] = 9;
        assertEquals(1, b.label(0));
        b.labels()[1] = 9;
        assertArrayEquals(new int[] {1, 2}, b.labels());
        assertEquals(2, b.size());
        assertEquals(new InputShape(1, 4, 4), b.shape());
        assertThrows(
                IllegalArgumentException.class, () -> new Batch(Nd4j.zeros(DataType.FLOAT, 3, 1, 4, 4), new int[2]));
        assertThrows(IllegalArgumentException.class, () -> new Batch(Nd4j.zeros(DataType.FLOAT, 2, 16), new int[2]));
        assertThrows(
                IllegalArgumentException.class, () -> new Batch(Nd4j.zeros(DataType.DOUBLE, 2, 1, 4, 4), new int[2]));
    }
}
