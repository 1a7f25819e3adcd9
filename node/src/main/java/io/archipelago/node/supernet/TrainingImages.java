package io.archipelago.node.supernet;

import io.archipelago.models.data.ImageDataset;
import io.archipelago.models.data.TrainingData;

/**
 * The training images of {@code supernet train --data}: the train split of {@link TrainingData}
 * (Fashion-MNIST's train files, or t10k when DIR has none; CIFAR-10's {@code data_batch_*.bin}).
 *
 * @param dataset the opened data set
 * @param description what the images are, without the path (so a moved data set still resumes),
 *     e.g. {@code fashion-mnist train}; {@code ImageSet.sample} adds count, seed and size
 */
record TrainingImages(ImageDataset dataset, String description) {
    /** @throws IllegalArgumentException for an unknown spec or missing/malformed files */
    static TrainingImages open(String spec) {
        TrainingData data = TrainingData.train(spec);
        return new TrainingImages(data.dataset(), data.description());
    }
}
