package io.archipelago.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class SamplingTest {
    /** A data set whose label of image i is i, so the labels of a batch are its indices. */
    private static final class IndexEcho implements ImageDataset {
        private final int size;

        IndexEcho(int size) {
            this.size = size;
        }

        @Override
        public String name() {
            return "echo";
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public int classes() {
            return size;
        }

        @Override
        public Batch batch(int[] indices, InputShape shape) {
            for (int i : indices) {
                java.util.Objects.checkIndex(i, size);
            }
            return new Batch(
                    Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, shape.batchShape(indices.length)), indices);
        }
    }

    private static Set<Integer> set(int[] a) {
        Set<Integer> s = new HashSet<>();
        for (int v : a) {
            s.add(v);
        }
        return s;
    }

    @Test
    void sampleIsDistinctAndDeterministicPerSeed() {
        for (int size : new int[] {10, 100, 10_000, Integer.MAX_VALUE}) {
            ImageDataset d = new IndexEcho(size);
            int n = Math.min(size, 32);
            int[] a = d.sample(n, 7, new InputShape(1, 1, 1)).labels();
            int[] b = d.sample(n, 7, new InputShape(1, 1, 1)).labels();
            int[] c = d.sample(n, 8, new InputShape(1, 1, 1)).labels();
            assertArrayEquals(a, b, "same seed, same sample (size " + size + ")");
            assertEquals(n, set(a).size(), "distinct");
            assertTrue(IntStream.of(a).allMatch(i -> i >= 0 && i < size));
            if (size > n) {
                assertFalse(Arrays.equals(a, c), "another seed, another sample");
            } else {
                assertEquals(set(a), set(c), "all of a small set");
            }
        }
    }

    @Test
    void sampleOfEverythingIsAPermutation() {
        int[] all = ImageDataset.distinctIndices(50, 50, 3);
        int[] sorted = all.clone();
        Arrays.sort(sorted);
        assertArrayEquals(IntStream.range(0, 50).toArray(), sorted);
        assertFalse(Arrays.equals(sorted, all), "shuffled");
        assertEquals(0, ImageDataset.distinctIndices(0, 5, 1).length);
    }

    @Test
    void disjointBatchesShareNoImage() {
        for (int size : new int[] {64, 10_000}) {
            ImageDataset d = new IndexEcho(size);
            List<Batch> batches = d.disjointBatches(2, 32, 11, InputShape.DEFAULT);
            assertEquals(2, batches.size());
            Set<Integer> train = set(batches.get(0).labels());
            Set<Integer> held = set(batches.get(1).labels());
            assertEquals(32, train.size());
            assertEquals(32, held.size());
            assertTrue(train.stream().noneMatch(held::contains), "no image in both");
            List<Batch> again = d.disjointBatches(2, 32, 11, InputShape.DEFAULT);
            assertArrayEquals(batches.get(0).labels(), again.get(0).labels());
            assertArrayEquals(batches.get(1).labels(), again.get(1).labels());
            assertArrayEquals(
                    new long[] {32, 3, 32, 32}, batches.get(1).images().shape());
        }
        assertThrows(
                IllegalArgumentException.class, () -> new IndexEcho(63).disjointBatches(2, 32, 1, InputShape.DEFAULT));
    }

    @Test
    void tooLargeOrNegativeSamplesAreRefused() {
        ImageDataset d = new IndexEcho(10);
        assertThrows(IllegalArgumentException.class, () -> d.sample(11, 1, InputShape.DEFAULT));
        assertThrows(IllegalArgumentException.class, () -> d.sample(-1, 1, InputShape.DEFAULT));
        assertThrows(IllegalArgumentException.class, () -> d.disjointBatches(-1, 2, 1, InputShape.DEFAULT));
    }

    @Test
    void realSampleIsDeterministicAndBatchesAreDisjoint() {
        FashionMnist f = FashionMnist.open(TestData.sampleDir());
        Batch a = f.sample(16, 42, InputShape.DEFAULT);
        Batch b = f.sample(16, 42, InputShape.DEFAULT);
        Batch c = f.sample(16, 43, InputShape.DEFAULT);
        assertEquals(a.images(), b.images());
        assertArrayEquals(a.labels(), b.labels());
        assertNotEquals(a.images(), c.images());
        List<Batch> two = f.disjointBatches(2, 32, 5, InputShape.DEFAULT);
        // 2×32 out of 64: together they are the whole sample, each image once
        float[][] first = two.get(0).images().reshape(32, 3 * 32 * 32).toFloatMatrix();
        float[][] second = two.get(1).images().reshape(32, 3 * 32 * 32).toFloatMatrix();
        for (int i = 0; i < 32; i++) {
            for (int j = 0; j < 32; j++) {
                assertFalse(
                        Arrays.equals(first[i], second[j]),
                        "image " + i + " of the first batch is image " + j + " of the second");
            }
        }
        int[] labels = IntStream.concat(
                        IntStream.of(two.get(0).labels()),
                        IntStream.of(two.get(1).labels()))
                .sorted()
                .toArray();
        int[] expected = IntStream.range(0, 64).map(f::label).sorted().toArray();
        assertArrayEquals(expected, labels);
    }
}
