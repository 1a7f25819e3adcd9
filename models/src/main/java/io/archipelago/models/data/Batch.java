package io.archipelago.models.data;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Images [n, C, H, W] (FLOAT) with one class label each.
 *
 * @param images FLOAT array of rank 4, first axis the batch
 * @param labels class of each image; copied on the way in and out
 */
public record Batch(INDArray images, int[] labels) {

    public Batch {
        if (images == null || labels == null) {
            throw new NullPointerException("images and labels are required");
        }
        if (images.rank() != 4) {
            throw new IllegalArgumentException(
                    "images must be [n, C, H, W], got shape " + Arrays.toString(images.shape()));
        }
        if (images.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("images must be FLOAT, got " + images.dataType());
        }
        if (images.size(0) != labels.length) {
            throw new IllegalArgumentException(images.size(0) + " images but " + labels.length + " labels");
        }
        labels = labels.clone();
    }

    /** A copy of the labels. */
    @Override
    public int[] labels() {
        return labels.clone();
    }

    /** The label of image {@code i}. */
    public int label(int i) {
        return labels[i];
    }

    /** Number of images. */
    public int size() {
        return labels.length;
    }

    /** The shape of one image. */
    public InputShape shape() {
        return new InputShape((int) images.size(1), (int) images.size(2), (int) images.size(3));
    }

    @Override
    public String toString() {
        return "Batch[" + size() + " × " + shape() + "]";
    }
}
