package io.archipelago.models.supernet;

/**
 * A heap tensor {@code [n, c, h, w]} (row-major, NCHW) in one of the two precisions: exactly one of
 * {@link #f} and {@link #d} is set. The arrays may be longer than {@link #length()} (they come from
 * a {@link Workspace} pool keyed by size, so they are exact; the check is for safety).
 */
final class Act {
    final int n;
    final int c;
    final int h;
    final int w;
    final float[] f;
    final double[] d;

    Act(int n, int c, int h, int w, float[] f, double[] d) {
        if ((f == null) == (d == null)) {
            throw new IllegalArgumentException("exactly one of float and double storage");
        }
        this.n = n;
        this.c = c;
        this.h = h;
        this.w = w;
        this.f = f;
        this.d = d;
        int len = length();
        if ((f != null ? f.length : d.length) < len) {
            throw new IllegalArgumentException("storage too short for " + n + "x" + c + "x" + h + "x" + w);
        }
    }

    boolean isFloat() {
        return f != null;
    }

    int length() {
        return n * c * h * w;
    }

    int plane() {
        return h * w;
    }

    double get(int i) {
        return f != null ? f[i] : d[i];
    }

    boolean sameShape(Act o) {
        return n == o.n && c == o.c && h == o.h && w == o.w;
    }

    @Override
    public String toString() {
        return "Act[" + n + "x" + c + "x" + h + "x" + w + (f != null ? " float" : " double") + "]";
    }
}
