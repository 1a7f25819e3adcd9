package io.archipelago.evaluators.latency;

import io.archipelago.evaluators.EvaluationException;
import io.archipelago.models.nn.Layer;
import io.archipelago.models.nn.Parameter;
import io.archipelago.models.nn.Pass;
import io.archipelago.models.space.NetworkShape;
import io.archipelago.models.space.SpaceNetworks;
import io.archipelago.models.space.SpaceNetworksRegistry;
import io.archipelago.models.space.TimedBlock;
import io.archipelago.proto.Architecture;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds a {@link SpaceLatencyTable} on this machine, as {@link LatencyTableBuilder} does for
 * NAS-Bench-201: every block of {@link io.archipelago.models.space.LatencyBlocks#everyBlock} timed
 * in isolation ({@link BlockTimer}, {@value LatencyTableBuilder#BLOCK_ROUNDS_PER_REPEAT} x repeats
 * shuffled rounds), then {@code fitNetworks} distinct random architectures measured whole in
 * {@code fitRounds} interleaved rounds and the model {@code a * table_sum} or {@code a * table_sum +
 * b} fitted on them ({@link RobustFit}, whichever predicts them best left out in turn).
 */
public final class SpaceLatencyTableBuilder {
    private final String space;
    private final String device;
    private final LatencySettings settings;
    private final int fitNetworks;
    private final int fitRounds;
    private final long seed;
    private final Consumer<String> progress;

    /**
     * @param settings the network shape (the space's reading of it, see {@link SpaceNetworks#shapeMeaning}),
     *     batch, warm-up, repeats and threads
     * @param fitNetworks networks measured whole to fit the model (0: the prediction is the table sum; else >= 3)
     * @throws IllegalArgumentException for a space without latency blocks, a shape it cannot build, or bad counts
     */
    public SpaceLatencyTableBuilder(
            String space,
            String device,
            LatencySettings settings,
            int fitNetworks,
            int fitRounds,
            long seed,
            Consumer<String> progress) {
        SpaceLatencyTable.blocks(space).everyBlock(settings.network()); // the space has blocks at this shape
        if (fitNetworks < 0 || fitNetworks > 0 && fitNetworks < 3) {
            throw new IllegalArgumentException(
                    "fit networks must be 0 (no overhead model) or >= 3, got " + fitNetworks);
        }
        if (fitRounds < 1) {
            throw new IllegalArgumentException("fit rounds must be >= 1, got " + fitRounds);
        }
        this.space = space;
        this.device = LatencyEvaluators.checkDevice(device);
        this.settings = settings;
        this.fitNetworks = fitNetworks;
        this.fitRounds = fitRounds;
        this.seed = seed;
        this.progress = progress;
        Timing.applyThreads(settings.threads());
    }

    public SpaceLatencyTable build() throws EvaluationException {
        NetworkShape shape = settings.network();
        List<TimedBlock> every = SpaceLatencyTable.blocks(space).everyBlock(shape);
        progress.accept(every.size() + " distinct blocks of space " + space + " to time");
        Map<String, SpaceLatencyTable.Entry> entries = measureBlocks(every);
        SpaceLatencyTable table = new SpaceLatencyTable(
                space,
                shape,
                new SpaceLatencyTable.Measurement(
                        device,
                        LatencyEvaluators.hostLabels(),
                        settings.batch(),
                        settings.warmup(),
                        settings.repeats(),
                        LatencyEvaluators.threads()),
                Instant.now().toString(),
                entries,
                null);
        if (fitNetworks == 0) {
            return table;
        }
        List<Architecture> fit = sample(space, fitNetworks, seed);
        double[] measured =
                LatencyTableBuilder.acrossRounds(measureRounds(fit, shape, settings, device, fitRounds, seed));
        List<Map<String, Double>> features = new ArrayList<>();
        for (int i = 0; i < fit.size(); i++) {
            double sum = table.tableSum(blocksOf(fit.get(i), shape));
            features.add(Map.of(LatencyTable.TERM_SUM, sum, LatencyTable.TERM_INTERCEPT, 1.0));
            progress.accept(String.format(
                    Locale.ROOT,
                    "fit network %d/%d  %.3f ms (table sum %.3f ms)  %s",
                    i + 1,
                    fit.size(),
                    measured[i],
                    sum,
                    fit.get(i).getEncoding()));
        }
        List<List<String>> candidates =
                List.of(List.of(LatencyTable.TERM_SUM), List.of(LatencyTable.TERM_SUM, LatencyTable.TERM_INTERCEPT));
        return table.withModel(RobustFit.fit(features, measured, candidates, "networks"));
    }

    private Map<String, SpaceLatencyTable.Entry> measureBlocks(List<TimedBlock> every) throws EvaluationException {
        Pass pass = Pass.inference(Pass.BatchNorm.RUNNING, settings.batch());
        Map<String, INDArray> inputs = new HashMap<>(); // blocks of one input shape share it
        List<BlockTimer.Block> blocks = new ArrayList<>();
        for (TimedBlock block : every) {
            String shape = block.channels() + "x" + block.height() + "x" + block.width();
            INDArray x = inputs.computeIfAbsent(
                    shape, s -> Timing.input(seed, settings.batch(), block.channels(), block.height(), block.width()));
            Layer layer = block.layer().build(seed);
            List<Parameter> parameters = new ArrayList<>();
            layer.collectParameters(parameters);
            if (block.addsIntoNode()) {
                INDArray[] node = new INDArray[1]; // the block's output shape: made by its first call
                blocks.add(new BlockTimer.Block(
                        block.key(),
                        () -> {
                            INDArray y = layer.forward(x, pass);
                            if (node[0] == null) {
                                node[0] = Nd4j.zeros(y.dataType(), y.shape());
                            }
                            return node[0].addi(y);
                        },
                        parameters));
            } else {
                blocks.add(new BlockTimer.Block(block.key(), () -> layer.forward(x, pass), parameters));
            }
        }
        List<BlockTimer.Timed> timed = BlockTimer.measure(
                blocks, settings, LatencyTableBuilder.BLOCK_ROUNDS_PER_REPEAT * settings.repeats(), seed);
        Map<String, SpaceLatencyTable.Entry> entries = new LinkedHashMap<>();
        for (int i = 0; i < every.size(); i++) {
            LatencyEvaluators.Stats s = timed.get(i).stats();
            entries.put(every.get(i).key(), new SpaceLatencyTable.Entry(s.medianMs(), s.p10Ms(), s.p90Ms()));
            progress.accept(String.format(
                    Locale.ROOT,
                    "%-60s %.4f ms  (p10 %.4f, p90 %.4f, %d x %d calls)",
                    every.get(i).key(),
                    s.medianMs(),
                    s.p10Ms(),
                    s.p90Ms(),
                    s.repeats(),
                    timed.get(i).inner()));
        }
        return entries;
    }

    /** {@code count} distinct random architectures of {@code space} (by encoding), drawn with the seed. */
    public static List<Architecture> sample(String space, int count, long seed) {
        return sample(SpaceNetworksRegistry.require(space, "a space latency table"), count, seed);
    }

    private static <A> List<Architecture> sample(SpaceNetworks<A> networks, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Set<String> seen = new LinkedHashSet<>();
        List<Architecture> out = new ArrayList<>();
        for (int tries = 0; out.size() < count && tries < 100 * count; tries++) {
            Architecture a = networks.space().toProto(networks.space().sample(random));
            if (seen.add(a.getEncoding())) {
                out.add(a);
            }
        }
        return out;
    }

    /** The blocks of a wire architecture's network at {@code shape}. */
    public static List<TimedBlock> blocksOf(Architecture architecture, NetworkShape shape) {
        return blocksOf(
                SpaceNetworksRegistry.require(architecture.getSpace(), "a space latency table"), architecture, shape);
    }

    private static <A> List<TimedBlock> blocksOf(
            SpaceNetworks<A> networks, Architecture architecture, NetworkShape shape) {
        A parsed = networks.space().fromProto(architecture);
        return networks.latencyBlocks()
                .orElseThrow(() ->
                        new IllegalArgumentException("space '" + architecture.getSpace() + "' has no latency blocks"))
                .blocks(parsed, shape);
    }

    /**
     * Measures networks whole in {@code rounds} interleaved rounds, each in a fresh shuffled order
     * (as {@link LatencyTableBuilder#measureCellRounds} does for NAS-Bench-201 cells).
     *
     * @return each network's median latency in each round, {@code [network][round]}
     */
    public static double[][] measureRounds(
            List<Architecture> architectures,
            NetworkShape shape,
            LatencySettings settings,
            String device,
            int rounds,
            long seed)
            throws EvaluationException {
        MeasuredLatencyEvaluator evaluator = new MeasuredLatencyEvaluator(device, settings);
        double[][] perRound = new double[architectures.size()][rounds];
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < architectures.size(); i++) {
            order.add(i);
        }
        for (int r = 0; r < rounds; r++) {
            BlockTimer.shuffle(order, random);
            for (int i : order) {
                Architecture a = architectures.get(i);
                perRound[i][r] = evaluator
                        .measure(
                                SpaceNetworksRegistry.require(a.getSpace(), "measured latency")
                                        .factory(a),
                                shape,
                                a.getEncoding())
                        .medianMs();
            }
        }
        return perRound;
    }
}
