package io.archipelago.models.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/** Opens a data set from a short textual spec, as given on a command line or in a config. */
public final class ImageDatasets {
    /** The accepted forms, for help and error messages. */
    public static final String FORMS = "fashion-mnist (Debian's files in " + FashionMnist.DEFAULT_DIR
            + "), fashion-mnist:DIR, cifar10:PATH[,PATH...] (batch .bin files or a directory), "
            + "gaussian, gaussian:SEED";

    private ImageDatasets() {}

    /**
     * {@code fashion-mnist}, {@code fashion-mnist:DIR}, {@code cifar10:PATH[,PATH...]},
     * {@code gaussian} or {@code gaussian:SEED}.
     *
     * @throws IllegalArgumentException for any other spec
     * @throws DatasetFormatException   when the files are missing or malformed
     */
    public static ImageDataset open(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty data set spec; valid forms: " + FORMS);
        }
        String s = spec.strip();
        int colon = s.indexOf(':');
        String kind = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
        String arg = colon < 0 ? null : s.substring(colon + 1).strip();
        if (arg != null && arg.isEmpty()) {
            throw new IllegalArgumentException(
                    "data set spec '" + spec + "' has nothing after ':'; valid forms: " + FORMS);
        }
        switch (kind) {
            case "fashion-mnist":
            case "fashion_mnist":
            case "fashionmnist":
                return arg == null ? FashionMnist.open() : FashionMnist.open(Path.of(arg));
            case "cifar10":
            case "cifar-10":
                if (arg == null) {
                    throw new IllegalArgumentException("cifar10 needs a path: cifar10:PATH; valid forms: " + FORMS);
                }
                return Cifar10Binary.open(Arrays.stream(arg.split(","))
                        .map(String::strip)
                        .filter(p -> !p.isEmpty())
                        .map(Path::of)
                        .toArray(Path[]::new));
            case "gaussian":
                if (arg == null) {
                    return new GaussianNoise();
                }
                try {
                    return new GaussianNoise(10, Integer.MAX_VALUE, Long.parseLong(arg));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "gaussian:SEED needs an integer seed, got '" + arg + "'; valid forms: " + FORMS);
                }
            default:
                throw new IllegalArgumentException("unknown data set '" + spec + "'; valid forms: " + FORMS);
        }
    }
}
