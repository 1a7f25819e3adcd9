package io.archipelago.core.darts;

/**
 * Analytic parameter and FLOP counts of DARTS's evaluation network ({@code NetworkCIFAR} of
 * DARTS's {@code model.py}) built from a genotype: a 3x3 stem conv to 3C channels + BN; {@code
 * layers} cells, those at {@code layers/3} and {@code 2*layers/3} reduction cells that double the
 * channels and halve the resolution; global average pooling and a linear classifier. Each cell
 * preprocesses its two inputs to C channels (ReLU-1x1 conv-BN, or FactorizedReduce for the older
 * input when the previous cell reduced), runs its 8 ops (stride 2 on the reduction cell's inputs
 * 0 and 1) and concatenates its 4 nodes (4C channels). Ops are those of DARTS's {@code
 * operations.py}: a sep conv is ReLU-dw-pw-BN twice, a dil conv ReLU-dw(dilation 2)-pw-BN, a
 * strided skip a FactorizedReduce (ReLU, two 1x1 stride-2 convs to C/2 channels, one shifted by
 * a pixel, concatenated, BN); pools have no weights.
 *
 * <p>Parameters count as PyTorch's {@code named_parameters()} does (conv and linear weights,
 * linear bias, affine BN scale and shift; no running statistics), and as DARTS's {@code
 * count_parameters_in_MB} reports them: without the auxiliary head unless {@code auxiliary}.
 * FLOPs are multiply-adds of convolutions and linear layers (plus the classifier's bias), as
 * {@link io.archipelago.core.nb201.Nb201Cost} counts them; BN, ReLU and pooling are not counted.
 *
 * @param channels C, the first cells' width
 * @param layers cells in the network
 * @param classes outputs of the classifier
 * @param inputSize height and width of the (square, RGB) input; a multiple of 4 (two reductions)
 * @param auxiliary whether to count DARTS's auxiliary head (on the 8x8 output of cell 2*layers/3)
 */
public record DartsCost(int channels, int layers, int classes, int inputSize, boolean auxiliary) {
    /** The CIFAR-10 network of the DARTS paper: C=36, 20 cells, 32x32, 10 classes, no auxiliary head. */
    public static final DartsCost CIFAR = new DartsCost(36, 20, 10, 32, false);

    private static final int STEM_MULTIPLIER = 3;
    private static final int AUX_HIDDEN = 128;
    private static final int AUX_FEATURES = 768;

    public DartsCost {
        if (channels <= 0 || layers < 3 || classes <= 0 || inputSize <= 0 || inputSize % 4 != 0) {
            throw new IllegalArgumentException("invalid DARTS network shape: C=" + channels + ", layers=" + layers
                    + ", classes=" + classes + ", input " + inputSize + " (needs layers >= 3 and a multiple of 4)");
        }
        if (auxiliary && (inputSize / 4 < 8 || inputSize / 4 > 10)) {
            throw new IllegalArgumentException("DARTS's auxiliary head needs an 8x8 to 10x10 input (its 5x5/3 pooling"
                    + " and 2x2 conv must end at 1x1); input " + inputSize + " gives " + inputSize / 4);
        }
    }

    public DartsCost withAuxiliary(boolean withHead) {
        return new DartsCost(channels, layers, classes, inputSize, withHead);
    }

    /** Whether cell {@code layer} is a reduction cell. */
    public boolean reduces(int layer) {
        return layer == layers / 3 || layer == 2 * layers / 3;
    }

    public long params(DartsGenotype genotype) {
        return (long) count(genotype)[0];
    }

    public double flops(DartsGenotype genotype) {
        return count(genotype)[1];
    }

    /** {params, flops}, walking the network as {@code NetworkCIFAR.__init__} builds it. */
    private double[] count(DartsGenotype genotype) {
        long stem = (long) STEM_MULTIPLIER * channels;
        long size = inputSize;
        long params = 9L * 3 * stem + 2 * stem;
        double flops = size * size * 27.0 * stem;
        long prevPrev = stem;
        long prev = stem;
        long c = channels;
        long auxChannels = 0;
        for (int layer = 0; layer < layers; layer++) {
            boolean reduction = reduces(layer);
            if (reduction) {
                c *= 2;
            }
            // preprocess0 (after a reduction a FactorizedReduce: two 1x1 convs to C/2 each, so the
            // same count as ReLUConvBN's one 1x1 conv to C) and preprocess1, at this cell's input size
            long positions = size * size;
            params += prevPrev * c + 2 * c + prev * c + 2 * c;
            flops += positions * (double) (prevPrev * c + prev * c);
            DartsCell cell = reduction ? genotype.reduce() : genotype.normal();
            long outPositions = reduction ? positions / 4 : positions;
            for (int p = 0; p < DartsCell.PAIRS; p++) {
                boolean strided = reduction && cell.input(p) < 2;
                params += opParams(cell.op(p), c, strided);
                flops += opMultiplyAdds(cell.op(p), c, strided) * outPositions;
            }
            if (reduction) {
                size /= 2;
            }
            prevPrev = prev;
            prev = (long) DartsCell.NODES * c;
            if (layer == 2 * layers / 3) {
                auxChannels = prev;
            }
        }
        params += prev * classes + classes;
        flops += prev * (double) classes + classes;
        if (auxiliary) {
            // ReLU, AvgPool 5/3 (8x8 -> 2x2), 1x1 conv to 128 + BN, ReLU, 2x2 conv to 768 + BN, ReLU, linear
            params += auxChannels * AUX_HIDDEN
                    + 2 * AUX_HIDDEN
                    + 4L * AUX_HIDDEN * AUX_FEATURES
                    + 2 * AUX_FEATURES
                    + (long) AUX_FEATURES * classes
                    + classes;
            flops += 4.0 * auxChannels * AUX_HIDDEN
                    + 4.0 * AUX_HIDDEN * AUX_FEATURES
                    + (double) AUX_FEATURES * classes
                    + classes;
        }
        return new double[] {params, flops};
    }

    /** Weights of one op on C channels, affine BN included. */
    static long opParams(DartsOp op, long c, boolean strided) {
        return switch (op) {
            case MAX_POOL_3X3, AVG_POOL_3X3 -> 0;
            case SKIP_CONNECT -> strided ? c * c + 2 * c : 0; // FactorizedReduce: 2 x (C x C/2) + BN
            case SEP_CONV_3X3 -> 2 * (9 * c + c * c + 2 * c);
            case SEP_CONV_5X5 -> 2 * (25 * c + c * c + 2 * c);
            case DIL_CONV_3X3 -> 9 * c + c * c + 2 * c;
            case DIL_CONV_5X5 -> 25 * c + c * c + 2 * c;
        };
    }

    /** Multiply-adds of one op per output position. */
    static double opMultiplyAdds(DartsOp op, long c, boolean strided) {
        return switch (op) {
            case MAX_POOL_3X3, AVG_POOL_3X3 -> 0;
            case SKIP_CONNECT -> strided ? c * (double) c : 0;
            case SEP_CONV_3X3 -> 2 * (9.0 * c + c * (double) c);
            case SEP_CONV_5X5 -> 2 * (25.0 * c + c * (double) c);
            case DIL_CONV_3X3 -> 9.0 * c + c * (double) c;
            case DIL_CONV_5X5 -> 25.0 * c + c * (double) c;
        };
    }
}
