package io.archipelago.models.teg;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;

/** The T and G indicators from NTK matrices (small: batch x batch, double precision). */
public final class Kernels {
    private Kernels() {}

    /** Eigenvalues of a symmetric matrix, ascending (LAPACK syev through ND4J). */
    public static double[] eigenvalues(double[][] symmetric) {
        INDArray a = Nd4j.createFromArray(symmetric).castTo(DataType.DOUBLE);
        double[] values = Eigen.symmetricGeneralizedEigenvalues(a, false).toDoubleVector();
        Arrays.sort(values);
        return values;
    }

    /**
     * T: the NTK's condition number {@code lambda_max / lambda_min}; lower trains better.
     *
     * @throws IndicatorException when the kernel is singular or not finite
     */
    public static double conditionNumber(double[][] ntk) {
        requireFinite(ntk, "NTK");
        double[] eig = eigenvalues(ntk);
        double lo = eig[0];
        double hi = eig[eig.length - 1];
        // Relative to the largest eigenvalue: below ~1e-12 the smallest one is rounding noise.
        if (!(hi > 0) || !(lo > hi * 1e-12)) {
            throw new IndicatorException(String.format("NTK is singular (eigenvalues %.3g .. %.3g)", lo, hi));
        }
        return hi / lo;
    }

    /**
     * G: the mean squared error of NTK kernel regression. The held-out batch's centred one-hot
     * targets are predicted as {@code K_yx (K_xx + ridge * mean(diag K_xx) I)^-1 Y_x}.
     */
    public static double regressionError(
            double[][] kxx, double[][] kyx, int[] trainLabels, int[] heldOutLabels, int classes, double ridge) {
        requireFinite(kxx, "NTK of the train batch");
        requireFinite(kyx, "NTK between the batches");
        int n = kxx.length;
        double meanDiagonal = 0;
        for (int i = 0; i < n; i++) {
            meanDiagonal += kxx[i][i] / n;
        }
        if (!(meanDiagonal > 0)) {
            throw new IndicatorException(
                    "NTK of the train batch is zero: the network's output does not depend on its parameters");
        }
        double[][] k = new double[n][];
        for (int i = 0; i < n; i++) {
            k[i] = kxx[i].clone();
            k[i][i] += ridge * meanDiagonal;
        }
        INDArray weights = Nd4j.createFromArray(solveSymmetricPositive(k, centredOneHot(trainLabels, classes)));
        INDArray prediction = Nd4j.createFromArray(kyx).castTo(DataType.DOUBLE).mmul(weights);
        double mse = prediction
                .subi(Nd4j.createFromArray(centredOneHot(heldOutLabels, classes)))
                .norm2Number()
                .doubleValue();
        mse = mse * mse / ((double) heldOutLabels.length * classes);
        if (!Double.isFinite(mse)) {
            throw new IndicatorException("NTK regression produced a non-finite error");
        }
        return mse;
    }

    /**
     * Solves {@code A X = B} for a symmetric positive definite {@code A} by Cholesky, in plain Java.
     * Not ND4J's {@code matrix_inverse}: it refuses a matrix whose determinant underflows to zero,
     * which a well-conditioned 32 x 32 NTK with small eigenvalues has (MnasNet's proxy networks),
     * and a batch-sized system costs microseconds either way.
     *
     * @throws IndicatorException when {@code A} is not positive definite in double precision
     */
    static double[][] solveSymmetricPositive(double[][] a, double[][] b) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int j = 0; j < n; j++) {
            double diagonal = a[j][j];
            for (int p = 0; p < j; p++) {
                diagonal -= l[j][p] * l[j][p];
            }
            if (!(diagonal > 0)) {
                throw new IndicatorException("NTK of the train batch is not positive definite (pivot " + j + ")");
            }
            l[j][j] = Math.sqrt(diagonal);
            for (int i = j + 1; i < n; i++) {
                double sum = a[i][j];
                for (int p = 0; p < j; p++) {
                    sum -= l[i][p] * l[j][p];
                }
                l[i][j] = sum / l[j][j];
            }
        }
        int columns = b[0].length;
        double[][] x = new double[n][columns];
        for (int c = 0; c < columns; c++) {
            double[] y = new double[n];
            for (int i = 0; i < n; i++) { // L y = b
                double sum = b[i][c];
                for (int p = 0; p < i; p++) {
                    sum -= l[i][p] * y[p];
                }
                y[i] = sum / l[i][i];
            }
            for (int i = n - 1; i >= 0; i--) { // L^T x = y
                double sum = y[i];
                for (int p = i + 1; p < n; p++) {
                    sum -= l[p][i] * x[p][c];
                }
                x[i][c] = sum / l[i][i];
            }
        }
        return x;
    }

    static double[][] centredOneHot(int[] labels, int classes) {
        double[][] y = new double[labels.length][classes];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(
                        "label " + labels[i] + " of sample " + i + " is not in [0, " + classes + ")");
            }
            for (int c = 0; c < classes; c++) {
                y[i][c] = (c == labels[i] ? 1.0 : 0.0) - 1.0 / classes;
            }
        }
        return y;
    }

    private static void requireFinite(double[][] m, String what) {
        for (double[] row : m) {
            for (double v : row) {
                if (!Double.isFinite(v)) {
                    throw new IndicatorException(what + " has non-finite entries");
                }
            }
        }
    }
}
