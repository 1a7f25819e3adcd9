package io.archipelago.node.supernet;

import io.archipelago.models.data.Cifar10Binary;
import io.archipelago.models.data.FashionMnist;
import io.archipelago.models.data.ImageDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The training images of {@code supernet train --data}: {@code fashion-mnist[:DIR]} reads the
 * train split of DIR (default {@link FashionMnist#DEFAULT_DIR}), or its t10k split when DIR has no
 * train files (the test resources hold only t10k); {@code cifar10:DIR} reads DIR's
 * {@code data_batch_*.bin} (or those of its {@code cifar-10-batches-bin}), or the files named.
 *
 * @param dataset the opened data set
 * @param description what the images are, without the path (so a moved data set still resumes),
 *     e.g. {@code fashion-mnist train}; {@code ImageSet.sample} adds count, seed and size
 */
public record TrainingImages(ImageDataset dataset, String description) {
    static final String FORMS = "fashion-mnist[:DIR] or cifar10:DIR";

    /** @throws IllegalArgumentException for an unknown spec or missing/malformed files */
    public static TrainingImages open(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty --data; valid forms: " + FORMS);
        }
        String s = spec.strip();
        int colon = s.indexOf(':');
        String kind = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
        String arg = colon < 0 ? null : s.substring(colon + 1).strip();
        if (arg != null && arg.isEmpty()) {
            throw new IllegalArgumentException("--data '" + spec + "' has nothing after ':'; valid forms: " + FORMS);
        }
        switch (kind) {
            case "fashion-mnist", "fashion_mnist", "fashionmnist" -> {
                Path dir = arg == null ? FashionMnist.DEFAULT_DIR : Path.of(arg);
                boolean train = hasFile(dir, FashionMnist.Split.TRAIN.imagesFile())
                        && hasFile(dir, FashionMnist.Split.TRAIN.labelsFile());
                FashionMnist.Split split = train ? FashionMnist.Split.TRAIN : FashionMnist.Split.TEST;
                return new TrainingImages(FashionMnist.open(dir, split), "fashion-mnist " + (train ? "train" : "t10k"));
            }
            case "cifar10", "cifar-10" -> {
                if (arg == null) {
                    throw new IllegalArgumentException("cifar10 needs a directory: cifar10:DIR");
                }
                Path path = Path.of(arg);
                List<Path> batches = trainBatches(path);
                if (batches.isEmpty()) {
                    return new TrainingImages(Cifar10Binary.open(path), "cifar10 " + path.getFileName());
                }
                return new TrainingImages(Cifar10Binary.open(batches.toArray(Path[]::new)), "cifar10 train");
            }
            default -> throw new IllegalArgumentException("unknown data set '" + spec + "'; valid forms: " + FORMS);
        }
    }

    /**
     * The held-out images of the same {@code --data} spec: Fashion-MNIST's t10k split, CIFAR-10's
     * {@code test_batch.bin} (in DIR or its {@code cifar-10-batches-bin}).
     *
     * @throws IllegalArgumentException for an unknown spec or missing/malformed files
     */
    public static TrainingImages heldOut(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty --data; valid forms: " + FORMS);
        }
        String s = spec.strip();
        int colon = s.indexOf(':');
        String kind = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
        String arg = colon < 0 ? null : s.substring(colon + 1).strip();
        switch (kind) {
            case "fashion-mnist", "fashion_mnist", "fashionmnist" -> {
                Path dir = arg == null || arg.isEmpty() ? FashionMnist.DEFAULT_DIR : Path.of(arg);
                return new TrainingImages(FashionMnist.open(dir, FashionMnist.Split.TEST), "fashion-mnist t10k");
            }
            case "cifar10", "cifar-10" -> {
                if (arg == null || arg.isEmpty()) {
                    throw new IllegalArgumentException("cifar10 needs a directory: cifar10:DIR");
                }
                Path dir = Path.of(arg);
                for (Path d : List.of(dir, dir.resolve("cifar-10-batches-bin"))) {
                    Path test = d.resolve("test_batch.bin");
                    if (Files.isRegularFile(test)) {
                        return new TrainingImages(Cifar10Binary.open(test), "cifar10 test_batch");
                    }
                }
                throw new IllegalArgumentException("--data " + spec + ": no test_batch.bin in " + dir);
            }
            default -> throw new IllegalArgumentException("unknown data set '" + spec + "'; valid forms: " + FORMS);
        }
    }

    private static boolean hasFile(Path dir, String base) {
        return Files.isRegularFile(dir.resolve(base + ".gz")) || Files.isRegularFile(dir.resolve(base));
    }

    /** {@code data_batch_*.bin} of {@code dir} or of its {@code cifar-10-batches-bin}, in name order; empty if none. */
    private static List<Path> trainBatches(Path dir) {
        for (Path d : List.of(dir, dir.resolve("cifar-10-batches-bin"))) {
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> files = Files.list(d)) {
                List<Path> found = files.filter(p -> {
                            String n = p.getFileName().toString();
                            return n.startsWith("data_batch_") && n.endsWith(".bin") && Files.isRegularFile(p);
                        })
                        .sorted()
                        .toList();
                if (!found.isEmpty()) {
                    return found;
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot list " + d + ": " + e.getMessage(), e);
            }
        }
        return List.of();
    }
}
