package io.archipelago.models.supernet;

import io.archipelago.models.data.Batch;
import io.archipelago.models.data.ByteImageDataset;
import io.archipelago.models.data.ImageDataset;
import io.archipelago.models.data.InputShape;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Images held in memory, preprocessed as the SPOS reference does: {@code x/255}, normalised with
 * the data set's mean and standard deviation (Fashion-MNIST: 0.286, 0.353), zero-padded (after
 * normalisation) to 32x32; at size 16, 2x2 means of that. Grey images are stored with one channel
 * and repeated to the network's 3 when a batch is gathered. Optional augmentation (off in the
 * reference): a random crop of the image zero-padded by 4 pixels (zero in normalised units, like
 * the 28-to-32 padding) and a horizontal flip with probability 1/2.
 */
public final class ImageSet {
    private final float[] pixels; // [count, channels, size, size]
    private final int[] labels;
    private final int channels;
    private final int size;
    private final int classes;
    private final String description;

    private ImageSet(float[] pixels, int[] labels, int channels, int size, int classes, String description) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images need 1 or 3 channels, got " + channels);
        }
        if ((long) labels.length * channels * size * size != pixels.length) {
            throw new IllegalArgumentException(pixels.length + " values are not " + labels.length + " images of "
                    + channels + "x" + size + "x" + size);
        }
        for (int y : labels) {
            if (y < 0 || y >= classes) {
                throw new IllegalArgumentException("label " + y + " outside [0, " + classes + ")");
            }
        }
        this.pixels = pixels;
        this.labels = labels;
        this.channels = channels;
        this.size = size;
        this.classes = classes;
        this.description = Objects.requireNonNull(description);
    }

    /**
     * {@code count} distinct images of {@code dataset} drawn with {@code seed}
     * ({@link ImageDataset#distinctIndices}), at {@code size} 32 or 16.
     *
     * @param description what the images are, e.g. {@code fashion-mnist train}; it is stored in
     *     checkpoints and a resumed trainer checks it (with the count, seed and size added here)
     */
    public static ImageSet sample(ImageDataset dataset, int count, long seed, int size, String description) {
        int[] indices = ImageDataset.distinctIndices(Math.min(count, dataset.size()), dataset.size(), seed);
        ImageSet loaded = select(dataset, indices, size, description);
        String fullDescription = description + ", " + indices.length + " of " + dataset.size()
                + " images drawn with seed " + seed + ", " + size + "x" + size;
        return new ImageSet(loaded.pixels, loaded.labels, loaded.channels, size, loaded.classes, fullDescription);
    }

    /**
     * Images {@code indices} of {@code dataset}, in that order, preprocessed as {@link #sample}
     * does; {@code description} is stored as given.
     */
    public static ImageSet select(ImageDataset dataset, int[] indices, int size, String description) {
        if (size != 32 && size != 16) {
            throw new IllegalArgumentException("image size must be 32 or 16, got " + size);
        }
        int channels = dataset instanceof ByteImageDataset b && b.nativeShape().channels() == 1 ? 1 : 3;
        InputShape full = new InputShape(channels, 32, 32);
        int per = channels * size * size;
        float[] pixels = new float[indices.length * per];
        int[] labels = new int[indices.length];
        int chunk = 512;
        for (int from = 0; from < indices.length; from += chunk) {
            int[] part = Arrays.copyOfRange(indices, from, Math.min(indices.length, from + chunk));
            Batch batch = dataset.batch(part, full);
            float[] values = batch.images().reshape(batch.images().length()).toFloatVector();
            batch.images().close();
            for (int k = 0; k < part.length; k++) {
                labels[from + k] = batch.label(k);
                if (size == 32) {
                    System.arraycopy(values, k * per, pixels, (from + k) * per, per);
                } else {
                    for (int c = 0; c < channels; c++) {
                        int src = (k * channels + c) * 1024;
                        int dst = ((from + k) * channels + c) * 256;
                        for (int y = 0; y < 16; y++) {
                            for (int x = 0; x < 16; x++) {
                                int s = src + 2 * y * 32 + 2 * x;
                                pixels[dst + y * 16 + x] =
                                        (values[s] + values[s + 1] + values[s + 32] + values[s + 33]) / 4f;
                            }
                        }
                    }
                }
            }
        }
        return new ImageSet(pixels, labels, channels, size, dataset.classes(), description);
    }

    /** Images already preprocessed, {@code [count, channels (1 or 3), size, size]} row-major (tests, synthetic data). */
    public static ImageSet of(float[] pixels, int[] labels, int channels, int size, int classes, String description) {
        return new ImageSet(pixels.clone(), labels.clone(), channels, size, classes, description);
    }

    public int size() {
        return labels.length;
    }

    /** Height and width. */
    public int imageSize() {
        return size;
    }

    public int classes() {
        return classes;
    }

    public String description() {
        return description;
    }

    public int label(int i) {
        return labels[i];
    }

    /** Writes images {@code indices} as {@code [n, 3, size, size]} into {@code out}; augmented when {@code augment} is not null. */
    void gather(int[] indices, Act out, SplittableRandom augment) {
        int plane = size * size;
        for (int k = 0; k < indices.length; k++) {
            int img = indices[k];
            int oy = 0, ox = 0;
            boolean flip = false;
            if (augment != null) {
                oy = augment.nextInt(9) - 4;
                ox = augment.nextInt(9) - 4;
                flip = augment.nextBoolean();
            }
            for (int c = 0; c < 3; c++) {
                int src = (img * channels + (channels == 1 ? 0 : c)) * plane;
                int dst = (k * 3 + c) * plane;
                for (int y = 0; y < size; y++) {
                    int sy = y + oy;
                    for (int x = 0; x < size; x++) {
                        int sx = (flip ? size - 1 - x : x) + ox;
                        float v = sy < 0 || sy >= size || sx < 0 || sx >= size ? 0f : pixels[src + sy * size + sx];
                        if (out.f != null) {
                            out.f[dst + y * size + x] = v;
                        } else {
                            out.d[dst + y * size + x] = v;
                        }
                    }
                }
            }
        }
    }

    int[] labels(int[] indices) {
        int[] y = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            y[k] = labels[indices[k]];
        }
        return y;
    }
}
