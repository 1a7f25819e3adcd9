package io.archipelago.models.supernet;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The scratch memory of one thread's passes through a supernet: heap arrays for activations and
 * off-heap ND4J buffers for the convolutions, both pooled by size and handed out again after
 * {@link #reset()}. A training step or an evaluated batch allocates nothing once the pools are warm,
 * so off-heap memory (freed by ND4J only when the GC finalises handles) stays bounded, and the
 * device buffers are freed for good by {@link #close()}.
 *
 * <p>Not thread-safe: one workspace per thread. Arrays handed out are <em>not</em> cleared unless
 * asked ({@link #zeros}); every kernel writes its whole output.
 */
final class Workspace implements AutoCloseable {
    private final Precision precision;
    private final Map<Integer, ArrayDeque<float[]>> freeFloats = new HashMap<>();
    private final Map<Integer, ArrayDeque<double[]>> freeDoubles = new HashMap<>();
    private final List<float[]> lentFloats = new ArrayList<>();
    private final List<double[]> lentDoubles = new ArrayList<>();
    private final Map<String, ArrayDeque<INDArray>> freeDevice = new HashMap<>();
    private final List<INDArray> lentDevice = new ArrayList<>();
    private boolean closed;

    Workspace(Precision precision) {
        this.precision = precision;
    }

    Precision precision() {
        return precision;
    }

    /** An activation of the workspace's precision with arbitrary contents. */
    Act act(int n, int c, int h, int w) {
        int len = Math.multiplyExact(Math.multiplyExact(n, c), Math.multiplyExact(h, w));
        if (precision == Precision.FLOAT) {
            return new Act(n, c, h, w, floats(len), null);
        }
        return new Act(n, c, h, w, null, doubles(len));
    }

    Act actLike(Act a) {
        return act(a.n, a.c, a.h, a.w);
    }

    Act zeros(int n, int c, int h, int w) {
        Act a = act(n, c, h, w);
        if (a.f != null) {
            Arrays.fill(a.f, 0f);
        } else {
            Arrays.fill(a.d, 0.0);
        }
        return a;
    }

    float[] floats(int len) {
        ArrayDeque<float[]> free = freeFloats.get(len);
        float[] a = free == null || free.isEmpty() ? new float[len] : free.pop();
        lentFloats.add(a);
        return a;
    }

    double[] doubles(int len) {
        ArrayDeque<double[]> free = freeDoubles.get(len);
        double[] a = free == null || free.isEmpty() ? new double[len] : free.pop();
        lentDoubles.add(a);
        return a;
    }

    /** An off-heap buffer of the workspace's precision, arbitrary contents, C order. */
    INDArray device(long... shape) {
        checkOpen();
        String key = Arrays.toString(shape);
        ArrayDeque<INDArray> free = freeDevice.get(key);
        INDArray a = free == null || free.isEmpty()
                ? Nd4j.createUninitialized(precision.dataType(), shape, 'c')
                : free.pop();
        lentDevice.add(a);
        return a;
    }

    /** Returns a device buffer before the next {@link #reset()}, for reuse within the same pass. */
    void giveBack(INDArray a) {
        for (int i = lentDevice.size() - 1; i >= 0; i--) {
            if (lentDevice.get(i) == a) {
                lentDevice.remove(i);
                freeDevice
                        .computeIfAbsent(Arrays.toString(a.shape()), k -> new ArrayDeque<>())
                        .push(a);
                return;
            }
        }
        throw new IllegalStateException("buffer not lent by this workspace");
    }

    /** Everything handed out since the last reset becomes free again (callers drop their references). */
    void reset() {
        for (float[] a : lentFloats) {
            freeFloats.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
        }
        lentFloats.clear();
        for (double[] a : lentDoubles) {
            freeDoubles.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
        }
        lentDoubles.clear();
        for (INDArray a : lentDevice) {
            freeDevice
                    .computeIfAbsent(Arrays.toString(a.shape()), k -> new ArrayDeque<>())
                    .push(a);
        }
        lentDevice.clear();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("workspace closed");
        }
    }

    /** Frees the device buffers now (rather than when the GC gets to their handles). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        reset();
        for (ArrayDeque<INDArray> q : freeDevice.values()) {
            for (INDArray a : q) {
                if (!a.wasClosed() && a.closeable()) {
                    a.close();
                }
            }
        }
        freeDevice.clear();
        freeFloats.clear();
        freeDoubles.clear();
    }
}
