package io.archipelago.models.darts;

import io.archipelago.core.darts.DartsCell;
import io.archipelago.core.darts.DartsCost;
import io.archipelago.core.darts.DartsGenotype;
import io.archipelago.core.darts.DartsOp;
import io.archipelago.models.nn.BatchNorm2d;
import io.archipelago.models.nn.Conv2d;
import io.archipelago.models.nn.GlobalAvgPool;
import io.archipelago.models.nn.Init;
import io.archipelago.models.nn.Linear;
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
 * {@link DartsNetwork} cut into blocks: the stem; each cell's two preprocessing blocks (the same
 * for every genotype at a shape); each of a cell's 8 (op, input) edges at its channels, input
 * resolution and stride, timed with the add of its output into its node; the head (pooling and
 * classifier). What is left out is the same for every genotype at a shape (each cell's
 * concatenation of its 4 nodes), so a table's intercept absorbs it. Blocks are built with {@link
 * DartsOps}, the code the network is built with.
 */
final class DartsLatencyBlocks implements LatencyBlocks<DartsGenotype> {
    private static final int STEM_MULTIPLIER = 3;
    private static final int RGB = 3;

    @Override
    public List<TimedBlock> blocks(DartsGenotype genotype, NetworkShape shape) {
        List<TimedBlock> blocks = new ArrayList<>();
        walk(shape, blocks::add, (reduction, c, side) -> {
            DartsCell ops = reduction ? genotype.reduce() : genotype.normal();
            for (int p = 0; p < DartsCell.PAIRS; p++) {
                int input = ops.input(p);
                boolean strided = reduction && input < 2;
                blocks.add(edge(ops.op(p), c, strided ? side : outputSide(side, reduction), strided ? 2 : 1));
            }
        });
        return blocks;
    }

    @Override
    public List<TimedBlock> everyBlock(NetworkShape shape) {
        Map<String, TimedBlock> byKey = new LinkedHashMap<>();
        walk(shape, b -> byKey.putIfAbsent(b.key(), b), (reduction, c, side) -> {
            for (DartsOp op : DartsOp.values()) {
                if (reduction) {
                    TimedBlock strided = edge(op, c, side, 2);
                    byKey.putIfAbsent(strided.key(), strided);
                }
                TimedBlock plain = edge(op, c, outputSide(side, reduction), 1);
                byKey.putIfAbsent(plain.key(), plain);
            }
        });
        return new ArrayList<>(byKey.values());
    }

    /** What a cell's edges are built at: whether it reduces, its C and its input side. */
    @FunctionalInterface
    private interface CellEdges {
        void add(boolean reduction, int channels, int side);
    }

    /** Walks the network as {@link DartsNetwork} wires it: fixed blocks to {@code fixed}, each cell's edges to {@code edges}. */
    private static void walk(NetworkShape shape, java.util.function.Consumer<TimedBlock> fixed, CellEdges edges) {
        DartsCost size = DartsNetworks.size(shape);
        int c = size.channels();
        int side = size.inputSize();
        int stemChannels = STEM_MULTIPLIER * c;
        fixed.accept(stem(stemChannels, side));
        int older = stemChannels;
        int previous = stemChannels;
        boolean previousReduced = false;
        for (int layer = 0; layer < size.layers(); layer++) {
            boolean reduction = size.reduces(layer);
            if (reduction) {
                c *= 2;
            }
            fixed.accept(previousReduced ? factorizedReduce(older, c, 2 * side) : reluConvBn(older, c, side));
            fixed.accept(reluConvBn(previous, c, side));
            edges.add(reduction, c, side);
            previousReduced = reduction;
            older = previous;
            previous = DartsCell.NODES * c;
            side = outputSide(side, reduction);
        }
        fixed.accept(head(previous, size.classes(), side));
    }

    private static int outputSide(int side, boolean reduction) {
        return reduction ? side / 2 : side;
    }

    private static TimedBlock stem(int out, int side) {
        String key = String.format(Locale.ROOT, "stem conv3x3 %d->%d at %dx%d", RGB, out, side, side);
        return new TimedBlock(
                key,
                RGB,
                side,
                side,
                false,
                seed -> new Sequential(
                        new Conv2d("stem.conv", RGB, out, 3, 1, Init.random(seed, "stem.conv")),
                        new BatchNorm2d("stem.bn", out)));
    }

    private static TimedBlock reluConvBn(int in, int out, int side) {
        String key = String.format(Locale.ROOT, "preprocess relu_conv_bn %d->%d at %dx%d", in, out, side, side);
        return new TimedBlock(key, in, side, side, false, seed -> DartsOps.reluConvBn("preprocess", in, out, 1, seed));
    }

    private static TimedBlock factorizedReduce(int in, int out, int side) {
        String key = String.format(Locale.ROOT, "preprocess factorized_reduce %d->%d at %dx%d", in, out, side, side);
        return new TimedBlock(
                key, in, side, side, false, seed -> DartsOps.factorizedReduce("preprocess", in, out, seed));
    }

    private static TimedBlock edge(DartsOp op, int channels, int side, int stride) {
        String key = String.format(
                Locale.ROOT, "%s s%d %d channels at %dx%d, + add", op.token(), stride, channels, side, side);
        return new TimedBlock(
                key, channels, side, side, true, seed -> DartsOps.of(op, "edge." + op.token(), channels, stride, seed));
    }

    private static TimedBlock head(int in, int classes, int side) {
        String key = String.format(Locale.ROOT, "head pool %d->%d at %dx%d", in, classes, side, side);
        return new TimedBlock(
                key,
                in,
                side,
                side,
                false,
                seed -> new Sequential(
                        new GlobalAvgPool(), new Linear("classifier", in, classes, Init.random(seed, "classifier"))));
    }
}
