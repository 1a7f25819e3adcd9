package io.archipelago.models.nn;

import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Seeded initialisation drawn in Java, in ND4J's default floating-point type: ND4J's random generator is global to the process, so two
 * evaluators building networks at once would otherwise disturb each other's seeds.
 */
public final class Init {
    private Init() {}

    /**
     * The generator of one named parameter: weights depend on (seed, name) only, so the same op
     * at the same place gets the same weights whatever else the network holds. Comparing a
     * supernet with and without one op then measures the op, not a reshuffled initialisation
     * (as TE-NAS's masking of a shared supernet does).
     */
    public static RandomGenerator random(long seed, String name) {
        return new java.util.SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
    }

    public static INDArray normal(RandomGenerator random, double std, long... shape) {
        float[] values = new float[Math.toIntExact(length(shape))];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * std);
        }
        return Nd4j.create(values, shape).castTo(Nd4j.defaultFloatingPointType());
    }

    public static INDArray uniform(RandomGenerator random, double bound, long... shape) {
        float[] values = new float[Math.toIntExact(length(shape))];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return Nd4j.create(values, shape).castTo(Nd4j.defaultFloatingPointType());
    }

    public static INDArray constant(float value, long... shape) {
        return Nd4j.valueArrayOf(shape, value, Nd4j.defaultFloatingPointType());
    }

    private static long length(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }
}
