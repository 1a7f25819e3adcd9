package io.archipelago.models.supernet;

/**
 * The summed gradients of one backward pass, per weight of a supernet, in the supernet's
 * precision. A weight without a gradient ({@link #has} false) was not reached from the loss: its
 * op did not run, or it sits before a cell with no input-output path (as PyTorch leaves such a
 * parameter's {@code grad} at None).
 */
public final class Gradients {
    private final float[][] f;
    private final double[][] d;

    Gradients(int weights) {
        f = new float[weights][];
        d = new double[weights][];
    }

    public boolean has(Weight w) {
        return f[w.index()] != null || d[w.index()] != null;
    }

    /** A copy of the gradient of {@code w}, or null when it has none. */
    public double[] get(Weight w) {
        int i = w.index();
        if (d[i] != null) {
            return d[i].clone();
        }
        if (f[i] == null) {
            return null;
        }
        double[] out = new double[f[i].length];
        for (int k = 0; k < out.length; k++) {
            out[k] = f[i][k];
        }
        return out;
    }

    float[] floats(Weight w) {
        return f[w.index()];
    }

    double[] doubles(Weight w) {
        return d[w.index()];
    }

    /** Stores a gradient computed in double, in the weight's precision. */
    void set(Weight w, double[] g) {
        if (g.length != w.size()) {
            throw new IllegalArgumentException(w + ": gradient of " + g.length);
        }
        if (w.f != null) {
            float[] out = new float[g.length];
            for (int k = 0; k < g.length; k++) {
                out[k] = (float) g[k];
            }
            f[w.index()] = out;
        } else {
            d[w.index()] = g;
        }
    }

    void setFloats(Weight w, float[] g) {
        f[w.index()] = g;
    }

    void setDoubles(Weight w, double[] g) {
        d[w.index()] = g;
    }
}
