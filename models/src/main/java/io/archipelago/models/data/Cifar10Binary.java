package io.archipelago.models.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * CIFAR-10 in its binary format: records of 1 label byte (0–9) then 3072 pixel bytes, 1024 red,
 * 1024 green, 1024 blue, each plane row-major 32×32. Normalised per channel with mean
 * (0.4914, 0.4822, 0.4465) and std (0.2470, 0.2435, 0.2616).
 */
public final class Cifar10Binary extends ByteImageDataset {
    /** Bytes of one record: 1 label byte and 3×32×32 pixels. */
    public static final int RECORD_BYTES = 1 + 3 * 32 * 32;
    /** Per channel (R, G, B) mean of x/255. */
    public static final float[] MEAN = {0.4914f, 0.4822f, 0.4465f};
    /** Per channel (R, G, B) standard deviation of x/255. */
    public static final float[] STD = {0.2470f, 0.2435f, 0.2616f};
    /** Class names by label. */
    public static final List<String> CLASS_NAMES =
            List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    private final List<Path> files;

    private Cifar10Binary(byte[] pixels, byte[] labels, List<Path> files) {
        super("cifar10", 10, new InputShape(3, 32, 32), pixels, labels, MEAN.clone(), STD.clone());
        this.files = List.copyOf(files);
    }

    /**
     * Reads the given batch files in order; a directory stands for its {@code data_batch_*.bin}
     * and {@code test_batch.bin} files in name order (or those of its
     * {@code cifar-10-batches-bin} subdirectory).
     */
    public static Cifar10Binary open(Path... paths) {
        if (paths.length == 0) {
            throw new IllegalArgumentException("no CIFAR-10 file or directory given");
        }
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                files.addAll(batchFiles(p));
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new DatasetFormatException("missing file " + p + " (CIFAR-10 binary version: "
                        + "data_batch_1.bin … data_batch_5.bin, test_batch.bin)");
            }
        }
        long total = 0;
        for (Path f : files) {
            long bytes = sizeOf(f);
            if (bytes % RECORD_BYTES != 0) {
                throw new DatasetFormatException(f + ": size " + bytes + " bytes is not a multiple of "
                        + RECORD_BYTES + " (1 label byte + 3072 pixel bytes per record): truncated or not "
                        + "a CIFAR-10 binary batch (the CIFAR-100 format has 2 label bytes)");
            }
            total += bytes / RECORD_BYTES;
        }
        if (total * (RECORD_BYTES - 1) > Integer.MAX_VALUE - 16) {
            throw new DatasetFormatException("too many CIFAR-10 records (" + total + ") for one array");
        }
        int n = (int) total;
        byte[] labels = new byte[n];
        byte[] pixels = new byte[n * (RECORD_BYTES - 1)];
        byte[] record = new byte[RECORD_BYTES];
        int k = 0;
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f)) {
                for (int r = 0; ; r++) {
                    int got = in.readNBytes(record, 0, RECORD_BYTES);
                    if (got == 0) {
                        break;
                    }
                    if (got < RECORD_BYTES) {
                        throw new DatasetFormatException(f + ": record " + r + " is truncated (" + got + " of "
                                + RECORD_BYTES + " bytes); did the file change while reading?");
                    }
                    int label = record[0] & 0xFF;
                    if (label > 9) {
                        throw new DatasetFormatException(f + ": record " + r + " (byte offset "
                                + (long) r * RECORD_BYTES + ") has label " + label + ", not in 0..9");
                    }
                    if (k >= n) {
                        throw new DatasetFormatException(f + ": grew while reading");
                    }
                    labels[k] = record[0];
                    System.arraycopy(record, 1, pixels, k * (RECORD_BYTES - 1), RECORD_BYTES - 1);
                    k++;
                }
            } catch (IOException e) {
                throw new DatasetFormatException(f + ": cannot read: " + e, e);
            }
        }
        if (k != n) {
            throw new DatasetFormatException("CIFAR-10 files shrank while reading: " + files);
        }
        return new Cifar10Binary(pixels, labels, files);
    }

    /** The files read, in order. */
    public List<Path> files() {
        return files;
    }

    private static List<Path> batchFiles(Path dir) {
        List<Path> found = list(dir);
        if (found.isEmpty()) {
            Path sub = dir.resolve("cifar-10-batches-bin");
            if (Files.isDirectory(sub)) {
                found = list(sub);
            }
        }
        if (found.isEmpty()) {
            throw new DatasetFormatException(
                    "missing file: directory " + dir + " holds no CIFAR-10 batch (data_batch_*.bin, test_batch.bin)");
        }
        return found;
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> {
                        String name = p.getFileName().toString();
                        return name.equals("test_batch.bin")
                                || (name.startsWith("data_batch_") && name.endsWith(".bin"));
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new DatasetFormatException(dir + ": cannot list: " + e, e);
        }
    }

    private static long sizeOf(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new DatasetFormatException(f + ": cannot read: " + e, e);
        }
    }
}
