package io.archipelago.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class GaussianNoiseTest {
    @Test
    void imagesDependOnlyOnSeedAndIndex() {
        GaussianNoise g = new GaussianNoise(10, Integer.MAX_VALUE, 5);
        Batch a = g.batch(new int[] {3, 1_000_000, 7}, InputShape.DEFAULT);
        Batch b = new GaussianNoise(10, Integer.MAX_VALUE, 5).batch(new int[] {7, 3}, InputShape.DEFAULT);
        assertEquals(DataType.FLOAT, a.images().dataType());
        assertArrayEquals(new long[] {3, 3, 32, 32}, a.images().shape());
        assertEquals(a.images().slice(0), b.images().slice(1));
        assertEquals(a.images().slice(2), b.images().slice(0));
        assertEquals(a.label(0), b.label(1));
        assertEquals(a.label(2), b.label(0));
        assertNotEquals(a.images().slice(0), a.images().slice(2));
        Batch other = new GaussianNoise(10, Integer.MAX_VALUE, 6).batch(new int[] {3}, InputShape.DEFAULT);
        assertNotEquals(a.images().slice(0), other.images().slice(0));
        // a sample is reproducible too
        assertEquals(
                g.sample(4, 9, InputShape.DEFAULT).images(),
                g.sample(4, 9, InputShape.DEFAULT).images());
        assertNotEquals(
                g.sample(4, 9, InputShape.DEFAULT).images(),
                g.sample(4, 10, InputShape.DEFAULT).images());
    }

    @Test
    void standardNormalValuesAndUniformLabels() {
        GaussianNoise g = new GaussianNoise();
        assertEquals(Integer.MAX_VALUE, g.size());
        assertEquals(10, g.classes());
        assertEquals("gaussian", g.name());
        Batch b = g.sample(2000, 1, new InputShape(3, 8, 8));
        INDArray x = b.images();
        long n = x.length();
        double mean = x.sumNumber().doubleValue() / n;
        double var = x.mul(x).sumNumber().doubleValue() / n - mean * mean;
        assertEquals(0.0, mean, 0.02);
        assertEquals(1.0, var, 0.02);
        int[] counts = new int[10];
        for (int label : b.labels()) {
            counts[label]++;
        }
        for (int c = 0; c < 10; c++) {
            assertTrue(counts[c] > 130 && counts[c] < 270, "class " + c + " drawn " + counts[c] + " times of 2000");
        }
    }

    @Test
    void configuredSizeAndClasses() {
        GaussianNoise g = new GaussianNoise(3, 100, 0);
        assertEquals(100, g.size());
        assertTrue(java.util.stream.IntStream.of(
                        g.sample(100, 2, new InputShape(1, 2, 2)).labels())
                .allMatch(l -> l >= 0 && l < 3));
        assertThrows(IndexOutOfBoundsException.class, () -> g.batch(new int[] {100}, InputShape.DEFAULT));
        assertThrows(IllegalArgumentException.class, () -> g.sample(101, 2, InputShape.DEFAULT));
        assertThrows(IllegalArgumentException.class, () -> new GaussianNoise(0, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> new GaussianNoise(10, 0, 0));
    }
}
