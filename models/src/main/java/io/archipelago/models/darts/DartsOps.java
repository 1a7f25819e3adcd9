package io.archipelago.models.darts;

import io.archipelago.core.darts.DartsOp;
import io.archipelago.models.nn.AvgPool2d;
import io.archipelago.models.nn.BatchNorm2d;
import io.archipelago.models.nn.Conv2d;
import io.archipelago.models.nn.DepthwiseConv2d;
import io.archipelago.models.nn.Init;
import io.archipelago.models.nn.Layer;
import io.archipelago.models.nn.MaxPool2d;
import io.archipelago.models.nn.Relu;
import io.archipelago.models.nn.Sequential;

/**
 * The layers of DARTS's {@code operations.py} (with affine BN, as the evaluation network has),
 * each parameter named under {@code name} and drawn from {@link Init#random}{@code (seed, its name)}.
 */
final class DartsOps {
    private DartsOps() {}

    static Layer of(DartsOp op, String name, int channels, int stride, long seed) {
        return switch (op) {
            case MAX_POOL_3X3 -> new MaxPool2d(3, stride, 1);
            case AVG_POOL_3X3 -> new AvgPool2d(3, stride, 1); // count_include_pad=False, as DARTS
            case SKIP_CONNECT -> stride == 1 ? new Identity() : new FactorizedReduce(name, channels, channels, seed);
            case SEP_CONV_3X3 -> sepConv(name, channels, 3, stride, seed);
            case SEP_CONV_5X5 -> sepConv(name, channels, 5, stride, seed);
            case DIL_CONV_3X3 -> dilConv(name, channels, 3, stride, seed);
            case DIL_CONV_5X5 -> dilConv(name, channels, 5, stride, seed);
        };
    }

    /** {@code ReLUConvBN}: ReLU, k x k conv, BN. DARTS's preprocessing uses it with k = 1. */
    static Layer reluConvBn(String name, int in, int out, int kernel, long seed) {
        return new Sequential(
                new Relu(),
                new Conv2d(name + ".conv", in, out, kernel, 1, Init.random(seed, name + ".conv")),
                new BatchNorm2d(name + ".bn", out));
    }

    /** Preprocessing of the older input after a reduction cell: it is at twice the resolution. */
    static Layer factorizedReduce(String name, int in, int out, long seed) {
        return new FactorizedReduce(name, in, out, seed);
    }

    /** {@code SepConv}: a dilation-1 {@link #dilConv} block (with the stride) and another one at stride 1. */
    static Layer sepConv(String name, int channels, int kernel, int stride, long seed) {
        return new Sequential(
                block(name + ".0", channels, kernel, stride, 1, seed),
                block(name + ".1", channels, kernel, 1, 1, seed));
    }

    /** {@code DilConv}: ReLU, depthwise k x k with dilation 2, pointwise 1x1, BN. */
    static Layer dilConv(String name, int channels, int kernel, int stride, long seed) {
        return block(name, channels, kernel, stride, 2, seed);
    }

    private static Layer block(String name, int channels, int kernel, int stride, int dilation, long seed) {
        return new Sequential(
                new Relu(),
                new DepthwiseConv2d(
                        name + ".depthwise",
                        channels,
                        kernel,
                        stride,
                        dilation,
                        Init.random(seed, name + ".depthwise")),
                new Conv2d(name + ".pointwise", channels, channels, 1, 1, Init.random(seed, name + ".pointwise")),
                new BatchNorm2d(name + ".bn", channels));
    }
}
