package io.archipelago.models.data;

import java.util.Objects;
import java.util.SplittableRandom;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Images of independent N(0, 1) values with labels uniform over the classes: a data-free
 * baseline. Image {@code i} depends only on (seed, i) and the requested shape, so
 * {@link #batch} is reproducible and two batches with different indices share no image.
 */
public final class GaussianNoise implements ImageDataset {
    private final int classes;
    private final int size;
    private final long seed;

    /** 10 classes, {@link Integer#MAX_VALUE} images, seed 0. */
    public GaussianNoise() {
        this(10, Integer.MAX_VALUE, 0L);
    }

    public GaussianNoise(int classes, int size, long seed) {
        if (classes <= 0) {
            throw new IllegalArgumentException("classes must be > 0, got " + classes);
        }
        if (size <= 0) {
            throw new IllegalArgumentException("size must be > 0, got " + size);
        }
        this.classes = classes;
        this.size = size;
        this.seed = seed;
    }

    @Override
    public String name() {
        return "gaussian";
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int classes() {
        return classes;
    }

    /** The seed the images derive from. */
    public long seed() {
        return seed;
    }

    @Override
    public Batch batch(int[] indices, InputShape shape) {
        Objects.requireNonNull(indices, "indices");
        int pixels = shape.pixels();
        float[] out = new float[Math.multiplyExact(indices.length, pixels)];
        int[] labels = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int index = Objects.checkIndex(indices[k], size);
            SplittableRandom random = new SplittableRandom(mix(seed, index));
            labels[k] = random.nextInt(classes);
            int base = k * pixels;
            for (int p = 0; p < pixels; p++) {
                out[base + p] = (float) random.nextGaussian();
            }
        }
        return new Batch(Nd4j.createFromArray(out).reshape('c', shape.batchShape(indices.length)), labels);
    }

    /** A well mixed per-image seed (SplitMix64 finaliser of seed and index). */
    private static long mix(long seed, int index) {
        long z = seed + (index + 1L) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public String toString() {
        return "gaussian[" + size + " images, " + classes + " classes, seed " + seed + "]";
    }
}
