package io.archipelago.models.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Shared helpers: the shipped Fashion-MNIST sample and writers of small IDX files. */
final class TestData {
    /** The first 64 images and labels of Debian's t10k files. */
    static final int SAMPLE_SIZE = 64;
    /** The first labels of t10k, read from Debian's t10k-labels-idx1-ubyte.gz. */
    static final int[] FIRST_LABELS = {9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1};

    private TestData() {}

    static Path sampleDir() {
        try {
            return Path.of(TestData.class
                            .getResource("/fashion-mnist/t10k-images-idx3-ubyte.gz")
                            .toURI())
                    .getParent();
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] idxImages(int magic, int n, int rows, int cols, byte[] pixels) {
        ByteBuffer b = ByteBuffer.allocate(16 + pixels.length);
        b.putInt(magic).putInt(n).putInt(rows).putInt(cols).put(pixels);
        return b.array();
    }

    static byte[] idxLabels(int magic, int n, byte[] labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
        b.putInt(magic).putInt(n).put(labels);
        return b.array();
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bytes.toByteArray();
    }

    static byte[] gunzip(Path file) throws IOException {
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }

    static Path write(Path dir, String name, byte[] data) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, data);
        return p;
    }
}
