package io.archipelago.evaluators.latency;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Op;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.models.nn.AvgPool2d;
import io.archipelago.models.nn.BatchNorm2d;
import io.archipelago.models.nn.Conv2d;
import io.archipelago.models.nn.GlobalAvgPool;
import io.archipelago.models.nn.Init;
import io.archipelago.models.nn.Layer;
import io.archipelago.models.nn.Linear;
import io.archipelago.models.nn.Parameter;
import io.archipelago.models.nn.Pass;
import io.archipelago.models.nn.Relu;
import io.archipelago.models.nn.Sequential;
import io.archipelago.models.space.NetworkShape;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds a {@link LatencyTable} on this machine.
 *
 * <ol>
 *   <li>Every block is built in isolation from the same layers the network uses and timed:
 *       {@code warmup} untimed rounds, then {@value #BLOCK_ROUNDS_PER_REPEAT} x {@code repeats}
 *       rounds in which every block is sampled once, in a shuffled order. A sample is the mean of
 *       enough back-to-back calls to last about a millisecond; an entry is the median of its
 *       samples. Blocks are cheap (a round of all 16 takes ~15 ms at C=16), so the many rounds
 *       spread each entry's samples over seconds: a burst of load from elsewhere then touches a
 *       minority of every entry's samples instead of most samples of a few entries.</li>
 *   <li>{@code fitCells} distinct random cells (seeded) are measured whole with
 *       {@link MeasuredLatencyEvaluator} in {@code fitRounds} interleaved rounds (combined by
 *       {@link #acrossRounds}), and the overhead model is fitted by robust (Huber) least squares
 *       on relative errors: {@code latency = a * table_sum}, {@code a * table_sum + b}, or that plus a
 *       per-op-count term for each cell op ({@code count:OP}, what isolation misses of an op in
 *       context), whichever predicts the fit cells best when each is left out in turn (the
 *       extended model needs at least 12 cells).</li>
 * </ol>
 */
public final class LatencyTableBuilder {
    /** The extended (per-op-count) model is only tried with at least this many fit cells. */
    static final int MIN_CELLS_EXTENDED = 12;
    /** Rounds of block samples per timed repeat of a whole network. */
    static final int BLOCK_ROUNDS_PER_REPEAT = 10;

    private final String device;
    private final LatencySettings settings;
    private final int fitCells;
    private final int fitRounds;
    private final long seed;
    private final Consumer<String> progress;

    /**
     * @param fitCells fully measured cells to fit the overhead model on (0: no model, the
     *     prediction is the plain table sum; otherwise at least 3)
     * @param fitRounds interleaved measurements of each fit cell, combined by {@link #acrossRounds}
     * @param progress receives one line per step (may be a no-op)
     */
    public LatencyTableBuilder(
            String device,
            LatencySettings settings,
            int fitCells,
            int fitRounds,
            long seed,
            Consumer<String> progress) {
        this.device = LatencyEvaluators.checkDevice(device);
        this.settings = settings;
        if (fitCells < 0 || fitCells > 0 && fitCells < 3) {
            throw new IllegalArgumentException("fit cells must be 0 (no overhead model) or >= 3, got " + fitCells);
        }
        if (fitRounds < 1) {
            throw new IllegalArgumentException("fit rounds must be >= 1, got " + fitRounds);
        }
        LatencyTable.requiredKeys(settings.network()); // square inputs
        this.fitCells = fitCells;
        this.fitRounds = fitRounds;
        this.seed = seed;
        this.progress = progress;
        Timing.applyThreads(settings.threads());
    }

    public LatencyTable build() throws EvaluationException {
        NetworkShape network = settings.network();
        List<LatencyTable.Key> keys = LatencyTable.requiredKeys(network);
        List<LatencyTable.Entry> entries = measureBlocks(keys);
        Map<String, String> labels = new LinkedHashMap<>(LatencyEvaluators.hostLabels());
        LatencyTable table = new LatencyTable(
                device,
                labels,
                network,
                settings.batch(),
                settings.warmup(),
                settings.repeats(),
                LatencyEvaluators.threads(),
                Instant.now().toString(),
                entries,
                null);
        if (fitCells == 0) {
            return table;
        }
        List<Nb201Cell> cells = sampleCells(fitCells, seed);
        double[] measured = acrossRounds(measureCellRounds(cells, settings, device, fitRounds, seed));
        for (int i = 0; i < cells.size(); i++) {
            progress.accept(String.format(
                    java.util.Locale.ROOT,
                    "fit cell %d/%d  %.3f ms  %s",
                    i + 1,
                    cells.size(),
                    measured[i],
                    cells.get(i)));
        }
        return table.withModel(fit(table, cells, measured));
    }

    /** {@code count} distinct cells, uniformly drawn with the seed. */
    public static List<Nb201Cell> sampleCells(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Set<Nb201Cell> cells = new LinkedHashSet<>();
        while (cells.size() < Math.min(count, Nb201Cell.COUNT)) {
            cells.add(Nb201Space.INSTANCE.sample(random));
        }
        return new ArrayList<>(cells);
    }

    /**
     * Measures cells whole in {@code rounds} interleaved rounds, each round in a fresh shuffled
     * order (so a stretch of load from elsewhere falls on different cells in different rounds).
     *
     * @return each cell's median latency in each round, {@code [cell][round]}
     */
    public static double[][] measureCellRounds(
            List<Nb201Cell> cells, LatencySettings settings, String device, int rounds, long seed)
            throws EvaluationException {
        MeasuredLatencyEvaluator evaluator = new MeasuredLatencyEvaluator(device, settings);
        double[][] perRound = new double[cells.size()][rounds];
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < cells.size(); i++) {
            order.add(i);
        }
        for (int r = 0; r < rounds; r++) {
            BlockTimer.shuffle(order, random);
            for (int i : order) {
                perRound[i][r] = evaluator.measure(cells.get(i)).medianMs();
            }
        }
        return perRound;
    }

    /**
     * Each cell's latency across rounds: the geometric mean of its rounds' medians after dropping
     * the slowest fifth of the rounds (at least one when there are two or more). Load from
     * elsewhere scales a round by a factor that changes between rounds (the rounds of one cell
     * here typically differ by 1.5x), which averaging logarithms evens out; and it only ever adds
     * time, at worst 10x for a round caught by a burst, which trimming the slowest rounds removes.
     * On two runs of 100 cells x 5 rounds here (load ~2 and ~4 on 2 cores) this ranked closest to
     * the table: Spearman 0.956 and 0.965, against 0.937 and 0.939 for the median of the rounds,
     * 0.930 and 0.955 for the fastest round, 0.959 and 0.606 for the untrimmed geometric mean.
     */
    public static double[] acrossRounds(double[][] perRound) {
        double[] latency = new double[perRound.length];
        for (int i = 0; i < perRound.length; i++) {
            double[] sorted = perRound[i].clone();
            Arrays.sort(sorted);
            int keep = sorted.length < 2 ? sorted.length : sorted.length - Math.max(1, sorted.length / 5);
            double logs = 0;
            for (int r = 0; r < keep; r++) {
                logs += Math.log(sorted[r]);
            }
            latency[i] = Math.exp(logs / keep);
        }
        return latency;
    }

    // ------------------------------------------------------------------ blocks

    private List<LatencyTable.Entry> measureBlocks(List<LatencyTable.Key> keys) throws EvaluationException {
        List<BlockTimer.Block> blocks = new ArrayList<>();
        for (LatencyTable.Key key : keys) {
            blocks.add(block(key));
        }
        List<BlockTimer.Timed> timed =
                BlockTimer.measure(blocks, settings, BLOCK_ROUNDS_PER_REPEAT * settings.repeats(), seed);
        List<LatencyTable.Entry> entries = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            LatencyTable.Key key = keys.get(i);
            LatencyEvaluators.Stats s = timed.get(i).stats();
            entries.add(new LatencyTable.Entry(
                    key.op(), key.channels(), key.resolution(), key.stride(), s.medianMs(), s.p10Ms(), s.p90Ms()));
            progress.accept(String.format(
                    java.util.Locale.ROOT,
                    "%-52s %.4f ms  (p10 %.4f, p90 %.4f, %d x %d calls)",
                    key,
                    s.medianMs(),
                    s.p10Ms(),
                    s.p90Ms(),
                    s.repeats(),
                    timed.get(i).inner()));
        }
        return entries;
    }

    /** The block of a key, made of the layers {@code Nb201Network} is made of. */
    private BlockTimer.Block block(LatencyTable.Key key) {
        NetworkShape network = settings.network();
        int b = settings.batch();
        int c = key.channels();
        int r = key.resolution();
        long s = seed;
        Pass pass = Pass.inference(Pass.BatchNorm.RUNNING, b);
        List<Parameter> params = new ArrayList<>();
        String name = "latency." + key.op() + "." + c + "." + r;
        switch (key.op()) {
            case LatencyTable.STEM -> {
                INDArray x = Timing.input(s, b, network.inputChannels(), r, r);
                Layer stem = new Sequential(
                        new Conv2d(name + ".conv", network.inputChannels(), c, 3, 1, Init.random(s, name + ".conv")),
                        new BatchNorm2d(name + ".bn", c));
                stem.collectParameters(params);
                return new BlockTimer.Block(key.toString(), () -> stem.forward(x, pass), params);
            }
            case LatencyTable.REDUCTION -> {
                // ResidualReduction: ReLU-Conv3x3/2-BN -> ReLU-Conv3x3-BN, plus AvgPool2x2 -> Conv1x1
                INDArray x = Timing.input(s, b, c, r, r);
                Layer residual = new Sequential(
                        reluConvBn(name + ".a", c, 2 * c, 3, 2, s), reluConvBn(name + ".b", 2 * c, 2 * c, 3, 1, s));
                Layer shortcut = new Sequential(
                        new AvgPool2d(2, 2, 0),
                        new Conv2d(name + ".shortcut", c, 2 * c, 1, 1, Init.random(s, name + ".shortcut")));
                residual.collectParameters(params);
                shortcut.collectParameters(params);
                return new BlockTimer.Block(
                        key.toString(), () -> residual.forward(x, pass).addi(shortcut.forward(x, pass)), params);
            }
            case LatencyTable.HEAD -> {
                INDArray x = Timing.input(s, b, c, r, r);
                Layer head = new Sequential(
                        new BatchNorm2d(name + ".bn", c),
                        new Relu(),
                        new GlobalAvgPool(),
                        new Linear(name + ".classifier", c, network.classes(), Init.random(s, name + ".classifier")));
                head.collectParameters(params);
                return new BlockTimer.Block(key.toString(), () -> head.forward(x, pass), params);
            }
            default -> {
                // A cell op on one edge: the op, then its result added into the target node.
                INDArray x = Timing.input(s, b, c, r, r);
                INDArray node = Nd4j.zeros(x.dataType(), x.shape());
                Nb201Op op = Arrays.stream(Nb201Op.values())
                        .filter(o -> o.token().equals(key.op()))
                        .findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("unknown block " + key));
                Layer layer = switch (op) {
                    case NOR_CONV_1X1 -> reluConvBn(name, c, c, 1, 1, s);
                    case NOR_CONV_3X3 -> reluConvBn(name, c, c, 3, 1, s);
                    case AVG_POOL_3X3 -> new AvgPool2d(3, 1, 1);
                    case SKIP_CONNECT, NONE -> null;
                };
                if (layer == null) {
                    return new BlockTimer.Block(key.toString(), () -> node.addi(x), params);
                }
                layer.collectParameters(params);
                return new BlockTimer.Block(key.toString(), () -> node.addi(layer.forward(x, pass)), params);
            }
        }
    }

    private static Layer reluConvBn(String name, int in, int out, int kernel, int stride, long seed) {
        return new Sequential(
                new Relu(),
                new Conv2d(name + ".conv", in, out, kernel, stride, Init.random(seed, name + ".conv")),
                new BatchNorm2d(name + ".bn", out));
    }

    // ------------------------------------------------------------------ overhead model

    /**
     * Fits the overhead model ({@link RobustFit}). Candidates: {@code a * table_sum}, {@code a *
     * table_sum + b}, and with at least {@value #MIN_CELLS_EXTENDED} cells that plus {@code
     * count:OP} terms.
     */
    static LatencyTable.Model fit(LatencyTable table, List<Nb201Cell> cells, double[] measured) {
        List<String> scale = List.of(LatencyTable.TERM_SUM);
        List<String> plain = List.of(LatencyTable.TERM_SUM, LatencyTable.TERM_INTERCEPT);
        List<String> extended = new ArrayList<>(plain);
        for (Nb201Op op : LatencyTable.CELL_OPS) {
            extended.add(LatencyTable.TERM_COUNT + op.token());
        }
        List<Map<String, Double>> features = new ArrayList<>();
        for (Nb201Cell cell : cells) {
            features.add(table.features(cell));
        }
        List<List<String>> candidates = new ArrayList<>(List.of(scale, plain));
        if (cells.size() >= MIN_CELLS_EXTENDED) {
            candidates.add(extended);
        }
        return RobustFit.fit(features, measured, candidates, "cells");
    }
}
