package io.archipelago.models.data;

/**
 * The shape of one network input, channels × height × width (NCHW without the batch axis).
 * NAS-Bench-201 networks take {@link #DEFAULT} 3×32×32.
 */
public record InputShape(int channels, int height, int width) {
    /** 3×32×32, the NAS-Bench-201 input. */
    public static final InputShape DEFAULT = new InputShape(3, 32, 32);

    public InputShape {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException(
                    "input shape must be positive, got " + channels + "×" + height + "×" + width);
        }
    }

    /** Values in one image, channels·height·width. */
    public int pixels() {
        return Math.multiplyExact(channels, Math.multiplyExact(height, width));
    }

    /** [n, channels, height, width]. */
    public long[] batchShape(int n) {
        return new long[] {n, channels, height, width};
    }

    @Override
    public String toString() {
        return channels + "×" + height + "×" + width;
    }
}
