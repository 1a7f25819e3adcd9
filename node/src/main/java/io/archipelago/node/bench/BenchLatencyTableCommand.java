package io.archipelago.node.bench;

import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.evaluators.latency.LatencyEvaluators;
import io.archipelago.evaluators.latency.LatencyTable;
import io.archipelago.evaluators.latency.LatencyTableBuilder;
import io.archipelago.node.latency.LatencyTableSpaces;
import io.archipelago.node.setup.OptionChecks;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.commons.math3.stat.correlation.KendallsCorrelation;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench latency-table}: how well a latency lookup table predicts measured latency on this
 * machine. Builds a table (or loads {@code --table}), samples K distinct random NAS-Bench-201 cells
 * (none of them a fit cell of a table built here), measures each with the measured evaluator in
 * {@code --rounds} interleaved rounds (each round in a fresh random order, so a stretch of load
 * from elsewhere falls on different cells in different rounds; a cell's latency is the geometric
 * mean of its rounds' medians without the slowest fifth, see {@link LatencyTableBuilder#acrossRounds}),
 * and reports the Spearman and Kendall rank correlations and the mean absolute percentage error of
 * the table's predictions against those measurements.
 */
@Command(
        name = "latency-table",
        mixinStandardHelpOptions = true,
        description =
                "Spearman correlation and MAPE of a latency lookup table's predictions against latencies measured here, over K random cells.")
public final class BenchLatencyTableCommand implements Callable<Integer> {
    @Option(
            names = "--sample",
            defaultValue = "100",
            paramLabel = "K",
            description = "Distinct random cells to measure (default: ${DEFAULT-VALUE}).")
    int sample;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "Seed of the sample, the fit cells, weights and inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--repeats",
            defaultValue = "10",
            paramLabel = "R",
            description =
                    "Timed forward passes per measurement (and block samples per table entry) (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(
            names = "--warmup",
            defaultValue = "3",
            paramLabel = "W",
            description = "Untimed passes before them (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--rounds",
            defaultValue = "5",
            paramLabel = "N",
            description =
                    "Interleaved measurements of each sampled cell; the geometric mean of their medians, slowest fifth dropped, is the truth "
                            + "(default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--table", paramLabel = "FILE", description = "Evaluate this table instead of building one here.")
    Path table;

    @Option(
            names = "--fit-cells",
            defaultValue = "24",
            paramLabel = "K",
            description = "Fit cells of a table built here (default: ${DEFAULT-VALUE}).")
    int fitCells;

    @Option(
            names = "--fit-rounds",
            defaultValue = "3",
            paramLabel = "N",
            description = "Interleaved measurements of each fit cell (default: ${DEFAULT-VALUE}).")
    int fitRounds;

    @Option(
            names = "--device",
            defaultValue = "local",
            paramLabel = "NAME",
            description = "Device name of a table built here (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(
            names = "--threads",
            defaultValue = "0",
            paramLabel = "T",
            description = "Threads of ND4J's native ops; 0 keeps the default (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--space",
            defaultValue = Nb201Space.ID,
            description = "The space whose table is evaluated: nb201, darts or mnasnet (default: ${DEFAULT-VALUE}).")
    String space;

    @Option(
            names = "--channels",
            paramLabel = "C",
            description = "Channels of a table built here, as the space reads them (NAS-Bench-201 and DARTS: C; "
                    + "MnasNet: the stem's filters, 32 x width) (default: the space's standard).")
    Integer channels;

    @Option(
            names = "--cells",
            paramLabel = "N",
            description =
                    "Cells per stage of a table built here (NAS-Bench-201, DARTS) (default: the space's standard).")
    Integer cells;

    @Option(
            names = "--image-size",
            paramLabel = "PIXELS",
            description = "Side of the input images of a table built here (default: the space's standard).")
    Integer imageSize;

    @Option(names = "--json", description = "End with one JSON line.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (sample < 3) {
            throw new IllegalArgumentException("--sample must be >= 3, got " + sample);
        }
        OptionChecks.positive("--rounds", rounds);
        if (repeats < 1 || warmup < 0 || threads < 0) {
            throw new IllegalArgumentException("--repeats must be >= 1, --warmup and --threads >= 0; got " + repeats
                    + ", " + warmup + ", " + threads);
        }
        LatencyEvaluators.checkDevice(device);
        LatencyTableSpaces.checkSpace(space);
        PrintWriter out = spec.commandLine().getOut();
        long start = System.nanoTime();
        Outcome outcome = space.equals(Nb201Space.ID)
                ? new Nb201TableBench(this).run(out, start)
                : new SpaceTableBench(this).run(out, start);
        report(out, outcome, start);
        return 0;
    }

    /**
     * What a run found: each sampled network's measured rounds and prediction, and the table's
     * description.
     */
    record Outcome(
            List<String> names,
            double[][] perRound,
            double[] predicted,
            String source,
            String device,
            Map<String, String> labels,
            LatencyTable.Model model,
            double buildSeconds,
            double measureSeconds) {}

    /** Notes where a loaded table's hardware differs from this machine's. */
    static void noteOtherMachine(PrintWriter out, Map<String, String> then) {
        Map<String, String> here = LatencyEvaluators.hostLabels();
        for (String label :
                List.of(LatencyEvaluators.LABEL_CPU, LatencyEvaluators.LABEL_GPU, LatencyEvaluators.LABEL_BACKEND)) {
            String was = then.get(label);
            if (was != null && !was.equals(here.get(label))) {
                out.printf(
                        Locale.ROOT,
                        "note: the table's %s is '%s', this machine's is '%s'%n",
                        label,
                        was,
                        here.get(label));
            }
        }
    }

    private void report(PrintWriter out, Outcome o, long start) {
        List<String> cells = o.names();
        double[] measured = LatencyTableBuilder.acrossRounds(o.perRound());
        double[] predicted = o.predicted();
        double ape = 0;
        for (int i = 0; i < cells.size(); i++) {
            ape += Math.abs(predicted[i] - measured[i]) / measured[i];
            StringBuilder each = new StringBuilder();
            for (double ms : o.perRound()[i]) {
                each.append(each.length() == 0 ? "" : "/").append(String.format(Locale.ROOT, "%.2f", ms));
            }
            out.printf(
                    Locale.ROOT,
                    "%4d/%d  measured %8.3f ms  predicted %8.3f ms  %s  (rounds %s)%n",
                    i + 1,
                    cells.size(),
                    measured[i],
                    predicted[i],
                    cells.get(i),
                    each);
        }
        double mape = ape / cells.size();
        double spearman = new SpearmansCorrelation().correlation(predicted, measured);
        double kendall = new KendallsCorrelation().correlation(predicted, measured);
        double seconds = (System.nanoTime() - start) / 1e9;

        String source = o.source();
        double buildSeconds = o.buildSeconds();
        double measureSeconds = o.measureSeconds();
        LatencyTable.Model model = o.model();
        out.printf(
                Locale.ROOT,
                "%n%d %s networks, table %s (%s), %d rounds x %d repeats (after %d warm-up) per network%n",
                cells.size(),
                space,
                source,
                o.labels(),
                rounds,
                repeats,
                warmup);
        if (model != null) {
            out.printf(
                    Locale.ROOT,
                    "  model            %s (fit on %d cells, leave-one-out MAPE %.1f%%)%n",
                    model.coefficients(),
                    model.fitCells(),
                    100 * model.fitMape());
        }
        out.printf(
                Locale.ROOT,
                "  spearman         %.4f%n  kendall          %.4f%n  mape             %.2f%%%n",
                spearman,
                kendall,
                100 * mape);
        out.printf(
                Locale.ROOT,
                "  seconds          %.1f (table %.1f, measuring %.1f)%n",
                seconds,
                buildSeconds,
                measureSeconds);
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("spearman", spearman);
            fields.put("kendall", kendall);
            fields.put("mape", mape);
            fields.put("sample", cells.size());
            fields.put("space", space);
            fields.put("device", o.device());
            fields.put("labels", o.labels());
            fields.put("table", source);
            if (model != null) {
                fields.put("model", model.coefficients());
                fields.put("fit_cells", model.fitCells());
                fields.put("fit_mape", model.fitMape());
            }
            fields.put("seed", seed);
            fields.put("rounds", rounds);
            fields.put("repeats", repeats);
            fields.put("warmup", warmup);
            fields.put("seconds", seconds);
            fields.put("table_seconds", buildSeconds);
            fields.put("measure_seconds", measureSeconds);
            BenchOutput.json(out, fields);
        }
    }
}
