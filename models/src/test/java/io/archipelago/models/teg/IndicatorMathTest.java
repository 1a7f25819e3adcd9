package io.archipelago.models.teg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.models.nn.Layer;
import io.archipelago.models.nn.Linear;
import io.archipelago.models.nn.Parameter;
import io.archipelago.models.nn.Pass;
import io.archipelago.models.nn.Relu;
import io.archipelago.models.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The indicators against cases whose answers are known in closed form. */
class IndicatorMathTest {

    /**
     * For a linear model y = W x + b with C outputs, the gradient of sum(y) with respect to W is x
     * in each of the C rows and ones for b, so NTK(x_i, x_j) = C (x_i . x_j + 1).
     */
    @ParameterizedTest
    @EnumSource(Pass.BatchNorm.class)
    void ntkOfALinearModelMatchesItsClosedForm(Pass.BatchNorm mode) {
        int in = 7;
        int classes = 4;
        int batch = 6;
        Linear model = new Linear("linear", in, classes, new SplittableRandom(1));
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, in).subi(0.5);
        double[][] kernel = Jacobian.of(model, x, mode).kernel();
        double[][] points = x.castTo(DataType.DOUBLE).toDoubleMatrix();
        for (int i = 0; i < batch; i++) {
            for (int j = 0; j < batch; j++) {
                double dot = 0;
                for (int d = 0; d < in; d++) {
                    dot += points[i][d] * points[j][d];
                }
                assertEquals(classes * (dot + 1), kernel[i][j], 1e-4, "K[" + i + "][" + j + "]");
            }
        }
    }

    /**
     * The kernel regression's solve: exact on a random SPD system, and still a solve when the
     * determinant underflows to zero (32 eigenvalues of 1e-12: det 1e-384), which ND4J's
     * matrix_inverse refused.
     */
    @Test
    void symmetricPositiveSystemsAreSolvedWhateverTheirDeterminant() {
        SplittableRandom random = new SplittableRandom(4);
        int n = 32;
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                m[i][j] = random.nextDouble() - 0.5;
            }
        }
        for (double scale : new double[] {1.0, 1e-12}) {
            double[][] a = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    for (int p = 0; p < n; p++) {
                        a[i][j] += m[i][p] * m[j][p] * scale;
                    }
                }
                a[i][i] += scale;
            }
            double[][] x = {new double[n]};
            double[][] b = new double[n][1];
            for (int i = 0; i < n; i++) {
                x[0][i] = random.nextDouble();
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    b[i][0] += a[i][j] * x[0][j];
                }
            }
            double[][] solved = Kernels.solveSymmetricPositive(a, b);
            for (int i = 0; i < n; i++) {
                assertEquals(x[0][i], solved[i][0], 1e-8, "scale " + scale + ", row " + i);
            }
        }
        double[][] indefinite = {{1, 2}, {2, 1}};
        assertThrows(
                IndicatorException.class, () -> Kernels.solveSymmetricPositive(indefinite, new double[][] {{1}, {1}}));
    }

    @Test
    void crossKernelOfALinearModelMatchesItsClosedForm() {
        Linear model = new Linear("linear", 3, 2, new SplittableRandom(2));
        INDArray x = Nd4j.createFromArray(new float[][] {{1, 0, 0}, {0, 1, 0}});
        INDArray y = Nd4j.createFromArray(new float[][] {{1, 1, 0}, {0, 0, 2}, {1, 0, 1}});
        double[][] kyx = Jacobian.of(model, x, Pass.BatchNorm.RUNNING).crossKernel(model, y, Pass.BatchNorm.RUNNING);
        double[][] expected = {{2 * (1 + 1), 2 * (1 + 1)}, {2 * (0 + 1), 2 * (0 + 1)}, {2 * (1 + 1), 2 * (0 + 1)}};
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 2; j++) {
                assertEquals(expected[i][j], kyx[i][j], 1e-5, "Kyx[" + i + "][" + j + "]");
            }
        }
    }

    @Test
    void conditionNumberIsTheEigenvalueRatio() {
        double[][] k = {{4, 1, 0}, {1, 3, 0}, {0, 0, 0.5}};
        // eigenvalues: 0.5 and (7 +- sqrt(5)) / 2
        double expected = ((7 + Math.sqrt(5)) / 2) / 0.5;
        assertEquals(expected, Kernels.conditionNumber(k), 1e-9);
    }

    @Test
    void aSingularOrNonFiniteKernelIsAnIndicatorError() {
        IndicatorException singular =
                assertThrows(IndicatorException.class, () -> Kernels.conditionNumber(new double[][] {{1, 1}, {1, 1}}));
        assertTrue(singular.getMessage().contains("singular"), singular.getMessage());
        IndicatorException nan = assertThrows(
                IndicatorException.class,
                () -> Kernels.conditionNumber(new double[][] {{1, Double.NaN}, {Double.NaN, 1}}));
        assertTrue(nan.getMessage().contains("non-finite"), nan.getMessage());
        assertThrows(
                IndicatorException.class,
                () -> Kernels.regressionError(
                        new double[2][2], new double[1][2], new int[] {0, 1}, new int[] {1}, 2, 1e-6));
    }

    /**
     * With an identity train kernel and no ridge, the prediction of a held-out point is its kernel
     * row times the train targets; the error is then computable by hand.
     */
    @Test
    void regressionErrorOfAHandCheckableKernel() {
        double[][] kxx = {{1, 0}, {0, 1}};
        double[][] kyx = {{1, 0}}; // the held-out point looks exactly like train point 0
        // targets: centred one-hot over 2 classes: class 0 -> (0.5, -0.5), class 1 -> (-0.5, 0.5)
        assertEquals(0.0, Kernels.regressionError(kxx, kyx, new int[] {0, 1}, new int[] {0}, 2, 0), 1e-12);
        // predicted (0.5, -0.5) for a point of class 1 -> errors (1, -1) -> mse 1
        assertEquals(1.0, Kernels.regressionError(kxx, kyx, new int[] {0, 1}, new int[] {1}, 2, 0), 1e-12);
        IllegalArgumentException badLabel = assertThrows(
                IllegalArgumentException.class,
                () -> Kernels.regressionError(kxx, kyx, new int[] {0, 5}, new int[] {0}, 2, 0));
        assertTrue(badLabel.getMessage().contains("label 5"), badLabel.getMessage());
    }

    /**
     * A 1-D ReLU network relu(w x + b) with hidden units breaking at known points cuts the line into
     * (breakpoints inside the sampled range + 1) linear regions.
     */
    @Test
    void linearRegionsOfAOneDimensionalReluNetwork() {
        float[] breakpoints = {-1.5f, -0.2f, 0.4f, 3f, 10f}; // 10 lies outside the sampled range [-4, 4]
        Linear hidden = new Linear("hidden", 1, breakpoints.length, new SplittableRandom(0));
        List<Parameter> params = new ArrayList<>();
        hidden.collectParameters(params);
        INDArray w = params.get(0).value();
        INDArray b = params.get(1).value();
        for (int u = 0; u < breakpoints.length; u++) {
            float slope = u % 2 == 0 ? 1f : -2f; // orientation must not matter
            w.putScalar(u, 0, slope);
            b.putScalar(u, -slope * breakpoints[u]);
        }
        Layer net =
                new Sequential(hidden, new Relu(), new Linear("out", breakpoints.length, 1, new SplittableRandom(1)));
        float[][] xs = new float[801][1];
        for (int i = 0; i < xs.length; i++) {
            xs[i][0] = -4f + i * 0.01f + 0.005f; // never exactly on a breakpoint
        }
        assertEquals(5, LinearRegions.count(net, Nd4j.createFromArray(xs)));
    }
}
