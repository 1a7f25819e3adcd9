package io.archipelago.evaluators.train;

import java.util.Objects;

/**
 * How the {@code train} evaluator trains a cell alone: the data set ({@code --data} form, e.g.
 * {@code fashion-mnist}), the network (C, N, image size), the recipe (batch, default epochs,
 * seed, augmentation; the rest is the SPOS reference's SGD), how many train, validation and test
 * images, the seed the images are drawn with, and ND4J's threads.
 *
 * @param imageSeed the seed of the images drawn; 0 is {@code supernet train}'s default
 *     {@code --seed}, so both train on the same images
 * @param seed the seed of the initialisation, the batch order and the augmentation
 * @param threads ND4J threads, set process-wide when the evaluator opens its images
 */
public record TrainSettings(
        String data,
        int channels,
        int cells,
        int imageSize,
        int batch,
        int trainImages,
        int validImages,
        int testImages,
        int epochs,
        long imageSeed,
        long seed,
        int threads,
        boolean augment) {

    public TrainSettings {
        Objects.requireNonNull(data, "data");
        if (channels <= 0
                || cells <= 0
                || batch <= 0
                || validImages <= 0
                || testImages <= 0
                || epochs <= 0
                || threads <= 0) {
            throw new IllegalArgumentException("invalid train settings: " + this);
        }
        if (trainImages < batch) {
            throw new IllegalArgumentException(trainImages + " training images are fewer than one batch of " + batch);
        }
        if (imageSize != 32 && imageSize != 16) {
            throw new IllegalArgumentException("image size must be 32 or 16, got " + imageSize);
        }
    }

    /** The same settings with another training seed (the images stay the same). */
    public TrainSettings withSeed(long s) {
        return new TrainSettings(
                data,
                channels,
                cells,
                imageSize,
                batch,
                trainImages,
                validImages,
                testImages,
                epochs,
                imageSeed,
                s,
                threads,
                augment);
    }

    /** A short text of what a result was trained with, for the results' labels. */
    public String recipe(int trainedEpochs) {
        return "C=" + channels + " N=" + cells + " " + imageSize + "px, " + trainImages + " train / " + validImages
                + " valid / " + testImages + " test images of " + data + " (image seed " + imageSeed + "), "
                + trainedEpochs + " epochs, batch " + batch + ", seed " + seed + (augment ? ", augmented" : "");
    }
}
