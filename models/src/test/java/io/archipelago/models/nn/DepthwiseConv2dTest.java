package io.archipelago.models.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The depthwise convolution against a plain loop over its definition (forward) and against
 * finite differences (input and per-cotangent weight gradients), in double precision.
 */
class DepthwiseConv2dTest {
    private static DataType previous;

    @BeforeAll
    static void doublePrecision() {
        previous = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(previous, previous);
    }

    /** out[b,c,i,j] = sum over the window of w[c,0,u,v] * x[b,c,i*s - p + u*d, j*s - p + v*d]. */
    private static double[][][][] byDefinition(INDArray x, INDArray w, int stride, int dilation) {
        int b = (int) x.size(0), ch = (int) x.size(1), h = (int) x.size(2), wd = (int) x.size(3);
        int k = (int) w.size(2);
        int pad = dilation * (k - 1) / 2;
        int oh = (h + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
        int ow = (wd + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
        double[][][][] out = new double[b][ch][oh][ow];
        for (int n = 0; n < b; n++) {
            for (int c = 0; c < ch; c++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double sum = 0;
                        for (int u = 0; u < k; u++) {
                            for (int v = 0; v < k; v++) {
                                int r = i * stride - pad + u * dilation;
                                int q = j * stride - pad + v * dilation;
                                if (r >= 0 && r < h && q >= 0 && q < wd) {
                                    sum += w.getDouble(c, 0, u, v) * x.getDouble(n, c, r, q);
                                }
                            }
                        }
                        out[n][c][i][j] = sum;
                    }
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "k={0} stride={1} dilation={2}")
    @CsvSource({"3,1,1", "5,2,1", "3,1,2", "5,1,2", "3,2,2"})
    void forwardIsTheDefinition(int kernel, int stride, int dilation) {
        DepthwiseConv2d conv = new DepthwiseConv2d("dw", 3, kernel, stride, dilation, new SplittableRandom(1));
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, 9, 9).subi(0.5);
        INDArray y = conv.forward(x, Pass.inference(Pass.BatchNorm.RUNNING, 2));
        double[][][][] expected = byDefinition(x, conv.weight().value(), stride, dilation);
        assertArrayEquals(new long[] {2, 3, expected[0][0].length, expected[0][0][0].length}, y.shape());
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < expected[0][0].length; i++) {
                    for (int j = 0; j < expected[0][0][0].length; j++) {
                        assertEquals(expected[n][c][i][j], y.getDouble(n, c, i, j), 1e-12);
                    }
                }
            }
        }
    }

    /**
     * With running statistics each cotangent k is sample k's summed output, so the weight gradient
     * of cotangent k is d(sum of sample k's outputs)/dw: checked by central differences.
     */
    @ParameterizedTest(name = "k={0} stride={1} dilation={2}")
    @CsvSource({"3,1,1", "5,2,1", "3,1,2"})
    void perCotangentGradientsMatchFiniteDifferences(int kernel, int stride, int dilation) {
        DepthwiseConv2d conv = new DepthwiseConv2d("dw", 2, kernel, stride, dilation, new SplittableRandom(2));
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 2, 7, 7).subi(0.5);
        Map<String, INDArray> grads = new HashMap<>();
        Pass pass = Pass.withGradients(Pass.BatchNorm.RUNNING, 3, (p, g) -> grads.put(p.name(), g.dup()));
        INDArray y = conv.forward(x, pass);
        INDArray dx = conv.backward(Nd4j.onesLike(y), pass);
        INDArray w = conv.weight().value();
        INDArray dw = grads.get("dw");
        assertArrayEquals(new long[] {3, w.length()}, dw.shape());
        double h = 1e-6;
        for (int sample = 0; sample < 3; sample++) {
            INDArray one = x.get(NDArrayIndex.interval(sample, sample + 1));
            for (int i = 0; i < w.length(); i++) {
                double saved = w.getDouble(i);
                w.putScalar(i, saved + h);
                double plus = conv.forward(one, Pass.inference(Pass.BatchNorm.RUNNING, 1))
                        .sumNumber()
                        .doubleValue();
                w.putScalar(i, saved - h);
                double minus = conv.forward(one, Pass.inference(Pass.BatchNorm.RUNNING, 1))
                        .sumNumber()
                        .doubleValue();
                w.putScalar(i, saved);
                assertEquals((plus - minus) / (2 * h), dw.getDouble(sample, i), 1e-6);
            }
            for (int i = 0; i < one.length(); i++) {
                double saved = one.getDouble(i);
                one.putScalar(i, saved + h);
                double plus = conv.forward(one, Pass.inference(Pass.BatchNorm.RUNNING, 1))
                        .sumNumber()
                        .doubleValue();
                one.putScalar(i, saved - h);
                double minus = conv.forward(one, Pass.inference(Pass.BatchNorm.RUNNING, 1))
                        .sumNumber()
                        .doubleValue();
                one.putScalar(i, saved);
                assertEquals(
                        (plus - minus) / (2 * h),
                        dx.get(NDArrayIndex.point(sample)).getDouble(i),
                        1e-6);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void evenKernelsAndZeroChannelsAreRefused() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> new DepthwiseConv2d("dw", 3, 4, 1, 1, new SplittableRandom(0)));
        assertTrue(e.getMessage().contains("kernel=4"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> new DepthwiseConv2d("dw", 0, 3, 1, 1, new SplittableRandom(0)));
    }
}
