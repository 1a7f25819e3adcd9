package io.archipelago.predictors.nao;

/**
 * The dense kernels of NAO's training on flat row-major double arrays; every one adds to its
 * output. Plain loops over contiguous rows: the matrices are tens of columns wide, far below where
 * a BLAS call pays for itself.
 */
final class DoubleMatrices {
    private DoubleMatrices() {}

    /** {@code out[rows, cols] += a[rows, inner] · b[inner, cols]}. */
    static void multiply(double[] a, double[] b, double[] out, int rows, int inner, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int k = 0; k < inner; k++) {
                double x = a[r * inner + k];
                if (x == 0) {
                    continue; // one-hot rows and ReLU zeros are common
                }
                int w = k * cols;
                for (int c = 0; c < cols; c++) {
                    out[o + c] += x * b[w + c];
                }
            }
        }
    }

    /** {@code out[inner, cols] += a[rows, inner]ᵀ · b[rows, cols]} (a weight gradient). */
    static void multiplyTransposedLeft(double[] a, double[] b, double[] out, int rows, int inner, int cols) {
        for (int r = 0; r < rows; r++) {
            int g = r * cols;
            for (int k = 0; k < inner; k++) {
                double x = a[r * inner + k];
                if (x == 0) {
                    continue;
                }
                int o = k * cols;
                for (int c = 0; c < cols; c++) {
                    out[o + c] += x * b[g + c];
                }
            }
        }
    }

    /** {@code out[rows, inner] += a[rows, cols] · b[inner, cols]ᵀ} (an input gradient). */
    static void multiplyTransposedRight(double[] a, double[] b, double[] out, int rows, int cols, int inner) {
        for (int r = 0; r < rows; r++) {
            int x = r * cols;
            for (int k = 0; k < inner; k++) {
                int w = k * cols;
                double sum = 0;
                for (int c = 0; c < cols; c++) {
                    sum += a[x + c] * b[w + c];
                }
                out[r * inner + k] += sum;
            }
        }
    }

    /** {@code m[rows, cols] += bias[cols]} on every row. */
    static void addRows(double[] m, double[] bias, int rows) {
        int cols = bias.length;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m[r * cols + c] += bias[c];
            }
        }
    }

    /** {@code out[cols] += Σ_r m[r, cols]} (a bias gradient). */
    static void sumRows(double[] m, double[] out, int rows) {
        int cols = out.length;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c] += m[r * cols + c];
            }
        }
    }
}
