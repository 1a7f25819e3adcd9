package io.archipelago.models.teg;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.inverse.InvertMatrix;

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
        INDArray k = Nd4j.createFromArray(kxx).castTo(DataType.DOUBLE);
        if (!(meanDiagonal > 0)) {
            throw new IndicatorException(
                    "NTK of the train batch is zero: the network's output does not depend on its parameters");
        }
        k.addi(Nd4j.eye(n).castTo(DataType.DOUBLE).muli(ridge * meanDiagonal));
        INDArray prediction = Nd4j.createFromArray(kyx)
                .castTo(DataType.DOUBLE)
                .mmul(InvertMatrix.invert(k, false))
                .mmul(centredOneHot(trainLabels, classes));
        double mse = prediction
                .subi(centredOneHot(heldOutLabels, classes))
                .norm2Number()
                .doubleValue();
        mse = mse * mse / ((double) heldOutLabels.length * classes);
        if (!Double.isFinite(mse)) {
            throw new IndicatorException("NTK regression produced a non-finite error");
        }
        return mse;
    }

    static INDArray centredOneHot(int[] labels, int classes) {
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
        return Nd4j.createFromArray(y);
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
