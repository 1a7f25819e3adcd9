package io.archipelago.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class FashionMnistTest {
    private static FashionMnist sample;
    /** The raw pixel bytes of the sample, read directly from the gz resource (offset 16). */
    private static byte[] raw;

    @BeforeAll
    static void load() throws IOException {
        sample = FashionMnist.open(TestData.sampleDir());
        byte[] file = TestData.gunzip(TestData.sampleDir().resolve("t10k-images-idx3-ubyte.gz"));
        raw = Arrays.copyOfRange(file, 16, file.length);
    }

    private static float normalised(int b) {
        return ((float) b / 255f - 0.286f) / 0.353f;
    }

    private static int rawPixel(int image, int y, int x) {
        return raw[image * 784 + y * 28 + x] & 0xFF;
    }

    @Test
    void readsTheSixtyFourSampleImagesWithTheirKnownLabels() {
        assertEquals(64, sample.size());
        assertEquals(10, sample.classes());
        assertEquals("fashion-mnist", sample.name());
        assertEquals(new InputShape(1, 28, 28), sample.nativeShape());
        assertEquals(64 * 784, raw.length);
        for (int i = 0; i < TestData.FIRST_LABELS.length; i++) {
            assertEquals(TestData.FIRST_LABELS[i], sample.label(i), "label of image " + i);
        }
        assertEquals("ankle boot", FashionMnist.CLASS_NAMES.get(sample.label(0)));
        // known pixels of the real data
        assertEquals(110, sample.rawPixel(0, 0, 14, 14));
        assertEquals(126, sample.rawPixel(0, 0, 20, 10));
        assertEquals(234, sample.rawPixel(1, 0, 14, 14));
        assertEquals(0, sample.rawPixel(0, 0, 0, 0));
        for (int i = 0; i < 64; i++) {
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    if (sample.rawPixel(i, 0, y, x) != rawPixel(i, y, x)) {
                        throw new AssertionError("pixel " + i + "," + y + "," + x);
                    }
                }
            }
        }
    }

    @Test
    void normalisesPadsAfterNormalisingAndReplicatesTheGrayChannel() {
        Batch b = sample.batch(new int[] {0, 1, 63}, InputShape.DEFAULT);
        INDArray x = b.images();
        assertEquals(DataType.FLOAT, x.dataType());
        assertArrayEquals(new long[] {3, 3, 32, 32}, x.shape());
        assertArrayEquals(new int[] {9, 2, sample.label(63)}, b.labels());
        // the padding is zero: the reference pads the normalised tensor
        for (int c = 0; c < 3; c++) {
            assertEquals(0.0f, x.getFloat(0, c, 0, 0));
            assertEquals(0.0f, x.getFloat(0, c, 31, 31));
            assertEquals(0.0f, x.getFloat(1, c, 1, 17));
            assertEquals(0.0f, x.getFloat(2, c, 30, 5));
            assertEquals(0.0f, x.getFloat(2, c, 16, 31));
        }
        // a black pixel inside the image is normalised 0: (0 − 0.286)/0.353
        assertEquals(-0.286f / 0.353f, x.getFloat(0, 0, 2, 2), 1e-6f);
        assertEquals(-0.810198f, x.getFloat(0, 0, 2, 2), 1e-5f);
        // image pixel (14,14) lands at (16,16); 110 → (110/255 − 0.286)/0.353
        assertEquals((110 / 255.0 - 0.286) / 0.353, x.getFloat(0, 0, 16, 16), 1e-6);
        assertEquals((126 / 255.0 - 0.286) / 0.353, x.getFloat(0, 1, 22, 12), 1e-6);
        assertEquals((234 / 255.0 - 0.286) / 0.353, x.getFloat(1, 2, 16, 16), 1e-6);
        // every position against an independent computation; channels are copies
        int[] images = {0, 1, 63};
        for (int k = 0; k < 3; k++) {
            for (int y = 0; y < 32; y++) {
                for (int xx = 0; xx < 32; xx++) {
                    boolean inside = y >= 2 && y < 30 && xx >= 2 && xx < 30;
                    float expected = inside ? normalised(rawPixel(images[k], y - 2, xx - 2)) : 0f;
                    for (int c = 0; c < 3; c++) {
                        float got = x.getFloat(k, c, y, xx);
                        if (Math.abs(got - expected) > 1e-6f) {
                            throw new AssertionError("image " + k + " channel " + c + " at " + y + "," + xx + ": " + got
                                    + " != " + expected);
                        }
                    }
                }
            }
        }
    }

    @Test
    void nativeShapeAndCentreCrop() {
        INDArray same = sample.batch(new int[] {5}, new InputShape(1, 28, 28)).images();
        assertArrayEquals(new long[] {1, 1, 28, 28}, same.shape());
        assertEquals(normalised(rawPixel(5, 0, 0)), same.getFloat(0, 0, 0, 0), 0f);
        assertEquals(normalised(rawPixel(5, 13, 9)), same.getFloat(0, 0, 13, 9), 0f);

        INDArray crop = sample.batch(new int[] {1}, new InputShape(2, 24, 20)).images();
        assertArrayEquals(new long[] {1, 2, 24, 20}, crop.shape());
        // crop starts at ((28−24)/2, (28−20)/2) = (2, 4)
        for (int c = 0; c < 2; c++) {
            assertEquals(normalised(rawPixel(1, 2, 4)), crop.getFloat(0, c, 0, 0), 0f);
            assertEquals(normalised(rawPixel(1, 14, 10)), crop.getFloat(0, c, 12, 6), 0f);
            assertEquals(normalised(rawPixel(1, 25, 23)), crop.getFloat(0, c, 23, 19), 0f);
        }
    }

    @Test
    void rawAndGzipByMagicReadTheSame(@TempDir Path dir) throws IOException {
        Path res = TestData.sampleDir();
        Path rawDir = Files.createDirectory(dir.resolve("raw"));
        Files.write(
                rawDir.resolve("t10k-images-idx3-ubyte"), TestData.gunzip(res.resolve("t10k-images-idx3-ubyte.gz")));
        Files.write(
                rawDir.resolve("t10k-labels-idx1-ubyte"), TestData.gunzip(res.resolve("t10k-labels-idx1-ubyte.gz")));
        // gzip content under names without .gz: detected by the gzip magic
        Path magicDir = Files.createDirectory(dir.resolve("magic"));
        Files.copy(res.resolve("t10k-images-idx3-ubyte.gz"), magicDir.resolve("t10k-images-idx3-ubyte"));
        Files.copy(res.resolve("t10k-labels-idx1-ubyte.gz"), magicDir.resolve("t10k-labels-idx1-ubyte"));
        int[] idx = {0, 7, 42};
        Batch expected = sample.batch(idx, InputShape.DEFAULT);
        for (Path d : new Path[] {rawDir, magicDir}) {
            FashionMnist f = FashionMnist.open(d);
            assertEquals(64, f.size());
            Batch b = f.batch(idx, InputShape.DEFAULT);
            assertEquals(expected.images(), b.images(), d.toString());
            assertArrayEquals(expected.labels(), b.labels());
        }
    }

    @Test
    void indexOutOfRangeIsRefused() {
        assertThrows(IndexOutOfBoundsException.class, () -> sample.batch(new int[] {64}, InputShape.DEFAULT));
        assertThrows(IndexOutOfBoundsException.class, () -> sample.batch(new int[] {-1}, InputShape.DEFAULT));
    }

    @Test
    void fullDebianTestSplit() {
        Path dir = FashionMnist.DEFAULT_DIR;
        Assumptions.assumeTrue(
                Files.isRegularFile(dir.resolve("t10k-images-idx3-ubyte.gz"))
                        || Files.isRegularFile(dir.resolve("t10k-images-idx3-ubyte")),
                "Debian's dataset-fashion-mnist not installed");
        FashionMnist full = FashionMnist.open();
        assertEquals(10_000, full.size());
        assertEquals(new InputShape(1, 28, 28), full.nativeShape());
        int[] counts = new int[10];
        for (int i = 0; i < full.size(); i++) {
            counts[full.label(i)]++;
        }
        for (int c = 0; c < 10; c++) {
            assertEquals(1000, counts[c], "t10k has 1000 images of class " + c);
        }
        // the shipped sample is the head of the real file
        int[] head = new int[64];
        Arrays.setAll(head, i -> i);
        Batch a = full.batch(head, InputShape.DEFAULT);
        Batch b = sample.batch(head, InputShape.DEFAULT);
        assertArrayEquals(b.labels(), a.labels());
        assertEquals(b.images(), a.images());
        assertTrue(full.sample(64, 1, InputShape.DEFAULT).size() == 64);
    }
}
