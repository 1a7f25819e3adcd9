package io.archipelago.predictors.gcn;

/**
 * The few dense kernels the predictors need, on flat row-major float arrays. Plain loops: the
 * matrices are tiny (tens of columns), where ND4J's per-op cost and thread hand-offs dominate;
 * every inner loop runs over a contiguous row so the JIT vectorises it.
 */
public final class Matrices {
    private Matrices() {}

    /** {@code out[rows, cols] += a[rows, inner] · b[inner, cols]}. */
    static void multiply(float[] a, float[] b, float[] out, int rows, int inner, int cols) {
        if (cols == 1) {
            // a matrix-vector product: one dot product per row instead of loops of length one
            for (int r = 0; r < rows; r++) {
                float sum = 0f;
                for (int k = 0; k < inner; k++) {
                    sum += a[r * inner + k] * b[k];
                }
                out[r] += sum;
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            int x = r * inner;
            int k = 0;
            // four rows of b per pass over the output row: a quarter of the loads and stores of out
            for (; k + 3 < inner; k += 4) {
                float x0 = a[x + k];
                float x1 = a[x + k + 1];
                float x2 = a[x + k + 2];
                float x3 = a[x + k + 3];
                int w0 = k * cols;
                int w1 = w0 + cols;
                int w2 = w1 + cols;
                int w3 = w2 + cols;
                for (int c = 0; c < cols; c++) {
                    out[o + c] += x0 * b[w0 + c] + x1 * b[w1 + c] + x2 * b[w2 + c] + x3 * b[w3 + c];
                }
            }
            for (; k < inner; k++) {
                float x0 = a[x + k];
                int w0 = k * cols;
                for (int c = 0; c < cols; c++) {
                    out[o + c] += x0 * b[w0 + c];
                }
            }
        }
    }

    /** {@code out[inner, cols] += a[rows, inner]ᵀ · b[rows, cols]} (a weight gradient). */
    static void multiplyTransposedLeft(float[] a, float[] b, float[] out, int rows, int inner, int cols) {
        if (cols == 1) {
            for (int r = 0; r < rows; r++) {
                float g = b[r];
                for (int k = 0; k < inner; k++) {
                    out[k] += g * a[r * inner + k];
                }
            }
            return;
        }
        int r = 0;
        for (; r + 3 < rows; r += 4) {
            int g0 = r * cols;
            int g1 = g0 + cols;
            int g2 = g1 + cols;
            int g3 = g2 + cols;
            for (int k = 0; k < inner; k++) {
                float x0 = a[r * inner + k];
                float x1 = a[(r + 1) * inner + k];
                float x2 = a[(r + 2) * inner + k];
                float x3 = a[(r + 3) * inner + k];
                int o = k * cols;
                for (int c = 0; c < cols; c++) {
                    out[o + c] += x0 * b[g0 + c] + x1 * b[g1 + c] + x2 * b[g2 + c] + x3 * b[g3 + c];
                }
            }
        }
        for (; r < rows; r++) {
            int g = r * cols;
            for (int k = 0; k < inner; k++) {
                float x0 = a[r * inner + k];
                int o = k * cols;
                for (int c = 0; c < cols; c++) {
                    out[o + c] += x0 * b[g + c];
                }
            }
        }
    }

    /** {@code m[rows, cols]ᵀ} as a new {@code [cols, rows]} array. */
    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = m[r * cols + c];
            }
        }
        return t;
    }

    /** {@code m[rows, cols] += bias[cols]} on every row. */
    static void addRows(float[] m, float[] bias, int rows) {
        int cols = bias.length;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m[r * cols + c] += bias[c];
            }
        }
    }

    /** {@code out[cols] += Σ_r m[r, cols]} (a bias gradient). */
    static void sumRows(float[] m, float[] out, int rows) {
        int cols = out.length;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c] += m[r * cols + c];
            }
        }
    }

    /** ReLU in place. */
    public static void relu(float[] m) {
        for (int i = 0; i < m.length; i++) {
            if (m[i] < 0f) {
                m[i] = 0f;
            }
        }
    }

    /** Zeroes {@code gradient} where the ReLU output {@code activation} is not positive, in place. */
    public static void reluBackward(float[] activation, float[] gradient) {
        for (int i = 0; i < gradient.length; i++) {
            if (activation[i] <= 0f) {
                gradient[i] = 0f;
            }
        }
    }
}
