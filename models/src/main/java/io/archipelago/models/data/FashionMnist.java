package io.archipelago.models.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST from its IDX files, normalised as the TEG reference does:
 * {@code (x/255 − 0.286)/0.353}; images are 1×28×28 gray, so for the NAS-Bench-201 input
 * 3×32×32 they get 2 zero pixels each side (zero after normalisation) and the gray channel
 * replicated. Debian's {@code dataset-fashion-mnist} package installs the files under
 * {@link #DEFAULT_DIR} ({@code scripts/install-datasets.sh}).
 */
public final class FashionMnist extends ByteImageDataset {
    /** Where Debian's {@code dataset-fashion-mnist} puts the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** Mean of x/255 used for normalisation. */
    public static final float MEAN = 0.286f;
    /** Standard deviation of x/255 used for normalisation. */
    public static final float STD = 0.353f;
    /** Class names by label. */
    public static final List<String> CLASS_NAMES = List.of(
            "t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot");

    /** Which file pair to read. */
    public enum Split {
        /** t10k: 10,000 images, the one the TEG reference samples from. */
        TEST("t10k"),
        /** train: 60,000 images. */
        TRAIN("train");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        public String imagesFile() {
            return prefix + "-images-idx3-ubyte";
        }

        public String labelsFile() {
            return prefix + "-labels-idx1-ubyte";
        }
    }

    private final Path images;

    private FashionMnist(IdxImages idx, byte[] labels, Path images) {
        super(
                "fashion-mnist",
                CLASS_NAMES.size(),
                new InputShape(1, idx.rows(), idx.cols()),
                idx.pixels(),
                labels,
                new float[] {MEAN},
                new float[] {STD});
        this.images = images;
    }

    /** The t10k test split from {@link #DEFAULT_DIR}. */
    public static FashionMnist open() {
        return open(DEFAULT_DIR);
    }

    /** The t10k test split from {@code dir} ({@code t10k-images-idx3-ubyte[.gz]} and labels). */
    public static FashionMnist open(Path dir) {
        return open(dir, Split.TEST);
    }

    /** One split from {@code dir}; each file may be gzipped ({@code .gz}, preferred) or raw. */
    public static FashionMnist open(Path dir, Split split) {
        if (!Files.isDirectory(dir)) {
            throw new DatasetFormatException("Fashion-MNIST directory " + dir + " does not exist" + installHint(dir));
        }
        Path imagesFile = locate(dir, split.imagesFile());
        Path labelsFile = locate(dir, split.labelsFile());
        return open(imagesFile, labelsFile);
    }

    /** From an explicit pair of IDX files. */
    public static FashionMnist open(Path imagesFile, Path labelsFile) {
        IdxImages idx = IdxImages.read(imagesFile);
        byte[] labels = IdxImages.readLabels(labelsFile);
        if (idx.count() != labels.length) {
            throw new DatasetFormatException("count mismatch: " + imagesFile + " holds " + idx.count() + " images but "
                    + labelsFile + " holds " + labels.length + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            int label = labels[i] & 0xFF;
            if (label >= CLASS_NAMES.size()) {
                throw new DatasetFormatException(labelsFile + ": label " + label + " of image " + i + " is not in 0.."
                        + (CLASS_NAMES.size() - 1));
            }
        }
        return new FashionMnist(idx, labels, imagesFile);
    }

    /** The images file this was read from. */
    public Path imagesFile() {
        return images;
    }

    private static Path locate(Path dir, String base) {
        Path gz = dir.resolve(base + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path raw = dir.resolve(base);
        if (Files.isRegularFile(raw)) {
            return raw;
        }
        throw new DatasetFormatException("missing file " + gz + " (nor " + raw + ")" + installHint(dir));
    }

    private static String installHint(Path dir) {
        return DEFAULT_DIR.equals(dir.toAbsolutePath().normalize())
                ? "; run scripts/install-datasets.sh (installs Debian's dataset-fashion-mnist)"
                : "; run scripts/install-datasets.sh to install Debian's dataset-fashion-mnist under " + DEFAULT_DIR
                        + ", or copy the IDX files into " + dir;
    }
}
