package io.archipelago.models.supernet;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The element-wise and pooling work of the supernet as plain Java loops over heap arrays (NCHW),
 * one float and one double version side by side. Measured on this project's 2-core machine
 * ({@code B=64, C=8, 32x32}, one thread, CPU time): a batch-norm forward+backward built from ND4J
 * ops (as {@code nn.BatchNorm2d} does) took about 50 ms, a ReLU forward+backward about 20 ms; the
 * same work here takes about 1 ms and 0.3 ms (every ND4J op pays a JNI call, an output allocation
 * and a thread hand-off, and the ops cannot be fused). Only the convolutions, where oneDNN is 2-3
 * times faster than a Java loop, go to ND4J ({@link DeviceConv}).
 *
 * <p>Batch statistics are accumulated in double (per plane in the working precision, then summed).
 */
final class Kernels {
    static final double BN_EPS = 1e-5;

    private Kernels() {}

    // ------------------------------------------------------------------ device transfer

    /** Copies {@code a} (through a ReLU when {@code relu}) into the device buffer {@code buf} of the same length. */
    static void toDevice(Act a, INDArray buf, boolean relu, Workspace ws) {
        int len = a.length();
        if (a.f != null) {
            float[] src = a.f;
            if (relu) {
                float[] t = ws.floats(len);
                for (int i = 0; i < len; i++) {
                    t[i] = Math.max(src[i], 0f);
                }
                src = t;
            }
            buf.data().asNioFloat().put(0, src, 0, len);
        } else {
            double[] src = a.d;
            if (relu) {
                double[] t = ws.doubles(len);
                for (int i = 0; i < len; i++) {
                    t[i] = Math.max(src[i], 0.0);
                }
                src = t;
            }
            buf.data().asNioDouble().put(0, src, 0, len);
        }
    }

    /**
     * Copies {@code a} {@code [n, c, h, w]} with batch and channels swapped, {@code [c, n, h, w]}
     * (through a ReLU when {@code relu}), into the device buffer {@code buf}.
     */
    static void toDeviceSwapped(Act a, INDArray buf, boolean relu, Workspace ws) {
        int len = a.length(), hw = a.plane();
        if (a.f != null) {
            float[] t = ws.floats(len);
            for (int b = 0; b < a.n; b++) {
                for (int ch = 0; ch < a.c; ch++) {
                    int src = (b * a.c + ch) * hw, dst = (ch * a.n + b) * hw;
                    if (relu) {
                        for (int i = 0; i < hw; i++) {
                            t[dst + i] = Math.max(a.f[src + i], 0f);
                        }
                    } else {
                        System.arraycopy(a.f, src, t, dst, hw);
                    }
                }
            }
            buf.data().asNioFloat().put(0, t, 0, len);
        } else {
            double[] t = ws.doubles(len);
            for (int b = 0; b < a.n; b++) {
                for (int ch = 0; ch < a.c; ch++) {
                    int src = (b * a.c + ch) * hw, dst = (ch * a.n + b) * hw;
                    if (relu) {
                        for (int i = 0; i < hw; i++) {
                            t[dst + i] = Math.max(a.d[src + i], 0.0);
                        }
                    } else {
                        System.arraycopy(a.d, src, t, dst, hw);
                    }
                }
            }
            buf.data().asNioDouble().put(0, t, 0, len);
        }
    }

    static void fromDevice(INDArray buf, Act a) {
        int len = a.length();
        if (buf.length() != len) {
            throw new IllegalArgumentException("device buffer of " + buf.length() + " for " + a);
        }
        if (a.f != null) {
            buf.data().asNioFloat().get(0, a.f, 0, len);
        } else {
            buf.data().asNioDouble().get(0, a.d, 0, len);
        }
    }

    // ------------------------------------------------------------------ ReLU and sums

    /**
     * All ones when {@code v > 0} (as a float), else 0 (also for -0 and NaN with the sign bit): the
     * ReLU's mask without a branch. A branch or a ternary mispredicts on random signs and does not
     * vectorise: 2.9 ms vs 0.12 ms for 64 x 8 x 32 x 32 floats measured here.
     */
    private static int positiveMask(float v) {
        int bits = Float.floatToRawIntBits(v);
        return (-bits & ~bits) >> 31;
    }

    /** {@code dx[i] = 0} where {@code x[i] <= 0} (the ReLU's backward, in place). */
    static void reluMask(Act dx, Act x) {
        int len = dx.length();
        if (dx.f != null) {
            float[] g = dx.f;
            float[] v = x.f;
            for (int i = 0; i < len; i++) {
                g[i] = Float.intBitsToFloat(Float.floatToRawIntBits(g[i]) & positiveMask(v[i]));
            }
        } else {
            double[] g = dx.d;
            double[] v = x.d;
            for (int i = 0; i < len; i++) {
                g[i] = v[i] > 0 ? g[i] : 0;
            }
        }
    }

    static void add(Act a, Act b, Act out) {
        int len = a.length();
        if (a.f != null) {
            float[] x = a.f, y = b.f, o = out.f;
            for (int i = 0; i < len; i++) {
                o[i] = x[i] + y[i];
            }
        } else {
            double[] x = a.d, y = b.d, o = out.d;
            for (int i = 0; i < len; i++) {
                o[i] = x[i] + y[i];
            }
        }
    }

    static void addInPlace(Act acc, Act b) {
        add(acc, b, acc);
    }

    // ------------------------------------------------------------------ batch norm

    /**
     * Batch norm on the batch's own statistics (biased variance, eps 1e-5). Writes x-hat into
     * {@code xhat} and {@code gamma * xhat + beta} into {@code y}; without affine parameters
     * ({@code gamma == null}) {@code y} is x-hat and {@code xhat} may be {@code y}. Any of the
     * outputs may be {@code x} itself. {@code gamma}/{@code beta} are float[] or double[] as the
     * activations. Writes 1/sigma per channel into {@code invStd}.
     */
    static void bnForward(Act x, Act xhat, Act y, Object gamma, Object beta, double[] invStd) {
        int n = x.n, c = x.c, hw = x.plane();
        double count = (double) n * hw;
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int b = 0; b < n; b++) {
                sum += planeSum(x, (b * c + ch) * hw, hw);
            }
            double mean = sum / count;
            double sq = 0;
            for (int b = 0; b < n; b++) {
                sq += planeSqDev(x, (b * c + ch) * hw, hw, mean);
            }
            double inv = 1.0 / Math.sqrt(sq / count + BN_EPS);
            invStd[ch] = inv;
            if (x.f != null) {
                float m = (float) mean, s = (float) inv;
                float g = gamma == null ? 1f : ((float[]) gamma)[ch];
                float be = beta == null ? 0f : ((float[]) beta)[ch];
                float[] xs = x.f, xh = xhat.f, ys = y.f;
                boolean affine = gamma != null;
                for (int b = 0; b < n; b++) {
                    int o = (b * c + ch) * hw;
                    for (int i = o; i < o + hw; i++) {
                        float v = (xs[i] - m) * s;
                        xh[i] = v;
                        if (affine) {
                            ys[i] = g * v + be;
                        }
                    }
                }
            } else {
                double g = gamma == null ? 1 : ((double[]) gamma)[ch];
                double be = beta == null ? 0 : ((double[]) beta)[ch];
                double[] xs = x.d, xh = xhat.d, ys = y.d;
                boolean affine = gamma != null;
                for (int b = 0; b < n; b++) {
                    int o = (b * c + ch) * hw;
                    for (int i = o; i < o + hw; i++) {
                        double v = (xs[i] - mean) * inv;
                        xh[i] = v;
                        if (affine) {
                            ys[i] = g * v + be;
                        }
                    }
                }
            }
        }
    }

    // The float reductions below keep 4 independent partial sums: a single accumulator is bound by
    // the latency of one add per element (the JIT may not reorder float additions).

    private static double planeSum(Act x, int o, int len) {
        if (x.f != null) {
            float[] a = x.f;
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            int i = o, end = o + len;
            for (; i + 3 < end; i += 4) {
                s0 += a[i];
                s1 += a[i + 1];
                s2 += a[i + 2];
                s3 += a[i + 3];
            }
            for (; i < end; i++) {
                s0 += a[i];
            }
            return (double) s0 + s1 + s2 + s3;
        }
        double s = 0;
        double[] a = x.d;
        for (int i = o; i < o + len; i++) {
            s += a[i];
        }
        return s;
    }

    private static double planeSqDev(Act x, int o, int len, double mean) {
        if (x.f != null) {
            float[] a = x.f;
            float m = (float) mean;
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            int i = o, end = o + len;
            for (; i + 3 < end; i += 4) {
                float v0 = a[i] - m, v1 = a[i + 1] - m, v2 = a[i + 2] - m, v3 = a[i + 3] - m;
                s0 += v0 * v0;
                s1 += v1 * v1;
                s2 += v2 * v2;
                s3 += v3 * v3;
            }
            for (; i < end; i++) {
                float v = a[i] - m;
                s0 += v * v;
            }
            return (double) s0 + s1 + s2 + s3;
        }
        double s = 0;
        double[] a = x.d;
        for (int i = o; i < o + len; i++) {
            double v = a[i] - mean;
            s += v * v;
        }
        return s;
    }

    /**
     * Backward of {@link #bnForward}: {@code dx = gamma/sigma (dy - mean(dy) - xhat mean(dy xhat))}
     * per channel; {@code dx} may be {@code dy}. The sums of {@code dy xhat} and {@code dy} per
     * channel (the gradients of gamma and beta) go to {@code dGamma}/{@code dBeta} when not null.
     */
    static void bnBackward(Act dy, Act xhat, double[] invStd, Object gamma, Act dx, double[] dGamma, double[] dBeta) {
        int n = dy.n, c = dy.c, hw = dy.plane();
        double count = (double) n * hw;
        for (int ch = 0; ch < c; ch++) {
            double sdy = 0, sdyx = 0;
            if (dy.f != null) {
                float[] g = dy.f, xh = xhat.f;
                for (int b = 0; b < n; b++) {
                    int o = (b * c + ch) * hw, end = o + hw, i = o;
                    float a0 = 0f, a1 = 0f, p0 = 0f, p1 = 0f;
                    for (; i + 1 < end; i += 2) {
                        float v0 = g[i], v1 = g[i + 1];
                        a0 += v0;
                        a1 += v1;
                        p0 += v0 * xh[i];
                        p1 += v1 * xh[i + 1];
                    }
                    for (; i < end; i++) {
                        a0 += g[i];
                        p0 += g[i] * xh[i];
                    }
                    sdy += (double) a0 + a1;
                    sdyx += (double) p0 + p1;
                }
            } else {
                double[] g = dy.d, xh = xhat.d;
                for (int b = 0; b < n; b++) {
                    int o = (b * c + ch) * hw;
                    for (int i = o; i < o + hw; i++) {
                        double v = g[i];
                        sdy += v;
                        sdyx += v * xh[i];
                    }
                }
            }
            if (dGamma != null) {
                dGamma[ch] = sdyx;
            }
            if (dBeta != null) {
                dBeta[ch] = sdy;
            }
            double gam = gamma == null ? 1 : gamma instanceof float[] gf ? gf[ch] : ((double[]) gamma)[ch];
            double k = gam * invStd[ch];
            double mdy = sdy / count, mdyx = sdyx / count;
            if (dy.f != null) {
                float kf = (float) k, a = (float) mdy, bb = (float) mdyx;
                float[] g = dy.f, xh = xhat.f, o = dx.f;
                for (int b = 0; b < n; b++) {
                    int off = (b * c + ch) * hw;
                    for (int i = off; i < off + hw; i++) {
                        o[i] = kf * (g[i] - a - xh[i] * bb);
                    }
                }
            } else {
                double[] g = dy.d, xh = xhat.d, o = dx.d;
                for (int b = 0; b < n; b++) {
                    int off = (b * c + ch) * hw;
                    for (int i = off; i < off + hw; i++) {
                        o[i] = k * (g[i] - mdy - xh[i] * mdyx);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ pooling

    /** 1 / (number of in-image positions of each 3x3 window), per position of an h x w plane. */
    private static double[] inverseCounts3(int h, int w) {
        double[] inv = new double[h * w];
        for (int y = 0; y < h; y++) {
            int rows = Math.min(y + 1, h - 1) - Math.max(y - 1, 0) + 1;
            for (int x = 0; x < w; x++) {
                int cols = Math.min(x + 1, w - 1) - Math.max(x - 1, 0) + 1;
                inv[y * w + x] = 1.0 / (rows * cols);
            }
        }
        return inv;
    }

    /**
     * 3x3 average pooling, stride 1, padding 1, the padding excluded from each average
     * ({@code count_include_pad=False}, as NAS-Bench-201): a zero-padded box sum times 1/count.
     */
    static void avgPool3(Act x, Act out, Workspace ws) {
        int h = x.h, w = x.w, hw = h * w, planes = x.n * x.c;
        double[] inv = inverseCounts3(h, w);
        if (x.f != null) {
            float[] invf = new float[hw];
            for (int i = 0; i < hw; i++) {
                invf[i] = (float) inv[i];
            }
            float[] tmp = ws.floats(hw);
            for (int p = 0; p < planes; p++) {
                boxSum3(x.f, p * hw, out.f, p * hw, h, w, tmp);
                int o = p * hw;
                for (int i = 0; i < hw; i++) {
                    out.f[o + i] *= invf[i];
                }
            }
        } else {
            double[] tmp = ws.doubles(hw);
            for (int p = 0; p < planes; p++) {
                boxSum3(x.d, p * hw, out.d, p * hw, h, w, tmp);
                int o = p * hw;
                for (int i = 0; i < hw; i++) {
                    out.d[o + i] *= inv[i];
                }
            }
        }
    }

    /** Backward of {@link #avgPool3}: the box sum (a symmetric window) of dy / count. */
    static void avgPool3Backward(Act dy, Act dx, Workspace ws) {
        int h = dy.h, w = dy.w, hw = h * w, planes = dy.n * dy.c;
        double[] inv = inverseCounts3(h, w);
        if (dy.f != null) {
            float[] scaled = ws.floats(hw), tmp = ws.floats(hw);
            for (int p = 0; p < planes; p++) {
                int o = p * hw;
                for (int i = 0; i < hw; i++) {
                    scaled[i] = dy.f[o + i] * (float) inv[i];
                }
                boxSum3(scaled, 0, dx.f, o, h, w, tmp);
            }
        } else {
            double[] scaled = ws.doubles(hw), tmp = ws.doubles(hw);
            for (int p = 0; p < planes; p++) {
                int o = p * hw;
                for (int i = 0; i < hw; i++) {
                    scaled[i] = dy.d[o + i] * inv[i];
                }
                boxSum3(scaled, 0, dx.d, o, h, w, tmp);
            }
        }
    }

    // Zero-padded 3x3 box sums, separable (rows, then columns), with the borders peeled off so the
    // inner loops have no branches and vectorise.

    private static void boxSum3(float[] src, int so, float[] dst, int dO, int h, int w, float[] tmp) {
        for (int y = 0; y < h; y++) {
            int r = so + y * w, t = y * w;
            if (w == 1) {
                tmp[t] = src[r];
                continue;
            }
            tmp[t] = src[r] + src[r + 1];
            for (int x = 1; x < w - 1; x++) {
                tmp[t + x] = src[r + x - 1] + src[r + x] + src[r + x + 1];
            }
            tmp[t + w - 1] = src[r + w - 2] + src[r + w - 1];
        }
        for (int y = 0; y < h; y++) {
            int t = y * w, d = dO + y * w;
            if (y > 0 && y < h - 1) {
                for (int x = 0; x < w; x++) {
                    dst[d + x] = tmp[t - w + x] + tmp[t + x] + tmp[t + w + x];
                }
            } else if (h == 1) {
                System.arraycopy(tmp, t, dst, d, w);
            } else {
                int other = y == 0 ? t + w : t - w;
                for (int x = 0; x < w; x++) {
                    dst[d + x] = tmp[t + x] + tmp[other + x];
                }
            }
        }
    }

    private static void boxSum3(double[] src, int so, double[] dst, int dO, int h, int w, double[] tmp) {
        for (int y = 0; y < h; y++) {
            int r = so + y * w, t = y * w;
            for (int x = 0; x < w; x++) {
                double s = src[r + x];
                if (x > 0) {
                    s += src[r + x - 1];
                }
                if (x + 1 < w) {
                    s += src[r + x + 1];
                }
                tmp[t + x] = s;
            }
        }
        for (int y = 0; y < h; y++) {
            int t = y * w, d = dO + y * w;
            for (int x = 0; x < w; x++) {
                double s = tmp[t + x];
                if (y > 0) {
                    s += tmp[t - w + x];
                }
                if (y + 1 < h) {
                    s += tmp[t + w + x];
                }
                dst[d + x] = s;
            }
        }
    }

    /** 2x2 average pooling, stride 2 (odd trailing rows/columns dropped, as PyTorch floors). */
    static void avgPool2(Act x, Act out) {
        int planes = x.n * x.c, h = x.h, w = x.w, ho = out.h, wo = out.w;
        for (int p = 0; p < planes; p++) {
            int si = p * h * w, so = p * ho * wo;
            for (int y = 0; y < ho; y++) {
                int r0 = si + 2 * y * w, r1 = r0 + w, o = so + y * wo;
                if (x.f != null) {
                    float[] s = x.f, d = out.f;
                    for (int q = 0; q < wo; q++) {
                        d[o + q] = 0.25f * (s[r0 + 2 * q] + s[r0 + 2 * q + 1] + s[r1 + 2 * q] + s[r1 + 2 * q + 1]);
                    }
                } else {
                    double[] s = x.d, d = out.d;
                    for (int q = 0; q < wo; q++) {
                        d[o + q] = 0.25 * (s[r0 + 2 * q] + s[r0 + 2 * q + 1] + s[r1 + 2 * q] + s[r1 + 2 * q + 1]);
                    }
                }
            }
        }
    }

    static void avgPool2Backward(Act dy, Act dx) {
        int planes = dx.n * dx.c, h = dx.h, w = dx.w, ho = dy.h, wo = dy.w;
        if (dx.f != null) {
            java.util.Arrays.fill(dx.f, 0, dx.length(), 0f);
        } else {
            java.util.Arrays.fill(dx.d, 0, dx.length(), 0.0);
        }
        for (int p = 0; p < planes; p++) {
            int si = p * h * w, so = p * ho * wo;
            for (int y = 0; y < ho; y++) {
                int r0 = si + 2 * y * w, r1 = r0 + w, o = so + y * wo;
                for (int q = 0; q < wo; q++) {
                    if (dx.f != null) {
                        float v = 0.25f * dy.f[o + q];
                        dx.f[r0 + 2 * q] = v;
                        dx.f[r0 + 2 * q + 1] = v;
                        dx.f[r1 + 2 * q] = v;
                        dx.f[r1 + 2 * q + 1] = v;
                    } else {
                        double v = 0.25 * dy.d[o + q];
                        dx.d[r0 + 2 * q] = v;
                        dx.d[r0 + 2 * q + 1] = v;
                        dx.d[r1 + 2 * q] = v;
                        dx.d[r1 + 2 * q + 1] = v;
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ head

    /** Global average of ReLU(y) per sample and channel, {@code [n * c]}. */
    static double[] reluMean(Act y) {
        int planes = y.n * y.c, hw = y.plane();
        double[] out = new double[planes];
        for (int p = 0; p < planes; p++) {
            double s = 0;
            int o = p * hw;
            for (int i = o; i < o + hw; i++) {
                double v = y.get(i);
                if (v > 0) {
                    s += v;
                }
            }
            out[p] = s / hw;
        }
        return out;
    }

    /** Backward of {@link #reluMean}: {@code dy = dMean / hw} where {@code y > 0}, else 0. */
    static void reluMeanBackward(Act y, double[] dMean, Act dy) {
        int planes = y.n * y.c, hw = y.plane();
        for (int p = 0; p < planes; p++) {
            int o = p * hw;
            double g = dMean[p] / hw;
            if (y.f != null) {
                float gf = (float) g;
                int gb = Float.floatToRawIntBits(gf);
                for (int i = o; i < o + hw; i++) {
                    dy.f[i] = Float.intBitsToFloat(gb & positiveMask(y.f[i]));
                }
            } else {
                for (int i = o; i < o + hw; i++) {
                    dy.d[i] = y.d[i] > 0 ? g : 0;
                }
            }
        }
    }
}
