package io.archipelago.models.supernet;

import io.archipelago.models.data.ImageDataset;
import java.util.Objects;

/**
 * The three image sets of a standalone training run, split so that nothing the reported numbers
 * are measured on was trained on:
 *
 * <ul>
 *   <li>train: {@code train} images of the data set's train split drawn with {@code seed}, exactly
 *       the images {@code ImageSet.sample} gives {@code supernet train --train-images K --seed S},
 *       so a cell trained alone sees what the supernet it is compared with saw;</li>
 *   <li>valid: {@code valid} images of the same split, drawn with {@code seed} from those not in
 *       train (the learning curve, and the metric a search ranks by);</li>
 *   <li>test: {@code test} images of the data set's test split drawn with {@code seed}, only
 *       reported.</li>
 * </ul>
 *
 * When the train and test splits are the same data set (the tests' tiny copy has only t10k) test
 * images may also be training images; that is only good for testing the code.
 */
public record StandaloneImages(ImageSet train, ImageSet valid, ImageSet test) {
    public StandaloneImages {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(valid, "valid");
        Objects.requireNonNull(test, "test");
    }

    /**
     * @param trainDescription what the train split is, e.g. {@code fashion-mnist train}
     * @param testDescription what the test split is, e.g. {@code fashion-mnist t10k}
     * @throws IllegalArgumentException when a count is not positive or the splits are too small
     */
    public static StandaloneImages sample(
            ImageDataset trainSplit,
            String trainDescription,
            ImageDataset testSplit,
            String testDescription,
            int train,
            int valid,
            int test,
            long seed,
            int size) {
        if (train <= 0 || valid <= 0 || test <= 0) {
            throw new IllegalArgumentException(
                    "need positive image counts, got train " + train + ", valid " + valid + ", test " + test);
        }
        if ((long) train + valid > trainSplit.size()) {
            throw new IllegalArgumentException(train + " training and " + valid + " validation images but "
                    + trainDescription + " has only " + trainSplit.size());
        }
        if (test > testSplit.size()) {
            throw new IllegalArgumentException(
                    test + " test images but " + testDescription + " has only " + testSplit.size());
        }
        ImageSet trainSet = ImageSet.sample(trainSplit, train, seed, size, trainDescription);
        int[] validIndices = HeldOutImages.indices(trainSplit.size(), train, seed, valid, seed);
        ImageSet validSet = ImageSet.select(
                trainSplit,
                validIndices,
                size,
                trainDescription + ", " + valid + " of the " + (trainSplit.size() - train)
                        + " images not in training drawn with seed " + seed + ", " + size + "x" + size);
        ImageSet testSet = ImageSet.sample(testSplit, test, seed, size, testDescription);
        return new StandaloneImages(trainSet, validSet, testSet);
    }
}
