package io.archipelago.core.mnasnet;

/**
 * Analytic parameter and multiply-add counts of a MnasNet network at a {@link MnasNetSize}.
 *
 * <p>Parameters are counted as PyTorch counts them: conv weights (no conv has a bias except
 * squeeze-and-excitation's two 1x1 convs), BN weight and bias (not running statistics), the
 * classifier's weight and bias. {@code flops} are multiply-adds, as the MnasNet paper reports
 * them: convolutions (a k x k conv of {@code c_in -> c_out} at {@code h x w} output positions
 * is {@code h w k^2 c_in c_out}, a depthwise one {@code h w k^2 c}), squeeze-and-excitation's two
 * 1x1 convs on the pooled vector, and the classifier's matrix product. BN, activations, pooling,
 * SE's gating product, residual additions and biases are not counted. At the standard size
 * MnasNet-A1 has 3,887,038 parameters and 311.6 M multiply-adds, MnasNet-B1 4,383,312 (as
 * torchvision's {@code mnasnet1_0}) and 314.4 M; the paper gives 3.9 M / 312 M and 4.4 M / 315 M.
 */
public final class MnasCost {
    private MnasCost() {}

    public static long params(MnasArch arch, MnasNetSize size) {
        long stem = size.stemFilters();
        long total = 9L * size.inputChannels() * stem + 2 * stem;
        long last = stem;
        for (MnasLayer layer : size.layers(arch)) {
            total += params(layer);
            last = layer.outFilters();
        }
        long head = MnasSkeleton.HEAD_FILTERS;
        return total + last * head + 2 * head + head * size.classes() + size.classes();
    }

    public static double flops(MnasArch arch, MnasNetSize size) {
        double side = size.stemResolution();
        double total = side * side * 9.0 * size.inputChannels() * size.stemFilters();
        int resolution = size.stemResolution();
        long last = size.stemFilters();
        for (MnasLayer layer : size.layers(arch)) {
            int out = layer.outputResolution(resolution);
            total += flops(layer, resolution, out);
            resolution = out;
            last = layer.outFilters();
        }
        double positions = (double) resolution * resolution;
        return total
                + positions * last * MnasSkeleton.HEAD_FILTERS
                + (double) MnasSkeleton.HEAD_FILTERS * size.classes();
    }

    static long params(MnasLayer layer) {
        long k2 = (long) layer.kernel() * layer.kernel();
        long in = layer.inFilters();
        long out = layer.outFilters();
        long total = squeezeExciteParams(layer);
        if (layer.op() == MnasOp.CONV) {
            return total + k2 * in * out + 2 * out;
        }
        long mid = layer.expanded();
        if (layer.op().expands()) {
            total += in * mid + 2 * mid;
        }
        return total + k2 * mid + 2 * mid + mid * out + 2 * out;
    }

    static double flops(MnasLayer layer, int inSide, int outSide) {
        double inPositions = (double) inSide * inSide;
        double outPositions = (double) outSide * outSide;
        double k2 = (double) layer.kernel() * layer.kernel();
        double in = layer.inFilters();
        double out = layer.outFilters();
        double total = 2.0 * layer.seChannels() * layer.seReduced();
        if (layer.op() == MnasOp.CONV) {
            return total + outPositions * k2 * in * out;
        }
        double mid = layer.expanded();
        if (layer.op().expands()) {
            total += inPositions * in * mid;
        }
        return total + outPositions * k2 * mid + outPositions * mid * out;
    }

    private static long squeezeExciteParams(MnasLayer layer) {
        long c = layer.seChannels();
        long r = layer.seReduced();
        return r == 0 ? 0 : c * r + r + r * c + c;
    }
}
