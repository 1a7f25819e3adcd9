package io.archipelago.models.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A split of the data set a {@code --data} spec names, as training commands and evaluators open
 * it: {@code fashion-mnist[:DIR]} is DIR's Fashion-MNIST (default {@link FashionMnist#DEFAULT_DIR})
 * and {@code cifar10:DIR} DIR's CIFAR-10 binary batches (or those of its
 * {@code cifar-10-batches-bin}). The train split falls back to the test split when DIR has none
 * (the tests' tiny copies hold only t10k).
 *
 * @param dataset the opened split
 * @param description what the images are, without the path (so a moved data set still matches),
 *     e.g. {@code fashion-mnist train}; {@code ImageSet.sample} adds count, seed and size
 */
public record TrainingData(ImageDataset dataset, String description) {
    public static final String FORMS = "fashion-mnist[:DIR] or cifar10:DIR";

    /** @throws IllegalArgumentException for an unknown spec or missing/malformed files */
    public static TrainingData train(String spec) {
        return open(spec, true);
    }

    /** The test split: Fashion-MNIST's t10k, CIFAR-10's {@code test_batch.bin}. */
    public static TrainingData test(String spec) {
        return open(spec, false);
    }

    private static TrainingData open(String spec, boolean trainSplit) {
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
                boolean train = trainSplit
                        && hasFile(dir, FashionMnist.Split.TRAIN.imagesFile())
                        && hasFile(dir, FashionMnist.Split.TRAIN.labelsFile());
                FashionMnist.Split split = train ? FashionMnist.Split.TRAIN : FashionMnist.Split.TEST;
                return new TrainingData(FashionMnist.open(dir, split), "fashion-mnist " + (train ? "train" : "t10k"));
            }
            case "cifar10", "cifar-10" -> {
                if (arg == null) {
                    throw new IllegalArgumentException("cifar10 needs a directory: cifar10:DIR");
                }
                Path path = Path.of(arg);
                if (!trainSplit) {
                    return new TrainingData(Cifar10Binary.open(testBatch(path)), "cifar10 test");
                }
                List<Path> batches = batchFiles(path, "data_batch_");
                if (batches.isEmpty()) {
                    return new TrainingData(Cifar10Binary.open(path), "cifar10 " + path.getFileName());
                }
                return new TrainingData(Cifar10Binary.open(batches.toArray(Path[]::new)), "cifar10 train");
            }
            default -> throw new IllegalArgumentException("unknown data set '" + spec + "'; valid forms: " + FORMS);
        }
    }

    private static boolean hasFile(Path dir, String base) {
        return Files.isRegularFile(dir.resolve(base + ".gz")) || Files.isRegularFile(dir.resolve(base));
    }

    private static Path testBatch(Path dir) {
        List<Path> found = batchFiles(dir, "test_batch");
        if (found.isEmpty()) {
            throw new IllegalArgumentException("no test_batch.bin in " + dir + " or its cifar-10-batches-bin");
        }
        return found.get(0);
    }

    /** {@code <prefix>*.bin} of {@code dir} or of its {@code cifar-10-batches-bin}, in name order; empty if none. */
    private static List<Path> batchFiles(Path dir, String prefix) {
        for (Path d : List.of(dir, dir.resolve("cifar-10-batches-bin"))) {
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> files = Files.list(d)) {
                List<Path> found = files.filter(p -> {
                            String n = p.getFileName().toString();
                            return n.startsWith(prefix) && n.endsWith(".bin") && Files.isRegularFile(p);
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
