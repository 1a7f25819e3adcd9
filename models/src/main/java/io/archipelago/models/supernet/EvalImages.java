package io.archipelago.models.supernet;

import java.util.Objects;

/**
 * A fixed set of images cut into equal batches for evaluating cells with inherited weights: n
 * images in ceil(n / maxBatch) batches whose sizes differ by at most one, the larger first (as
 * {@code torch.tensor_split}). Batch norm uses each batch's own statistics, so the cut is part of
 * the result; it is fixed here so every cell sees the same batches. Immutable, shareable.
 */
public final class EvalImages {
    private final ImageSet images;
    private final int[][] batches;

    private EvalImages(ImageSet images, int[][] batches) {
        this.images = images;
        this.batches = batches;
    }

    /** All images of {@code images}, in order, in ceil(n / maxBatch) equal batches. */
    public static EvalImages of(ImageSet images, int maxBatch) {
        Objects.requireNonNull(images);
        if (maxBatch <= 0) {
            throw new IllegalArgumentException("batch must be positive, got " + maxBatch);
        }
        int n = images.size();
        if (n == 0) {
            throw new IllegalArgumentException("no images to evaluate on");
        }
        int count = (n + maxBatch - 1) / maxBatch;
        int[][] batches = new int[count][];
        int next = 0;
        for (int b = 0; b < count; b++) {
            int size = n / count + (b < n % count ? 1 : 0);
            batches[b] = new int[size];
            for (int k = 0; k < size; k++) {
                batches[b][k] = next++;
            }
        }
        return new EvalImages(images, batches);
    }

    public int size() {
        return images.size();
    }

    public int batchCount() {
        return batches.length;
    }

    public int batchSize(int b) {
        return batches[b].length;
    }

    public ImageSet images() {
        return images;
    }

    int[] batch(int b) {
        return batches[b];
    }
}
