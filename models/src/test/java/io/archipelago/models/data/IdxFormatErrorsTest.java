package io.archipelago.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFormatErrorsTest {
    @TempDir
    Path dir;

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }

    private Path images(String name, int n, boolean gz) throws IOException {
        byte[] pixels = new byte[n * 4 * 3];
        Arrays.fill(pixels, (byte) 200);
        byte[] idx = TestData.idxImages(IdxImages.IMAGES_MAGIC, n, 4, 3, pixels);
        return TestData.write(dir, name, gz ? TestData.gzip(idx) : idx);
    }

    private Path labels(String name, int n) throws IOException {
        return TestData.write(dir, name, TestData.gzip(TestData.idxLabels(IdxImages.LABELS_MAGIC, n, new byte[n])));
    }

    @Test
    void readsASmallWellFormedPair() throws IOException {
        FashionMnist f = FashionMnist.open(images("i.gz", 5, true), labels("l.gz", 5));
        assertEquals(5, f.size());
        assertEquals(new InputShape(1, 4, 3), f.nativeShape());
        assertEquals(200, f.rawPixel(4, 0, 3, 2));
        IdxImages raw = IdxImages.read(images("i.raw", 5, false));
        assertEquals(5, raw.count());
        assertEquals(200, raw.pixel(4, 3, 2));
    }

    @Test
    void badMagic() throws IOException {
        Path labelsAsImages = labels("t10k-images-idx3-ubyte.gz", 5);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxImages.read(labelsAsImages));
        assertMentions(e, labelsAsImages.toString(), "bad magic", "0x00000801", "0x00000803");
        Path garbage = TestData.write(dir, "garbage", "hello, this is no IDX file".getBytes());
        e = assertThrows(DatasetFormatException.class, () -> IdxImages.readLabels(garbage));
        assertMentions(e, garbage.toString(), "bad magic", "0x00000801");
    }

    @Test
    void truncatedRawAndGzippedFiles() throws IOException {
        byte[] full = TestData.idxImages(IdxImages.IMAGES_MAGIC, 5, 4, 3, new byte[60]);
        Path shortRaw = TestData.write(dir, "short", Arrays.copyOf(full, full.length - 7));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxImages.read(shortRaw));
        assertMentions(e, shortRaw.toString(), "truncated", "53 bytes follow");

        Path header = TestData.write(dir, "header", Arrays.copyOf(full, 10));
        e = assertThrows(DatasetFormatException.class, () -> IdxImages.read(header));
        assertMentions(e, header.toString(), "truncated", "header");

        Path empty = TestData.write(dir, "empty.gz", new byte[0]);
        e = assertThrows(DatasetFormatException.class, () -> IdxImages.read(empty));
        assertMentions(e, empty.toString(), "truncated");

        // a real gzip stream cut in the middle of the compressed data
        byte[] big = new byte[20_000 * 4 * 3];
        new java.util.Random(1).nextBytes(big);
        byte[] gz = TestData.gzip(TestData.idxImages(IdxImages.IMAGES_MAGIC, 20_000, 4, 3, big));
        Path cut = TestData.write(dir, "cut.gz", Arrays.copyOf(gz, gz.length / 2));
        e = assertThrows(DatasetFormatException.class, () -> IdxImages.read(cut));
        assertMentions(e, cut.toString(), "truncated");
    }

    @Test
    void moreDataThanTheHeaderAnnounces() throws IOException {
        byte[] full = TestData.idxImages(IdxImages.IMAGES_MAGIC, 5, 4, 3, new byte[61]);
        Path extra = TestData.write(dir, "extra", full);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxImages.read(extra));
        assertMentions(e, extra.toString(), "more data");
    }

    @Test
    void countMismatchBetweenImagesAndLabels() throws IOException {
        Path img = images("t10k-images-idx3-ubyte.gz", 64, true);
        Path lab = labels("t10k-labels-idx1-ubyte.gz", 63);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> FashionMnist.open(dir));
        assertMentions(e, "count mismatch", img.toString(), lab.toString(), "64 images", "63 labels");
    }

    @Test
    void labelOutOfRange() throws IOException {
        Path img = images("i.gz", 3, true);
        Path lab = TestData.write(
                dir, "l.gz", TestData.gzip(TestData.idxLabels(IdxImages.LABELS_MAGIC, 3, new byte[] {1, 10, 2})));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> FashionMnist.open(img, lab));
        assertMentions(e, lab.toString(), "label 10", "image 1");
    }

    @Test
    void missingFilesPointToTheInstallScript() throws IOException {
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> FashionMnist.open(dir));
        assertMentions(
                e, "missing file", dir.resolve("t10k-images-idx3-ubyte.gz").toString(), "install-datasets.sh");
        images("t10k-images-idx3-ubyte.gz", 2, true);
        e = assertThrows(DatasetFormatException.class, () -> FashionMnist.open(dir));
        assertMentions(e, "missing file", "t10k-labels-idx1-ubyte", "install-datasets.sh");
        Path nowhere = dir.resolve("nowhere");
        e = assertThrows(DatasetFormatException.class, () -> FashionMnist.open(nowhere));
        assertMentions(e, nowhere.toString(), "install-datasets.sh");
        e = assertThrows(DatasetFormatException.class, () -> IdxImages.read(nowhere));
        assertMentions(e, "missing file", nowhere.toString());
        assertTrue(e instanceof IllegalArgumentException);
        assertTrue(Files.notExists(nowhere));
    }
}
