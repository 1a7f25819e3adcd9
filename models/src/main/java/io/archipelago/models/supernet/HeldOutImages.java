package io.archipelago.models.supernet;

import io.archipelago.models.data.ImageDataset;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Images of a training split that a supernet never trained on: the split minus the sample
 * {@link ImageSet#sample} drew for its {@link TrainingSpec} (same count, same seed), from which
 * {@code count} images are drawn with {@code seed}. Scoring candidates on these keeps the search's
 * choice away from both the supernet's training images and the test images reported at the end.
 */
public final class HeldOutImages {
    private HeldOutImages() {}

    /**
     * @param split the data set the supernet's training images were sampled from
     * @throws IllegalArgumentException when fewer than {@code count} images are left over
     */
    public static ImageSet of(ImageDataset split, TrainingSpec trained, int count, long seed, String description) {
        if (count <= 0) {
            throw new IllegalArgumentException("held-out image count must be positive, got " + count);
        }
        int total = split.size();
        int[] used = ImageDataset.distinctIndices(Math.min(trained.trainImages(), total), total, trained.seed());
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
                    + " the supernet; asked for " + count + " held-out images");
        }
        int[] picked = Arrays.copyOf(shuffled(free, new SplittableRandom(seed)), count);
        return ImageSet.gather(
                split,
                picked,
                trained.imageSize(),
                description + ", " + count + " held-out images (seed " + seed + "), " + trained.imageSize() + "x"
                        + trained.imageSize());
    }

    private static int[] shuffled(int[] values, SplittableRandom random) {
        int[] p = values.clone();
        for (int i = p.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
