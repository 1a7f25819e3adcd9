package io.archipelago.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class Cifar10BinaryTest {
    private static final double[] MEAN = {0.4914, 0.4822, 0.4465};
    private static final double[] STD = {0.2470, 0.2435, 0.2616};

    @TempDir
    Path dir;

    /** The byte of record r, channel c, row y, column x in the files written here. */
    private static int pixel(int r, int c, int y, int x) {
        return (r * 37 + c * 50 + y * 3 + x * 7) & 0xFF;
    }

    private static double normalised(int r, int c, int y, int x) {
        return (pixel(r, c, y, x) / 255.0 - MEAN[c]) / STD[c];
    }

    /** Records first..first+n-1, label of record r = (3r + 1) mod 10. */
    private static byte[] records(int first, int n) {
        byte[] data = new byte[n * 3073];
        for (int k = 0; k < n; k++) {
            int r = first + k;
            int base = k * 3073;
            data[base] = (byte) ((3 * r + 1) % 10);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        data[base + 1 + c * 1024 + y * 32 + x] = (byte) pixel(r, c, y, x);
                    }
                }
            }
        }
        return data;
    }

    @Test
    void readsRecordsWithPerChannelNormalisation() throws IOException {
        Path file = TestData.write(dir, "test_batch.bin", records(0, 5));
        Cifar10Binary cifar = Cifar10Binary.open(file);
        assertEquals(5, cifar.size());
        assertEquals(10, cifar.classes());
        assertEquals("cifar10", cifar.name());
        assertEquals(List.of(file), cifar.files());
        Batch b = cifar.batch(new int[] {4, 0, 2}, InputShape.DEFAULT);
        assertArrayEquals(new int[] {3, 1, 7}, b.labels());
        INDArray x = b.images();
        assertEquals(DataType.FLOAT, x.dataType());
        assertArrayEquals(new long[] {3, 3, 32, 32}, x.shape());
        int[] recs = {4, 0, 2};
        for (int k = 0; k < 3; k++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int xx = 0; xx < 32; xx++) {
                        double expected = normalised(recs[k], c, y, xx);
                        float got = x.getFloat(k, c, y, xx);
                        if (Math.abs(got - expected) > 1e-5) {
                            throw new AssertionError(k + "," + c + "," + y + "," + xx + ": " + got + " != " + expected);
                        }
                    }
                }
            }
        }
        // a spot check against hand arithmetic: record 0, green, (0,0) holds 50
        assertEquals((50 / 255.0 - 0.4822) / 0.2435, x.getFloat(1, 1, 0, 0), 1e-6);
        assertEquals(0, pixel(0, 0, 0, 0));
        assertEquals(-0.4914 / 0.2470, x.getFloat(1, 0, 0, 0), 1e-6);
    }

    @Test
    void adaptsToGrayAndToOtherSizes() throws IOException {
        Cifar10Binary cifar = Cifar10Binary.open(TestData.write(dir, "data_batch_1.bin", records(0, 3)));
        INDArray gray = cifar.batch(new int[] {1}, new InputShape(1, 32, 32)).images();
        assertArrayEquals(new long[] {1, 1, 32, 32}, gray.shape());
        double mean = (normalised(1, 0, 5, 9) + normalised(1, 1, 5, 9) + normalised(1, 2, 5, 9)) / 3;
        assertEquals(mean, gray.getFloat(0, 0, 5, 9), 1e-5);

        INDArray crop = cifar.batch(new int[] {2}, new InputShape(3, 28, 28)).images();
        assertEquals(normalised(2, 1, 2, 2), crop.getFloat(0, 1, 0, 0), 1e-5);
        assertEquals(normalised(2, 2, 29, 29), crop.getFloat(0, 2, 27, 27), 1e-5);

        INDArray pad = cifar.batch(new int[] {2}, new InputShape(3, 36, 34)).images();
        assertEquals(0f, pad.getFloat(0, 0, 1, 10));
        assertEquals(0f, pad.getFloat(0, 0, 10, 0));
        assertEquals(0f, pad.getFloat(0, 0, 35, 33));
        assertEquals(normalised(2, 0, 0, 0), pad.getFloat(0, 0, 2, 1), 1e-5);
        assertEquals(normalised(2, 0, 31, 31), pad.getFloat(0, 0, 33, 32), 1e-5);

        assertThrows(IllegalArgumentException.class, () -> cifar.batch(new int[] {0}, new InputShape(2, 32, 32)));
    }

    @Test
    void aDirectoryMeansItsBatchFilesInNameOrder() throws IOException {
        TestData.write(dir, "test_batch.bin", records(3, 2));
        TestData.write(dir, "data_batch_1.bin", records(0, 3));
        TestData.write(dir, "batches.meta.txt", "airplane\nautomobile\n".getBytes());
        TestData.write(dir, "readme.html", new byte[17]);
        Cifar10Binary cifar = Cifar10Binary.open(dir);
        assertEquals(5, cifar.size());
        assertEquals(List.of(dir.resolve("data_batch_1.bin"), dir.resolve("test_batch.bin")), cifar.files());
        for (int r = 0; r < 5; r++) {
            assertEquals((3 * r + 1) % 10, cifar.label(r));
            assertEquals(pixel(r, 2, 7, 11), cifar.rawPixel(r, 2, 7, 11));
        }
        // the layout of the official archive: a cifar-10-batches-bin subdirectory
        Path parent = dir.resolveSibling(dir.getFileName() + "-archive");
        Files.createDirectories(parent.resolve("cifar-10-batches-bin"));
        try {
            TestData.write(parent.resolve("cifar-10-batches-bin"), "test_batch.bin", records(0, 1));
            assertEquals(1, Cifar10Binary.open(parent).size());
        } finally {
            Files.delete(parent.resolve("cifar-10-batches-bin/test_batch.bin"));
            Files.delete(parent.resolve("cifar-10-batches-bin"));
            Files.delete(parent);
        }
    }

    @Test
    void sizeNotAMultipleOfTheRecordIsRefused() throws IOException {
        byte[] data = records(0, 2);
        Path file = TestData.write(dir, "data_batch_2.bin", java.util.Arrays.copyOf(data, data.length + 5));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Cifar10Binary.open(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("6151 bytes is not a multiple of 3073"), e.getMessage());
    }

    @Test
    void labelAboveNineIsRefusedNamingFileAndRecord() throws IOException {
        byte[] data = records(0, 5);
        data[2 * 3073] = 11;
        Path file = TestData.write(dir, "data_batch_3.bin", data);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Cifar10Binary.open(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("record 2"), e.getMessage());
        assertTrue(e.getMessage().contains("label 11"), e.getMessage());
    }

    @Test
    void missingFilesAndEmptyDirectories() throws IOException {
        Path missing = dir.resolve("data_batch_9.bin");
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Cifar10Binary.open(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        Path empty = Files.createDirectory(dir.resolve("empty"));
        e = assertThrows(DatasetFormatException.class, () -> Cifar10Binary.open(empty));
        assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
    }
}
