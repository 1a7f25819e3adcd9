package io.archipelago.models.supernet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The float kernels (branch-free, vectorisable) against the plain double ones and against definitions. */
class KernelsTest {
    private static Act pair(SplittableRandom r, int n, int c, int h, int w, boolean f) {
        int len = n * c * h * w;
        double[] d = new double[len];
        for (int i = 0; i < len; i++) {
            d[i] = r.nextInt(5) == 0 ? 0 : r.nextGaussian(); // exact zeros: the ReLU mask's edge case
        }
        if (!f) {
            return new Act(n, c, h, w, null, d);
        }
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) d[i];
        }
        return new Act(n, c, h, w, x, null);
    }

    @Test
    void avgPool3ExcludesPaddingOnAnyPlane() {
        try (Workspace wf = new Workspace(Precision.FLOAT);
                Workspace wd = new Workspace(Precision.DOUBLE)) {
            for (int[] s : new int[][] {{1, 1}, {1, 3}, {3, 1}, {2, 2}, {3, 5}, {8, 8}}) {
                int h = s[0], w = s[1];
                Act xf = pair(new SplittableRandom(1), 2, 3, h, w, true),
                        xd = pair(new SplittableRandom(1), 2, 3, h, w, false);
                Act yf = wf.actLike(xf), yd = wd.actLike(xd);
                Kernels.avgPool3(xf, yf, wf);
                Kernels.avgPool3(xd, yd, wd);
                for (int p = 0; p < 6; p++) {
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            double sum = 0;
                            int count = 0;
                            for (int u = y - 1; u <= y + 1; u++) {
                                for (int v = x - 1; v <= x + 1; v++) {
                                    if (u >= 0 && u < h && v >= 0 && v < w) {
                                        sum += xd.d[p * h * w + u * w + v];
                                        count++;
                                    }
                                }
                            }
                            int i = p * h * w + y * w + x;
                            assertEquals(sum / count, yd.d[i], 1e-12, h + "x" + w);
                            assertEquals(sum / count, yf.f[i], 1e-5, h + "x" + w);
                        }
                    }
                }
                Kernels.avgPool3Backward(xf, yf, wf);
                Kernels.avgPool3Backward(xd, yd, wd);
                for (int i = 0; i < xd.length(); i++) {
                    assertEquals(yd.d[i], yf.f[i], 1e-5, "backward " + h + "x" + w);
                }
            }
        }
    }

    @Test
    void reluMaskZeroesWhereTheInputIsNotPositive() {
        Act x = new Act(1, 1, 1, 6, new float[] {1f, -1f, 0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE}, null);
        Act g = new Act(1, 1, 1, 6, new float[] {2f, 2f, 2f, 2f, 2f, 2f}, null);
        Kernels.reluMask(g, x);
        assertEquals(2f, g.f[0]);
        assertEquals(0f, g.f[1]);
        assertEquals(0f, g.f[2]);
        assertEquals(0f, g.f[3]);
        assertEquals(2f, g.f[4]);
        assertEquals(0f, g.f[5]);
    }
}
