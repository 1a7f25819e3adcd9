package io.archipelago.node.bench;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.train.TrainEvaluator;
import io.archipelago.evaluators.train.TrainSettings;
import io.archipelago.models.supernet.NdThreads;
import io.archipelago.models.supernet.StandaloneImages;
import io.archipelago.node.setup.OptionChecks;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.commons.math3.stat.correlation.KendallsCorrelation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code archipelago bench standalone}: a truth table of cells trained alone from scratch, with the
 * {@code train} evaluator ({@link TrainEvaluator}) on the supernet's data and size, for ranking
 * weight-sharing estimates against. {@code --sample} cells ({@link StandaloneCells}: distinct
 * functions with an input-to-output path), each trained once per seed 0..{@code --seeds}-1, cell
 * by cell. Every finished (cell, seed) is kept at once ({@link StandaloneProgress}), so the same
 * command run again after a kill continues where it stopped. At the end FILE is written in the
 * {@code --benchmark} format, and Kendall's tau between seeds 0 and 1 (on all cells and on the
 * first 30) says whether the ranking is stable at these epochs.
 */
@Command(
        name = "standalone",
        mixinStandardHelpOptions = true,
        description = "Train K distinct NAS-Bench-201 cells alone (per seed) and write their accuracies as a "
                + "benchmark table; resumable row by row.")
public final class BenchStandaloneCommand implements Callable<Integer> {
    static final int FIRST = 30;

    @Option(
            names = "--sample",
            defaultValue = "60",
            paramLabel = "K",
            description = "Distinct cells (default: ${DEFAULT-VALUE}).")
    int sample;

    @Option(
            names = "--arch",
            paramLabel = "CELL",
            description =
                    "Train these cells instead of --sample drawn ones (repeatable), e.g. the cells searches picked, "
                            + "to read them against the truth table made with the same options.")
    List<String> archs = new ArrayList<>();

    @Option(
            names = "--epochs",
            defaultValue = "4",
            paramLabel = "E",
            description = "Epochs each cell is trained (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--seeds",
            defaultValue = "2",
            paramLabel = "S",
            description = "Training seeds 0..S-1 per cell (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The table's CSV.")
    Path out;

    @Option(
            names = "--data",
            defaultValue = "fashion-mnist",
            paramLabel = "SPEC",
            description = "fashion-mnist[:DIR] or cifar10:DIR: training and validation images from its train split, "
                    + "test images from its test split (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--channels", defaultValue = "8", paramLabel = "C", description = "C (default: ${DEFAULT-VALUE}).")
    int channels;

    @Option(
            names = "--cells",
            defaultValue = "1",
            paramLabel = "N",
            description = "N, cells per stage (default: ${DEFAULT-VALUE}).")
    int cells;

    @Option(
            names = "--image-size",
            defaultValue = "32",
            paramLabel = "PX",
            description = "32, or 16 (2x2 means) (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(
            names = "--batch",
            defaultValue = "64",
            paramLabel = "B",
            description = "Batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--train-images",
            defaultValue = "10000",
            paramLabel = "K",
            description = "Training images, as supernet train --train-images K --seed 0 draws them "
                    + "(default: ${DEFAULT-VALUE}).")
    int trainImages;

    @Option(
            names = "--valid-images",
            defaultValue = "5000",
            paramLabel = "V",
            description =
                    "Validation images: the train split's, none of the training ones (default: ${DEFAULT-VALUE}).")
    int validImages;

    @Option(
            names = "--test-images",
            defaultValue = "10000",
            paramLabel = "T",
            description = "Test images, from the test split (default: ${DEFAULT-VALUE}).")
    int testImages;

    @Option(
            names = "--cell-seed",
            defaultValue = "0",
            description = "Seed of the cells drawn (default: ${DEFAULT-VALUE}).")
    long cellSeed;

    @Option(
            names = "--threads",
            defaultValue = "2",
            paramLabel = "T",
            description = "ND4J threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--workers",
            defaultValue = "1",
            paramLabel = "W",
            description = "Rows trained at once, each with --threads ND4J threads; a step's element-wise half runs on "
                    + "one thread, so W workers of one thread keep W cores busier (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--json", description = "End with one JSON line.")
    boolean json;

    @Option(
            names = "--stop-after-rows",
            hidden = true,
            paramLabel = "N",
            description = "Testing: stop after training N rows, as if killed then.")
    Integer stopAfterRows;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        OptionChecks.positive("--sample", sample);
        OptionChecks.positive("--epochs", epochs);
        OptionChecks.positive("--seeds", seeds);
        OptionChecks.positive("--threads", threads);
        OptionChecks.positive("--workers", workers);
        if (stopAfterRows != null) {
            OptionChecks.positive("--stop-after-rows", stopAfterRows);
        }
        TrainSettings settings;
        try {
            settings = new TrainSettings(
                    data,
                    channels,
                    cells,
                    imageSize,
                    batch,
                    trainImages,
                    validImages,
                    testImages,
                    epochs,
                    0,
                    0,
                    threads,
                    false);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad standalone options: " + e.getMessage(), e);
        }
        List<Nb201Cell> drawn = archs.isEmpty() ? StandaloneCells.draw(sample, cellSeed) : given(archs);
        sample = drawn.size();
        NdThreads.configure(threads);
        StandaloneImages images = TrainEvaluator.images(settings); // before any file is made: bad data makes none
        StandaloneProgress progress = StandaloneProgress.open(out, recorded(settings));
        PrintWriter say = spec.commandLine().getOut();
        Map<Long, StandaloneProgress.Row> done = new HashMap<>();
        for (StandaloneProgress.Row r : progress.rows()) {
            String expected = r.cell() < drawn.size() ? Nb201Space.INSTANCE.format(drawn.get(r.cell())) : null;
            if (!r.arch().equals(expected) || r.seed() >= seeds) {
                throw new IllegalArgumentException(StandaloneProgress.progressFile(out) + " has a row (cell " + r.cell()
                        + ", seed " + r.seed() + ", " + r.arch() + ") these options would not train");
            }
            done.put(key(r.cell(), r.seed()), r);
        }
        int total = sample * seeds;
        if (!done.isEmpty()) {
            say.printf(Locale.ROOT, "resuming %s: %d of %d rows done%n", out, done.size(), total);
        }
        long start = System.nanoTime();
        List<long[]> pending = new ArrayList<>();
        for (int c = 0; c < sample; c++) {
            for (int s = 0; s < seeds; s++) {
                if (!done.containsKey(key(c, s))) {
                    pending.add(new long[] {c, s});
                }
            }
        }
        boolean stopping = stopAfterRows != null && stopAfterRows < pending.size();
        if (stopping) {
            pending = pending.subList(0, stopAfterRows);
        }
        int trained = trainAll(pending, settings, images, drawn, progress, done, say);
        if (stopping) {
            say.printf(Locale.ROOT, "stopped after %d rows; run the same command to continue%n", trained);
            return 0;
        }
        StandaloneProgress.writeAtomically(out, StandaloneTable.csv(drawn, seeds, done));
        double seconds = (System.nanoTime() - start) / 1e9;
        Double tauAll = seeds < 2 ? null : tau(done, sample);
        Double tauFirst = seeds < 2 ? null : tau(done, Math.min(FIRST, sample));
        say.printf(Locale.ROOT, "%nwrote %s: %d cells x %d seeds, %d epochs%n", out, sample, seeds, epochs);
        say.printf(Locale.ROOT, "  rows trained now %d (%d were done), %.1f s%n", trained, total - trained, seconds);
        if (seeds >= 2) {
            say.printf(
                    Locale.ROOT,
                    "  kendall tau, seed 0 vs 1 valid_accuracy: %s on all %d cells, %s on the first %d%n",
                    format(tauAll),
                    sample,
                    format(tauFirst),
                    Math.min(FIRST, sample));
        }
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("benchmark", "standalone");
            fields.put("out", out.toString());
            fields.put("cells", sample);
            fields.put("seeds", seeds);
            fields.put("epochs", epochs);
            fields.put("rows_trained", trained);
            fields.put("rows_resumed", total - trained);
            fields.put("kendall_tau_seeds", tauAll);
            fields.put("kendall_tau_seeds_first", tauFirst);
            fields.put("first", Math.min(FIRST, sample));
            fields.put("mean_row_seconds", mean(done));
            fields.put("seconds", seconds);
            BenchOutput.json(say, fields);
        }
        return 0;
    }

    /**
     * Trains the pending (cell, seed) rows on {@code --workers} threads, keeping and printing each as
     * it finishes (rows are keyed, so their order in the progress file does not matter).
     */
    private int trainAll(
            List<long[]> pending,
            TrainSettings settings,
            StandaloneImages images,
            List<Nb201Cell> drawn,
            StandaloneProgress progress,
            Map<Long, StandaloneProgress.Row> done,
            PrintWriter say)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            CompletionService<StandaloneProgress.Row> finished = new ExecutorCompletionService<>(pool);
            for (long[] row : pending) {
                int c = (int) row[0], s = (int) row[1];
                finished.submit(() -> train(settings.withSeed(s), images, drawn.get(c), c, s));
            }
            for (int i = 0; i < pending.size(); i++) {
                StandaloneProgress.Row row;
                try {
                    row = finished.take().get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
                progress.append(row);
                done.put(key(row.cell(), row.seed()), row);
                say.printf(
                        Locale.ROOT,
                        "cell %d/%d seed %d  valid %.2f%%  test %.2f%%  loss %.3f  %.1f s  %s%n",
                        row.cell() + 1,
                        sample,
                        row.seed(),
                        row.valid(),
                        row.test(),
                        row.trainLoss(),
                        row.seconds(),
                        row.arch());
                say.flush();
            }
            return pending.size();
        } finally {
            pool.shutdownNow();
        }
    }

    /** What FILE.settings.json records: everything that changes a row (threads do not). */
    private Map<String, Object> recorded(TrainSettings settings) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", settings.data());
        m.put("channels", settings.channels());
        m.put("cells", settings.cells());
        m.put("image_size", settings.imageSize());
        m.put("batch", settings.batch());
        m.put("train_images", settings.trainImages());
        m.put("valid_images", settings.validImages());
        m.put("test_images", settings.testImages());
        m.put("image_seed", settings.imageSeed());
        m.put("epochs", epochs);
        m.put("sample", sample);
        if (!archs.isEmpty()) {
            m.put("archs", archs);
        }
        m.put("seeds", seeds);
        m.put("cell_seed", cellSeed);
        return m;
    }

    private static StandaloneProgress.Row train(
            TrainSettings settings, StandaloneImages images, Nb201Cell cell, int index, int seed) {
        Evaluation e = new TrainEvaluator(settings, images).evaluate(cell, settings.epochs());
        Map<String, Double> m = e.metrics();
        return new StandaloneProgress.Row(
                index,
                Nb201Space.INSTANCE.format(cell),
                seed,
                m.get(TrainEvaluator.VALID_ACCURACY),
                m.get(TrainEvaluator.TEST_ACCURACY),
                m.get(TrainEvaluator.TRAIN_LOSS),
                Math.round(m.get(TrainEvaluator.PARAMS)),
                e.costSeconds());
    }

    /** The cells {@code --arch} names, each once, in order. */
    private static List<Nb201Cell> given(List<String> archs) {
        List<Nb201Cell> cells = new ArrayList<>();
        for (String arch : archs) {
            Nb201Cell cell = Nb201Space.INSTANCE.parse(arch); // a malformed one: IllegalArgumentException naming it
            if (!cells.contains(cell)) {
                cells.add(cell);
            }
        }
        return cells;
    }

    static long key(int cell, int seed) {
        return ((long) cell << 32) | seed;
    }

    /** Kendall's tau-b of seeds 0 and 1's validation accuracies over the first {@code n} cells. */
    private static Double tau(Map<Long, StandaloneProgress.Row> done, int n) {
        if (n < 2) {
            return null;
        }
        double[] a = new double[n];
        double[] b = new double[n];
        for (int c = 0; c < n; c++) {
            a[c] = done.get(key(c, 0)).valid();
            b[c] = done.get(key(c, 1)).valid();
        }
        double t = new KendallsCorrelation().correlation(a, b);
        return Double.isNaN(t) ? null : t;
    }

    private static double mean(Map<Long, StandaloneProgress.Row> done) {
        List<Double> s = new ArrayList<>();
        done.values().forEach(r -> s.add(r.seconds()));
        return s.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    private static String format(Double tau) {
        return tau == null ? "n/a" : String.format(Locale.ROOT, "%.3f", tau);
    }
}
