package io.archipelago.models.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A labelled image data set read into memory. Images come out adapted to the network's
 * {@link InputShape}: one gray channel is replicated to every channel, several channels are
 * averaged into one, and the picture is centre padded with zeros (after normalisation, as
 * {@code F.pad} on the normalised tensor) or centre cropped to the target height and width.
 */
public interface ImageDataset {

    /** A short name, e.g. {@code fashion-mnist}. */
    String name();

    /** Number of images. */
    int size();

    /** Number of classes; labels lie in [0, classes). */
    int classes();

    /**
     * The images at {@code indices} (in that order), normalised and adapted to {@code shape}.
     *
     * @throws IndexOutOfBoundsException for an index outside [0, size)
     */
    Batch batch(int[] indices, InputShape shape);

    /** {@code n} distinct random images, the same for the same seed. */
    default Batch sample(int n, long seed, InputShape shape) {
        return batch(distinctIndices(n, size(), seed), shape);
    }

    /**
     * {@code count} batches of {@code n} images each, no image in two of them (e.g. a training
     * and a held-out batch); the same for the same seed.
     */
    default List<Batch> disjointBatches(int count, int n, long seed, InputShape shape) {
        if (count < 0) {
            throw new IllegalArgumentException("batch count must be >= 0, got " + count);
        }
        int total;
        try {
            total = Math.multiplyExact(count, n);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(count + " batches of " + n + " images is too many");
        }
        int[] all = distinctIndices(total, size(), seed);
        List<Batch> out = new ArrayList<>(count);
        for (int b = 0; b < count; b++) {
            out.add(batch(Arrays.copyOfRange(all, b * n, (b + 1) * n), shape));
        }
        return List.copyOf(out);
    }

    /**
     * {@code n} distinct indices in [0, size), in random order, drawn with a
     * {@link SplittableRandom} seeded with {@code seed}.
     */
    static int[] distinctIndices(int n, int size, long seed) {
        if (n < 0) {
            throw new IllegalArgumentException("sample size must be >= 0, got " + n);
        }
        if (n > size) {
            throw new IllegalArgumentException("cannot draw " + n + " distinct images from a data set of " + size);
        }
        SplittableRandom random = new SplittableRandom(seed);
        if ((long) n * 4 >= size) {
            // partial Fisher–Yates over all indices
            int[] perm = new int[size];
            for (int i = 0; i < size; i++) {
                perm[i] = i;
            }
            for (int i = 0; i < n; i++) {
                int j = i + random.nextInt(size - i);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            return Arrays.copyOf(perm, n);
        }
        // few out of many: rejection keeps memory at O(n)
        Set<Integer> chosen = new LinkedHashSet<>(n * 2);
        while (chosen.size() < n) {
            chosen.add(random.nextInt(size));
        }
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }
}
