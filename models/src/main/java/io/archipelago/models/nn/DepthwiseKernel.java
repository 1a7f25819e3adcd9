package io.archipelago.models.nn;

import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The depthwise convolution in plain Java. Hand-written because libnd4j's {@code
 * depthwise_conv2d} (M2.1, CPU) has no oneDNN path here and took 178 ms for one 96 x 112 x 112,
 * 3 x 3 plane stack (11 M multiply-adds) where this loop takes a few: it made MnasNet-A1's
 * forward pass 650 ms at 224 x 224. The backward pass too: TEG's per-cotangent backward called
 * libnd4j once per sample on small planes, whose per-call cost dominated a DARTS network's NTK.
 * Both compute in double whatever the arrays' type (one loop to keep right; the copies cost less
 * than the arithmetic). Output columns run over {@code [jFrom, jTo)}: those whose input column
 * {@code j * stride + dc} lies inside the plane, so the inner loop has no bounds test.
 */
final class DepthwiseKernel {
    /** Planes times multiply-adds above which the planes are split over the common pool's threads. */
    private static final long PARALLEL_WORK = 1L << 20;

    private DepthwiseKernel() {}

    /** {@code input [B, C, H, W]}, {@code weights [C, 1, k, k]}; "same"-style zero padding {@code pad}. */
    static INDArray forward(INDArray input, INDArray weights, int stride, int pad, int dilation) {
        int b = (int) input.size(0);
        int c = (int) input.size(1);
        int h = (int) input.size(2);
        int w = (int) input.size(3);
        int k = (int) weights.size(2);
        int oh = (h + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
        int ow = (w + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
        DataType type = input.dataType();
        long work = (long) b * c * oh * ow * k * k;
        IntStream planes = IntStream.range(0, b * c);
        if (work > PARALLEL_WORK) {
            planes = planes.parallel();
        }
        double[] x = doubles(input);
        double[] f = doubles(weights);
        double[] y = new double[b * c * oh * ow];
        planes.forEach(p -> plane(x, f, y, p, p % c, h, w, oh, ow, k, stride, pad, dilation));
        INDArray out = Nd4j.createUninitialized(type, b, c, oh, ow);
        write(out, y);
        return out;
    }

    /** The array itself when its buffer holds exactly its elements in row-major order, else a copy that does. */
    private static INDArray contiguous(INDArray a) {
        boolean packed = a.ordering() == 'c'
                && a.offset() == 0
                && !a.isView()
                && a.data().length() == a.length()
                && java.util.Arrays.equals(a.stride(), Nd4j.getStrides(a.shape(), 'c'));
        return packed ? a : a.dup('c');
    }

    private static void plane(
            double[] x,
            double[] f,
            double[] y,
            int plane,
            int channel,
            int h,
            int w,
            int oh,
            int ow,
            int k,
            int stride,
            int pad,
            int dilation) {
        int in = plane * h * w;
        int out = plane * oh * ow;
        int filter = channel * k * k;
        for (int u = 0; u < k; u++) {
            for (int v = 0; v < k; v++) {
                double weight = f[filter + u * k + v];
                int dr = u * dilation - pad;
                int dc = v * dilation - pad;
                int jFrom = Math.max(0, ceilDiv(-dc, stride));
                int jTo = Math.min(ow, ceilDiv(w - dc, stride));
                for (int i = 0; i < oh; i++) {
                    int r = i * stride + dr;
                    if (r < 0 || r >= h) {
                        continue;
                    }
                    int row = in + r * w + dc;
                    int target = out + i * ow;
                    for (int j = jFrom; j < jTo; j++) {
                        y[target + j] += weight * x[row + j * stride];
                    }
                }
            }
        }
    }

    /**
     * The per-cotangent backward pass: {@code dy [K*M, C, OH, OW]} holds K cotangents, each over M
     * samples of {@code input [B, C, H, W]} (M = 1: cotangent k is sample k's; M = B: every sample).
     * Writes the input gradient into {@code dx [K*M, C, H, W]} and returns the weight gradient
     * of each cotangent, {@code [K, C*k*k]}.
     */
    static INDArray backward(
            INDArray input,
            INDArray weights,
            INDArray dy,
            int cotangents,
            int samplesPerCotangent,
            int stride,
            int pad,
            int dilation,
            INDArray dx) {
        int c = (int) input.size(1);
        int h = (int) input.size(2);
        int w = (int) input.size(3);
        int k = (int) weights.size(2);
        int oh = (int) dy.size(2);
        int ow = (int) dy.size(3);
        double[] x = doubles(input);
        double[] f = doubles(weights);
        double[] g = doubles(dy);
        double[] gx = new double[(int) dx.length()];
        double[] gw = new double[cotangents * c * k * k];
        int planes = cotangents * samplesPerCotangent * c;
        // one task per (cotangent, channel): it alone writes that cotangent's filter and, per sample, its planes
        IntStream tasks = IntStream.range(0, cotangents * c);
        if ((long) planes * oh * ow * k * k > PARALLEL_WORK) {
            tasks = tasks.parallel();
        }
        tasks.forEach(task -> {
            int cot = task / c;
            int ch = task % c;
            for (int m = 0; m < samplesPerCotangent; m++) {
                int row = cot * samplesPerCotangent + m;
                int sample = samplesPerCotangent == 1 ? cot : m;
                int in = (sample * c + ch) * h * w;
                int grad = (row * c + ch) * oh * ow;
                int out = (row * c + ch) * h * w;
                for (int u = 0; u < k; u++) {
                    for (int v = 0; v < k; v++) {
                        int tap = ch * k * k + u * k + v;
                        double weight = f[tap];
                        int dr = u * dilation - pad;
                        int dc = v * dilation - pad;
                        int jFrom = Math.max(0, ceilDiv(-dc, stride));
                        int jTo = Math.min(ow, ceilDiv(w - dc, stride));
                        double sum = 0;
                        for (int i = 0; i < oh; i++) {
                            int r = i * stride + dr;
                            if (r < 0 || r >= h) {
                                continue;
                            }
                            int xRow = in + r * w + dc;
                            int dxRow = out + r * w + dc;
                            int gRow = grad + i * ow;
                            for (int j = jFrom; j < jTo; j++) {
                                double d = g[gRow + j];
                                sum += d * x[xRow + j * stride];
                                gx[dxRow + j * stride] += d * weight;
                            }
                        }
                        gw[cot * c * k * k + tap] += sum;
                    }
                }
            }
        });
        write(dx, gx);
        INDArray dw = Nd4j.createUninitialized(dy.dataType(), cotangents, (long) c * k * k);
        write(dw, gw);
        return dw;
    }

    private static double[] doubles(INDArray a) {
        double[] out = new double[(int) a.length()];
        contiguous(a.dataType() == DataType.DOUBLE ? a : a.castTo(DataType.DOUBLE))
                .data()
                .asNioDouble()
                .get(out);
        return out;
    }

    /** Writes values in row-major order into {@code target} (a fresh array or a view of one). */
    private static void write(INDArray target, double[] values) {
        INDArray source = Nd4j.create(values, target.shape(), 'c');
        target.assign(source.dataType() == target.dataType() ? source : source.castTo(target.dataType()));
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
