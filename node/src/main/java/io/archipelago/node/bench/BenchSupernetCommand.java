package io.archipelago.node.bench;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.models.data.TrainingData;
import io.archipelago.models.supernet.EvalImages;
import io.archipelago.models.supernet.ImageSet;
import io.archipelago.models.supernet.NdThreads;
import io.archipelago.node.setup.OptionChecks;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench supernet}: how well a SPOS supernet's inherited-weight accuracy ranks NAS-Bench-201
 * cells. Each seed trains in its own run directory ({@link SeedTraining}); the cells are scored
 * with the checkpoints a quarter, half, three quarters and all of the way through
 * ({@link CheckpointScores}) and ranked against a standalone truth table and the NB201 table
 * ({@link RankedCells}); the parameter count is the baseline. Everything is kept on disk, so a
 * killed or extended bench (more seeds, another truth table) redoes nothing already done.
 */
@Command(
        name = "supernet",
        mixinStandardHelpOptions = true,
        description = "Rank correlation of SPOS supernet accuracy (and params) with a standalone truth table and the "
                + "NB201 table, over seeds, at 1/4, 1/2, 3/4 and the end of training; resumable.")
public final class BenchSupernetCommand implements Callable<Integer> {
    /** The standalone-trained truth for the default settings, when the build ships it (next to this class). */
    static final String DEFAULT_TRUTH = "standalone-fmnist-c8n1.csv";

    private static final int IMAGE_SIZE = 32;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The bench's directory (seed-S/ each).")
    Path out;

    @Option(names = "--minutes", paramLabel = "M", description = "Train each seed about M minutes.")
    Double minutes;

    @Option(names = "--epochs", paramLabel = "E", description = "Train each seed E epochs (default: 1).")
    Integer epochs;

    @Option(names = "--seeds", defaultValue = "3", description = "Seeds 0..S-1 (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--sample", defaultValue = "200", description = "NB201 cells sampled (default: ${DEFAULT-VALUE}).")
    int sample;

    @Option(
            names = "--sample-seed",
            defaultValue = "0",
            description = "Seed of the cell sample and the held-out images (default: ${DEFAULT-VALUE}).")
    long sampleSeed;

    @Option(
            names = "--eval-images",
            defaultValue = "2000",
            description = "Held-out test images each cell is scored on (default: ${DEFAULT-VALUE}).")
    int evalImages;

    @Option(
            names = "--eval-batch",
            defaultValue = "250",
            description = "Largest evaluation batch; the images are cut in equal batches (default: ${DEFAULT-VALUE}).")
    int evalBatch;

    @Option(
            names = "--truth",
            paramLabel = "FILE",
            description =
                    "Standalone truth table (benchmark CSV) (default: the shipped one for fashion-mnist C=8 N=1).")
    Path truth;

    @Option(
            names = "--truth-metric",
            defaultValue = "valid_accuracy",
            description = "Truth column (default: ${DEFAULT-VALUE}).")
    String truthMetric;

    @Option(
            names = "--benchmark",
            paramLabel = "FILE",
            description = "NB201 table (default: the embedded NAS-Bench-201 CIFAR-10 table).")
    Path benchmark;

    @Option(
            names = "--metric",
            defaultValue = "cifar10_test_200",
            description = "NB201 table column (default: ${DEFAULT-VALUE}).")
    String metric;

    @Option(
            names = "--data",
            defaultValue = "fashion-mnist",
            description = "As supernet train (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--channels", defaultValue = "8", description = "C (default: ${DEFAULT-VALUE}).")
    int channels;

    @Option(names = "--cells", defaultValue = "1", description = "N (default: ${DEFAULT-VALUE}).")
    int cells;

    @Option(names = "--train-images", defaultValue = "10000", description = "Default: ${DEFAULT-VALUE}.")
    int trainImages;

    @Option(names = "--batch", defaultValue = "64", description = "Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--augment", description = "Random crop and flip in training.")
    boolean augment;

    @Option(names = "--threads", defaultValue = "2", description = "ND4J threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--quiet", description = "No progress bars.")
    boolean quiet;

    @Option(names = "--json", description = "End with one JSON line.")
    boolean json;

    @Option(
            names = "--stop-after",
            hidden = true,
            paramLabel = "STEPS",
            description = "Testing: stop training a seed after STEPS steps, as if killed after that checkpoint.")
    Long stopAfter;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SupernetBenchSettings settings = settings();
        TrainingData heldOut = TrainingData.test(data);
        BenchmarkTable<Nb201Cell> nb201 = benchmark == null
                ? BenchmarkTable.embeddedNb201Cifar10()
                : BenchmarkTable.load(Nb201Space.INSTANCE, benchmark);
        RankedCells table = ranked("table", nb201, metric, BenchOutput.distinctCells(nb201, sample, sampleSeed));
        RankedCells truthCells = truthCells();
        settings.claim(out);
        PrintWriter stdout = spec.commandLine().getOut();
        NdThreads.configure(threads);

        List<Nb201Cell> scored = new ArrayList<>(table.cells());
        if (truthCells != null) {
            scored.addAll(truthCells.cells());
        }
        EvalImagesOnce images = new EvalImagesOnce(heldOut);
        SeedTraining training = new SeedTraining(settings, threads, quiet, stopAfter, stdout);
        List<Map<String, Object>> perSeed = new ArrayList<>();
        for (long seed = 0; seed < seeds; seed++) {
            Path dir = out.resolve("seed-" + seed);
            SeedTraining.Progress done = training.train(seed, dir);
            if (!done.done()) {
                stdout.printf(
                        "seed %d: stopped at step %d of %d; run the bench again to resume it%n",
                        seed, done.step(), done.total());
                stdout.flush();
                return 0;
            }
            SeedReport report = new SeedReport(seed, dir, done.total(), table, truthCells);
            perSeed.add(report.evaluate(scored, images, stdout));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("bench", "supernet");
        result.put("seeds", seeds);
        result.put("settings", settings.toMap());
        result.put("eval_images", images.count());
        @SuppressWarnings("unchecked")
        Map<String, Object> means = (Map<String, Object>) SeedMeans.mean(perSeed);
        means.remove("seed");
        result.putAll(means);
        result.put("per_seed", perSeed);
        SupernetBenchText.print(stdout, result);
        if (json) {
            BenchOutput.json(stdout, result);
        }
        return 0;
    }

    private SupernetBenchSettings settings() {
        OptionChecks.positive("--seeds", seeds);
        OptionChecks.positive("--sample", sample);
        OptionChecks.positive("--eval-images", evalImages);
        OptionChecks.positive("--eval-batch", evalBatch);
        OptionChecks.positive("--threads", threads);
        OptionChecks.positive("--channels", channels);
        OptionChecks.positive("--cells", cells);
        OptionChecks.positive("--batch", batch);
        OptionChecks.positive("--train-images", trainImages);
        if (epochs != null && minutes != null) {
            throw new IllegalArgumentException("--epochs and --minutes exclude each other");
        }
        if (epochs != null) {
            OptionChecks.positive("--epochs", epochs);
        }
        if (minutes != null && !(minutes > 0 && Double.isFinite(minutes))) {
            throw new IllegalArgumentException("--minutes must be > 0, got " + minutes);
        }
        if (stopAfter != null) {
            OptionChecks.positive("--stop-after", stopAfter);
        }
        Integer e = minutes == null && epochs == null ? Integer.valueOf(1) : epochs;
        return new SupernetBenchSettings(
                data.strip(),
                channels,
                cells,
                batch,
                trainImages,
                e,
                minutes,
                augment,
                evalImages,
                evalBatch,
                sampleSeed);
    }

    /** The truth table's cells, or null when there is none: no --truth and no shipped one for these settings. */
    private RankedCells truthCells() throws IOException {
        BenchmarkTable<Nb201Cell> t;
        if (truth != null) {
            t = BenchmarkTable.load(Nb201Space.INSTANCE, truth);
        } else {
            boolean defaults =
                    data.strip().toLowerCase(Locale.ROOT).startsWith("fashion-mnist") && channels == 8 && cells == 1;
            try (InputStream in = defaults ? BenchSupernetCommand.class.getResourceAsStream(DEFAULT_TRUTH) : null) {
                if (in == null) {
                    return null;
                }
                t = BenchmarkTable.read(Nb201Space.INSTANCE, in, "embedded:" + DEFAULT_TRUTH);
            }
        }
        List<Nb201Cell> all = new ArrayList<>();
        for (BenchmarkTable.Entry<Nb201Cell> e : t.entries()) {
            all.add(e.representative());
        }
        return ranked("truth", t, truthMetric, all);
    }

    /** The cells that have a value of {@code column} in {@code t}, with those values. */
    private static RankedCells ranked(String name, BenchmarkTable<Nb201Cell> t, String column, List<Nb201Cell> cells) {
        t.metricIndex(column); // unknown: fail now, naming the known ones
        List<Nb201Cell> kept = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (Nb201Cell cell : cells) {
            Double v = t.metricsOf(cell).map(m -> m.get(column)).orElse(null);
            if (v != null && Double.isFinite(v)) {
                kept.add(cell);
                values.add(v);
            }
        }
        if (kept.size() < 2) {
            throw new IllegalArgumentException(t.source() + " has " + kept.size() + " cells with a " + column
                    + " value; a rank correlation needs at least 2");
        }
        return new RankedCells(
                name,
                t.source(),
                column,
                kept,
                values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The held-out images, drawn and preprocessed only when some cell is still to be scored. */
    private final class EvalImagesOnce implements Supplier<EvalImages> {
        private final TrainingData source;
        private EvalImages images;

        EvalImagesOnce(TrainingData source) {
            this.source = source;
        }

        @Override
        public EvalImages get() {
            if (images == null) {
                ImageSet set =
                        ImageSet.sample(source.dataset(), evalImages, sampleSeed, IMAGE_SIZE, source.description());
                images = EvalImages.of(set, evalBatch);
            }
            return images;
        }

        int count() {
            return Math.min(evalImages, source.dataset().size());
        }
    }
}
