package io.archipelago.models.supernet;

import io.archipelago.models.data.ImageDataset;

/**
 * Images of a training split that a network never trained on: the split minus the sample
 * {@link ImageSet#sample} drew for its training (same count, same seed), from which {@code count}
 * images are drawn with {@code seed}. Scoring candidates on these keeps a search's choice away from
 * both the training images and the test images reported at the end.
 */
public final class HeldOutImages {
    private HeldOutImages() {}

    /** The held-out images of a supernet trained as {@code trained} says, on {@code split}. */
    public static ImageSet of(ImageDataset split, TrainingSpec trained, int count, long seed, String description) {
        int[] picked = indices(split.size(), trained.trainImages(), trained.seed(), count, seed);
        return ImageSet.select(
                split,
                picked,
                trained.imageSize(),
                description + ", " + count + " held-out images (seed " + seed + "), " + trained.imageSize() + "x"
                        + trained.imageSize());
    }

    /**
     * {@code count} indices of a split of {@code total} images, none of the {@code trainCount}
     * that {@link ImageSet#sample} draws with {@code trainSeed}.
     *
     * @throws IllegalArgumentException when fewer than {@code count} images are left over
     */
    public static int[] indices(int total, int trainCount, long trainSeed, int count, long seed) {
        if (count <= 0) {
            throw new IllegalArgumentException("held-out image count must be positive, got " + count);
        }
        int[] used = ImageDataset.distinctIndices(Math.min(trainCount, total), total, trainSeed);
        boolean[] taken = new boolean[total];
        for (int i : used) {
            taken[i] = true;
        }
        int[] free = new int[total - used.length];
        for (int i = 0, k = 0; i < total; i++) {
            if (!taken[i]) {
                free[k++] = i;
            }
        }
        if (count > free.length) {
            throw new IllegalArgumentException("only " + free.length + " of " + total + " images were not used to train"
                    + " the network; asked for " + count + " held-out images");
        }
        int[] picks = ImageDataset.distinctIndices(count, free.length, seed);
        int[] picked = new int[count];
        for (int k = 0; k < count; k++) {
            picked[k] = free[picks[k]];
        }
        return picked;
    }
}
