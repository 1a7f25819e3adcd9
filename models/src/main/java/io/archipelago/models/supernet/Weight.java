package io.archipelago.models.supernet;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One named weight tensor of a {@link SposSupernet}. The heap array is the master copy (the
 * optimizer, checkpoints and the content hash read it); convolution kernels also keep an off-heap
 * copy in OIHW layout for oneDNN, refreshed after every update. Reads from several threads at once
 * are safe; writes belong to the one trainer that owns the supernet.
 */
public final class Weight {
    private final String name;
    private final int index;
    private final int[] shape;
    final float[] f;
    final double[] d;
    final INDArray device; // conv kernels only

    Weight(String name, int index, int[] shape, Precision precision, double[] init, boolean conv) {
        this.name = name;
        this.index = index;
        this.shape = shape.clone();
        int size = 1;
        for (int s : shape) {
            size = Math.multiplyExact(size, s);
        }
        if (init.length != size) {
            throw new IllegalArgumentException(
                    name + ": " + init.length + " initial values for shape " + Arrays.toString(shape));
        }
        if (precision == Precision.FLOAT) {
            f = new float[size];
            for (int i = 0; i < size; i++) {
                f[i] = (float) init[i];
            }
            d = null;
        } else {
            f = null;
            d = init.clone();
        }
        device = conv
                ? Nd4j.createUninitialized(
                        precision.dataType(),
                        Arrays.stream(shape).asLongStream().toArray(),
                        'c')
                : null;
        pushToDevice();
    }

    public String name() {
        return name;
    }

    /** The position of this weight in {@link SposSupernet#weights()}. */
    public int index() {
        return index;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        return f != null ? f.length : d.length;
    }

    public double get(int i) {
        return f != null ? f[i] : d[i];
    }

    /** A copy of the values as floats. */
    public float[] toFloatArray() {
        if (f != null) {
            return f.clone();
        }
        float[] out = new float[d.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    /** A copy of the values as doubles. */
    public double[] toDoubleArray() {
        if (d != null) {
            return d.clone();
        }
        double[] out = new double[f.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    /** Overwrites one value (checkpoint loading, tests); call {@link #pushToDevice()} after. */
    void set(int i, double value) {
        if (f != null) {
            f[i] = (float) value;
        } else {
            d[i] = value;
        }
    }

    /** Copies the heap values to the convolution's device buffer (after any change). */
    void pushToDevice() {
        if (device == null) {
            return;
        }
        if (f != null) {
            device.data().asNioFloat().put(0, f, 0, f.length);
        } else {
            device.data().asNioDouble().put(0, d, 0, d.length);
        }
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
