package io.archipelago.models.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader of the IDX format of (Fashion-)MNIST: a big-endian magic {@code 0x00000803} (unsigned
 * bytes, 3 dimensions) then n, rows, cols and n·rows·cols pixel bytes; labels use magic
 * {@code 0x00000801} then n and n bytes. Files may be gzipped (by a {@code .gz} suffix or the
 * gzip magic) or raw.
 *
 * @param count  number of images
 * @param rows   image height
 * @param cols   image width
 * @param pixels count·rows·cols bytes, image after image, row-major
 */
public record IdxImages(int count, int rows, int cols, byte[] pixels) {
    /** Magic of an IDX file of unsigned bytes with 3 dimensions (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic of an IDX file of unsigned bytes with 1 dimension (labels). */
    public static final int LABELS_MAGIC = 0x00000801;

    public IdxImages {
        if ((long) count * rows * cols != pixels.length) {
            throw new IllegalArgumentException(
                    pixels.length + " bytes are not " + count + " images of " + rows + "×" + cols);
        }
    }

    /** The raw byte (0–255) of pixel (y, x) of image {@code index}. */
    public int pixel(int index, int y, int x) {
        return pixels[(index * rows + y) * cols + x] & 0xFF;
    }

    /** Reads an IDX image file (magic 0x00000803), gzipped or not. */
    public static IdxImages read(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = readHeaderInt(in, file, "magic number");
            if (magic != IMAGES_MAGIC) {
                throw badMagic(file, magic, IMAGES_MAGIC, "images");
            }
            int n = readDimension(in, file, "image count");
            int rows = readDimension(in, file, "row count");
            int cols = readDimension(in, file, "column count");
            long total = (long) n * rows * cols;
            if (total > Integer.MAX_VALUE - 16) {
                throw new DatasetFormatException(
                        file + ": " + n + " images of " + rows + "×" + cols + " do not fit in memory as one array");
            }
            byte[] pixels = readBody(in, file, (int) total, n + " images of " + rows + "×" + cols);
            return new IdxImages(n, rows, cols, pixels);
        } catch (IOException e) {
            throw ioFailure(file, e);
        }
    }

    /** Reads an IDX label file (magic 0x00000801), gzipped or not: one unsigned byte each. */
    public static byte[] readLabels(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = readHeaderInt(in, file, "magic number");
            if (magic != LABELS_MAGIC) {
                throw badMagic(file, magic, LABELS_MAGIC, "labels");
            }
            int n = readDimension(in, file, "label count");
            return readBody(in, file, n, n + " labels");
        } catch (IOException e) {
            throw ioFailure(file, e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString());
        }
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        boolean gzip = file.getFileName().toString().endsWith(".gz") || (b0 == 0x1f && b1 == 0x8b);
        try {
            return new DataInputStream(
                    gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw);
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    private static int readHeaderInt(DataInputStream in, Path file, String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new DatasetFormatException(file + ": truncated IDX header (file ends before the " + what + ")");
        }
    }

    private static int readDimension(DataInputStream in, Path file, String what) throws IOException {
        int d = readHeaderInt(in, file, what);
        if (d < 0) {
            throw new DatasetFormatException(
                    file + ": " + what + " " + Integer.toUnsignedString(d) + " in the IDX header is too large");
        }
        return d;
    }

    private static byte[] readBody(DataInputStream in, Path file, int bytes, String what) throws IOException {
        byte[] body = new byte[bytes];
        int got;
        try {
            got = in.readNBytes(body, 0, bytes);
        } catch (EOFException e) {
            throw new DatasetFormatException(
                    file + ": truncated data: the compressed stream ends before " + "the " + bytes + " bytes of " + what
                            + " that its header announces",
                    e);
        }
        if (got < bytes) {
            throw new DatasetFormatException(file + ": truncated data: header announces " + what + " (" + bytes
                    + " bytes) but only " + got + " bytes follow");
        }
        try {
            if (in.read() != -1) {
                throw new DatasetFormatException(
                        file + ": more data than the header announces (" + what + ", " + bytes + " bytes)");
            }
        } catch (EOFException e) {
            // a gzip stream cut inside its trailer: the data itself is complete, still refuse it
            throw new DatasetFormatException(file + ": truncated data: the compressed stream is cut short", e);
        }
        return body;
    }

    private static DatasetFormatException badMagic(Path file, int magic, int expected, String kind) {
        String hint = magic == (expected == IMAGES_MAGIC ? LABELS_MAGIC : IMAGES_MAGIC)
                ? " (this looks like an IDX " + (expected == IMAGES_MAGIC ? "labels" : "images") + " file)"
                : "";
        return new DatasetFormatException(String.format(
                "%s: bad magic number 0x%08X, expected 0x%08X for IDX %s%s", file, magic, expected, kind, hint));
    }

    private static DatasetFormatException ioFailure(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new DatasetFormatException("missing file " + file, e);
        }
        if (e instanceof ZipException) {
            return new DatasetFormatException(file + ": corrupt gzip data: " + e.getMessage(), e);
        }
        if (e instanceof EOFException) {
            return new DatasetFormatException(file + ": truncated data: " + e.getMessage(), e);
        }
        return new DatasetFormatException(file + ": cannot read: " + e, e);
    }

    @Override
    public String toString() {
        return "IdxImages[" + count + " × " + rows + "×" + cols + "]";
    }
}
