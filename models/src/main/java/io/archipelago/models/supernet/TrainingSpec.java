package io.archipelago.models.supernet;

import io.archipelago.models.space.NetworkShape;
import java.util.Objects;

/**
 * Everything that determines a SPOS training run (with the training images, which
 * {@code data} describes): the supernet's C and N, the images' size and classes, the SGD recipe
 * (Nesterov momentum, weight decay on every weight that got a gradient, learning rate cosine to 0
 * by step over {@code totalSteps}), the batch, how many training images, the seed of every random
 * choice, and whether images are augmented. Stored in checkpoints.
 */
public record TrainingSpec(
        int channels,
        int cells,
        int imageSize,
        int classes,
        int batch,
        double learningRate,
        double momentum,
        double weightDecay,
        long totalSteps,
        int trainImages,
        String data,
        long seed,
        boolean augment) {

    public TrainingSpec {
        Objects.requireNonNull(data, "data");
        if (channels <= 0 || cells <= 0 || classes <= 1 || batch <= 0 || totalSteps <= 0 || trainImages < batch) {
            throw new IllegalArgumentException("invalid training spec: C=" + channels + ", N=" + cells + ", " + classes
                    + " classes, batch " + batch + ", " + totalSteps + " steps, " + trainImages
                    + " training images (need at least one batch)");
        }
        if (imageSize <= 0 || imageSize % 4 != 0) {
            throw new IllegalArgumentException("image size must be a positive multiple of 4, got " + imageSize);
        }
        if (!(learningRate > 0) || momentum < 0 || momentum >= 1 || weightDecay < 0) {
            throw new IllegalArgumentException("invalid SGD settings: lr " + learningRate + ", momentum " + momentum
                    + ", weight decay " + weightDecay);
        }
    }

    /** The reference recipe: batch 64, SGD lr 0.025, momentum 0.9 (Nesterov), weight decay 5e-4, 10 classes. */
    public static TrainingSpec reference(
            int channels,
            int cells,
            int imageSize,
            long totalSteps,
            int trainImages,
            String data,
            long seed,
            boolean augment) {
        return new TrainingSpec(
                channels, cells, imageSize, 10, 64, 0.025, 0.9, 5e-4, totalSteps, trainImages, data, seed, augment);
    }

    /** Total steps for {@code epochs} epochs: each epoch has floor(trainImages / batch) steps (the short last batch is dropped). */
    public static long stepsFor(int epochs, int trainImages, int batch) {
        return (long) epochs * (trainImages / batch);
    }

    public int stepsPerEpoch() {
        return trainImages / batch;
    }

    /** The supernet's shape: 3-channel square images of {@link #imageSize}. */
    public NetworkShape shape() {
        return new NetworkShape(channels, cells, 3, imageSize, imageSize, classes);
    }

    /** The learning rate of step {@code step} (0-based): {@code lr/2 (1 + cos(pi step / total))}. */
    public double learningRate(long step) {
        return 0.5 * learningRate * (1 + Math.cos(Math.PI * step / totalSteps));
    }

    public TrainingSpec withTotalSteps(long steps) {
        return new TrainingSpec(
                channels,
                cells,
                imageSize,
                classes,
                batch,
                learningRate,
                momentum,
                weightDecay,
                steps,
                trainImages,
                data,
                seed,
                augment);
    }

    public TrainingSpec withBatch(int b) {
        return new TrainingSpec(
                channels,
                cells,
                imageSize,
                classes,
                b,
                learningRate,
                momentum,
                weightDecay,
                totalSteps,
                trainImages,
                data,
                seed,
                augment);
    }
}
