package io.archipelago.models.nn;

import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What every space's whole network does the same way: count its parameters, check its input. */
public final class Networks {
    private Networks() {}

    /** Scalars in {@code parameters}. */
    public static long parameterCount(List<Parameter> parameters) {
        long n = 0;
        for (Parameter p : parameters) {
            n += p.size();
        }
        return n;
    }

    /**
     * Refuses images that are not {@code [B, channels, height, width]}, naming both shapes: a
     * mismatch would otherwise surface as a libnd4j shape error deep inside some layer.
     */
    public static void requireImages(INDArray images, int channels, int height, int width) {
        long[] s = images.shape();
        if (s.length != 4 || s[1] != channels || s[2] != height || s[3] != width) {
            throw new IllegalArgumentException(
                    "expected images [B, " + channels + ", " + height + ", " + width + "], got " + Arrays.toString(s));
        }
    }
}
