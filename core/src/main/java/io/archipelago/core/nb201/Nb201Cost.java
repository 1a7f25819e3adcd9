package io.archipelago.core.nb201;

/**
 * Analytic parameter and FLOP counts of the NAS-Bench-201 network built from a cell: a 3x3 stem
 * conv + BN, three stages of N cells with C, 2C and 4C channels, a residual reduction block
 * between stages, BN-ReLU, global average pooling and a linear classifier.
 *
 * <p>Counted as NAS-Bench-201 counts them: parameters are conv and linear weights, linear bias and
 * BN affine weights (not running statistics); FLOPs are multiply-adds of convolutions and the
 * linear layer (plus its bias), as NAS-Bench-201's counter sums them; pooling, BN and ReLU
 * are not counted. The standard network (C=16, N=5, 32x32, 10 classes) spans 0.0733-1.5315 M
 * parameters and 7.78-220.11 M FLOPs, as published.
 */
public record Nb201Cost(int channels, int cellsPerStage, int resolution, int classes) {
    public static final Nb201Cost STANDARD = new Nb201Cost(16, 5, 32, 10);

    public Nb201Cost {
        if (channels <= 0 || cellsPerStage <= 0 || resolution < 4 || classes <= 0) {
            throw new IllegalArgumentException("invalid NB201 network shape: C=" + channels + ", N=" + cellsPerStage
                    + ", resolution=" + resolution + ", classes=" + classes);
        }
    }

    public long params(Nb201Cell cell) {
        long c = channels;
        long total = 27 * c + 2 * c; // stem conv 3x3 from RGB + BN
        for (int stage = 0; stage < 3; stage++) {
            long width = c << stage;
            total += cellsPerStage * cellParams(cell, width);
            if (stage < 2) {
                total += reductionParams(width, 2 * width);
            }
        }
        long last = 4 * c;
        return total + 2 * last + last * classes + classes; // BN, classifier with bias
    }

    public double flops(Nb201Cell cell) {
        long c = channels;
        long side = resolution;
        double total = side * side * c * 27.0; // stem
        for (int stage = 0; stage < 3; stage++) {
            long width = c << stage;
            long positions = side * side;
            total += cellsPerStage * cellFlops(cell, width, positions);
            if (stage < 2) {
                long half = side / 2;
                long outPositions = half * half;
                total += outPositions * 2 * width * width * 9.0; // conv_a, 3x3 stride 2
                total += outPositions * 4 * width * width * 9.0; // conv_b, 3x3
                total += outPositions * width * 2 * width; // shortcut conv 1x1
                side = half;
            }
        }
        return total + 4 * c * classes + classes;
    }

    private static long cellParams(Nb201Cell cell, long width) {
        long total = 0;
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            switch (cell.op(e)) {
                case NOR_CONV_3X3 -> total += 9 * width * width + 2 * width;
                case NOR_CONV_1X1 -> total += width * width + 2 * width;
                default -> {}
            }
        }
        return total;
    }

    private static double cellFlops(Nb201Cell cell, long width, long positions) {
        double total = 0;
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            switch (cell.op(e)) {
                case NOR_CONV_3X3 -> total += positions * width * width * 9.0;
                case NOR_CONV_1X1 -> total += positions * (double) width * width;
                default -> {}
            }
        }
        return total;
    }

    /** ResNet basic block with stride 2: two ReLU-conv3x3-BN and an avg-pool + 1x1 conv shortcut. */
    private static long reductionParams(long in, long out) {
        return 9 * in * out + 2 * out + 9 * out * out + 2 * out + in * out;
    }
}
