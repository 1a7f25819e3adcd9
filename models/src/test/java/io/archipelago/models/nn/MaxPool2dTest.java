package io.archipelago.models.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MaxPool2dTest {

    /** 3x3 windows, padding 1: the maximum over the window's positions inside the input (padding never wins). */
    private static double[][][][] reference(double[][][][] x, int stride) {
        int b = x.length;
        int c = x[0].length;
        int h = x[0][0].length;
        int w = x[0][0][0].length;
        int oh = (h + 2 - 3) / stride + 1;
        int ow = (w + 2 - 3) / stride + 1;
        double[][][][] y = new double[b][c][oh][ow];
        for (int n = 0; n < b; n++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double max = Double.NEGATIVE_INFINITY;
                        for (int di = 0; di < 3; di++) {
                            for (int dj = 0; dj < 3; dj++) {
                                int r = i * stride - 1 + di;
                                int s = j * stride - 1 + dj;
                                if (r >= 0 && r < h && s >= 0 && s < w) {
                                    max = Math.max(max, x[n][ch][r][s]);
                                }
                            }
                        }
                        y[n][ch][i][j] = max;
                    }
                }
            }
        }
        return y;
    }

    private static double[][][][] negativeInput(int b, int c, int h, int w, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][][][] x = new double[b][c][h][w];
        for (double[][][] sample : x) {
            for (double[][] channel : sample) {
                for (double[] row : channel) {
                    for (int k = 0; k < row.length; k++) {
                        row[k] = -1 - random.nextDouble(); // all negative: zero padding would win
                    }
                }
            }
        }
        return x;
    }

    @ParameterizedTest
    @CsvSource({"1, BATCH", "2, BATCH", "1, RUNNING", "2, RUNNING"})
    void forwardIsTheWindowMaximumAndBackwardRoutesEachCotangentToItsMaxima(int stride, Pass.BatchNorm mode) {
        int b = 3;
        double[][][][] x = negativeInput(b, 2, 6, 6, 3 + stride);
        INDArray input = Nd4j.create(x).castTo(DataType.DOUBLE);
        MaxPool2d pool = new MaxPool2d(3, stride, 1);
        Pass pass = Pass.withGradients(mode, b, (p, g) -> {});
        INDArray y = pool.forward(input, pass);
        double[][][][] expected = reference(x, stride);
        int side = expected[0][0].length;
        assertArrayEquals(new long[] {b, 2, side, side}, y.shape());
        for (int n = 0; n < b; n++) {
            for (int ch = 0; ch < 2; ch++) {
                for (int i = 0; i < side; i++) {
                    for (int j = 0; j < side; j++) {
                        assertEquals(expected[n][ch][i][j], y.getDouble(n, ch, i, j), 1e-12);
                    }
                }
            }
        }
        // Cotangents [K*M, ...]: each one's input gradient is the sum of its output gradients
        // over the windows whose maximum an input position is; check it against perturbing x.
        int k = pass.cotangents();
        int m = pass.samplesPerCotangent();
        INDArray dy = Nd4j.rand(DataType.DOUBLE, (long) k * m, 2, side, side);
        INDArray dx = pool.backward(dy, pass);
        assertArrayEquals(new long[] {(long) k * m, 2, 6, 6}, dx.shape());
        for (int c = 0; c < k; c++) {
            for (int s = 0; s < m; s++) {
                int sample = m == 1 ? c : s;
                INDArray rowDy = dy.get(org.nd4j.linalg.indexing.NDArrayIndex.point((long) c * m + s));
                for (int probe = 0; probe < 6; probe++) {
                    int ch = probe % 2;
                    int r = (probe * 5) % 6;
                    int q = (probe * 7 + 1) % 6;
                    double h = 1e-6;
                    double[][][][] plus = copy(x);
                    plus[sample][ch][r][q] += h;
                    double[][][][] yPlus = reference(plus, stride);
                    double numeric = 0;
                    for (int i = 0; i < side; i++) {
                        for (int j = 0; j < side; j++) {
                            numeric += rowDy.getDouble(ch, i, j)
                                    * (yPlus[sample][ch][i][j] - expected[sample][ch][i][j])
                                    / h;
                        }
                    }
                    assertEquals(numeric, dx.getDouble((long) c * m + s, ch, r, q), 1e-6, mode + " cotangent " + c);
                }
            }
        }
    }

    private static double[][][][] copy(double[][][][] x) {
        double[][][][] out = new double[x.length][][][];
        for (int n = 0; n < x.length; n++) {
            out[n] = new double[x[n].length][][];
            for (int c = 0; c < x[n].length; c++) {
                out[n][c] = new double[x[n][c].length][];
                for (int i = 0; i < x[n][c].length; i++) {
                    out[n][c][i] = x[n][c][i].clone();
                }
            }
        }
        return out;
    }

    @org.junit.jupiter.api.Test
    void refusesPaddingWiderThanHalfTheWindow() {
        assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(3, 1, 2));
    }
}
