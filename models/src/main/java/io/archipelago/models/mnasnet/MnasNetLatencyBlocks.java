package io.archipelago.models.mnasnet;

import io.archipelago.core.mnasnet.MnasArch;
import io.archipelago.core.mnasnet.MnasLayer;
import io.archipelago.core.mnasnet.MnasNetSize;
import io.archipelago.core.mnasnet.MnasOp;
import io.archipelago.core.mnasnet.MnasSkeleton;
import io.archipelago.models.nn.BatchNorm2d;
import io.archipelago.models.nn.Conv2d;
import io.archipelago.models.nn.GlobalAvgPool;
import io.archipelago.models.nn.Init;
import io.archipelago.models.nn.Linear;
import io.archipelago.models.nn.Relu;
import io.archipelago.models.nn.Sequential;
import io.archipelago.models.space.LatencyBlocks;
import io.archipelago.models.space.NetworkShape;
import io.archipelago.models.space.TimedBlock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@link MnasNetNetwork} cut into the blocks it is a sequence of: the stem, each {@link
 * MnasNetLayer} (keyed by every field of its {@link MnasLayer} but the name, and its input
 * resolution; its residual add is inside the layer) and the head (1x1 conv, BN, ReLU, pooling,
 * classifier). Blocks are built by the same code the network uses, so they are its layers.
 */
final class MnasNetLatencyBlocks implements LatencyBlocks<MnasArch> {
    /** The kernels a block may choose ({@link io.archipelago.core.mnasnet.MnasBlock}: 3 or 5). */
    private static final int[] KERNELS = {3, 5};

    @Override
    public List<TimedBlock> blocks(MnasArch architecture, NetworkShape shape) {
        MnasNetSize size = MnasNetNetworks.size(shape);
        List<TimedBlock> blocks = new ArrayList<>();
        blocks.add(stem(size));
        int side = size.stemResolution();
        int last = size.stemFilters();
        for (MnasLayer layer : size.layers(architecture)) {
            blocks.add(layer(layer, side));
            side = layer.outputResolution(side);
            last = layer.outFilters();
        }
        blocks.add(head(size, last, side));
        return blocks;
    }

    @Override
    public List<TimedBlock> everyBlock(NetworkShape shape) {
        MnasNetSize size = MnasNetNetworks.size(shape);
        Map<String, TimedBlock> byKey = new LinkedHashMap<>();
        add(byKey, stem(size));
        int side = size.stemResolution();
        List<Integer> inputs = List.of(size.stemFilters());
        for (int b = 0; b < MnasSkeleton.BLOCKS; b++) {
            List<Integer> outputs = new ArrayList<>();
            for (int filters : MnasSkeleton.filterChoices(b)) {
                outputs.add(MnasSkeleton.roundFilters(filters, size.widthMultiplier()));
            }
            int stride = MnasSkeleton.stride(b);
            int after = (side + stride - 1) / stride;
            boolean repeats = MnasSkeleton.layerChoices(b)
                            .get(MnasSkeleton.layerChoices(b).size() - 1)
                    > 1;
            String name = "block" + (b + 1);
            for (int out : outputs) {
                for (int in : inputs) {
                    layerVariants(byKey, name + ".layer1", in, out, stride, stride == 1 && in == out, side);
                }
                if (repeats) {
                    layerVariants(byKey, name + ".layer2", out, out, 1, true, after);
                }
            }
            inputs = outputs;
            side = after;
        }
        for (int in : inputs) {
            add(byKey, head(size, in, side));
        }
        return new ArrayList<>(byKey.values());
    }

    /** Every op, kernel and SE choice of a layer; with and without the residual where it can have one. */
    private static void layerVariants(
            Map<String, TimedBlock> byKey,
            String name,
            int in,
            int out,
            int stride,
            boolean residualPossible,
            int side) {
        for (MnasOp op : MnasOp.values()) {
            for (int kernel : KERNELS) {
                for (boolean se : new boolean[] {false, true}) {
                    int reduced = se ? Math.max(1, (int) (in * MnasSkeleton.SE_RATIO)) : 0;
                    add(byKey, layer(new MnasLayer(name, op, kernel, stride, in, out, reduced, false), side));
                    if (residualPossible) {
                        add(byKey, layer(new MnasLayer(name, op, kernel, stride, in, out, reduced, true), side));
                    }
                }
            }
        }
    }

    private static void add(Map<String, TimedBlock> byKey, TimedBlock block) {
        byKey.putIfAbsent(block.key(), block);
    }

    private static TimedBlock stem(MnasNetSize size) {
        int in = size.inputChannels();
        int out = size.stemFilters();
        int r = size.resolution();
        String key = String.format(Locale.ROOT, "stem conv3x3/2 %d->%d at %dx%d", in, out, r, r);
        return new TimedBlock(
                key,
                in,
                r,
                r,
                false,
                seed -> new Sequential(
                        new Conv2d("stem.conv", in, out, 3, 2, Init.random(seed, "stem.conv")),
                        new BatchNorm2d("stem.bn", out),
                        new Relu()));
    }

    private static TimedBlock layer(MnasLayer layer, int side) {
        String key = String.format(
                Locale.ROOT,
                "%s k%d s%d %d->%d se%d%s at %dx%d",
                layer.op().token(),
                layer.kernel(),
                layer.stride(),
                layer.inFilters(),
                layer.outFilters(),
                layer.seReduced(),
                layer.residual() ? " residual" : "",
                side,
                side);
        return new TimedBlock(key, layer.inFilters(), side, side, false, seed -> new MnasNetLayer(layer, seed));
    }

    private static TimedBlock head(MnasNetSize size, int in, int side) {
        int head = MnasSkeleton.HEAD_FILTERS;
        int classes = size.classes();
        String key = String.format(Locale.ROOT, "head %d->%d->%d at %dx%d", in, head, classes, side, side);
        return new TimedBlock(
                key,
                in,
                side,
                side,
                false,
                seed -> new Sequential(
                        new Conv2d("head.conv", in, head, 1, 1, Init.random(seed, "head.conv")),
                        new BatchNorm2d("head.bn", head),
                        new Relu(),
                        new GlobalAvgPool(),
                        new Linear("head.classifier", head, classes, Init.random(seed, "head.classifier"))));
    }
}
