package io.archipelago.node.bench;

import io.archipelago.core.nb201.MixedCell;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.objective.RankAggregation;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.teg.TegEvaluator;
import io.archipelago.models.teg.TegIndicators;
import io.archipelago.node.setup.TegOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.commons.math3.stat.correlation.KendallsCorrelation;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench correlation}: how well the training-free indicators rank cells, as Spearman and
 * Kendall correlations with a benchmark metric over K sampled cells, beside the parameter and
 * FLOP counts as baselines. Every measure is oriented so that higher is better (the NTK
 * condition number and regression error are negated, the combined rank too). A cell whose
 * indicators are undefined (e.g. its output does not depend on its weights) counts as the worst
 * on every indicator, as a search would treat it.
 */
@Command(
        name = "correlation",
        mixinStandardHelpOptions = true,
        description =
                "Rank correlation of the TEG indicators (and params/FLOPs) with a benchmark metric over K sampled cells.")
public final class BenchCorrelationCommand implements Callable<Integer> {
    @Option(
            names = "--evaluator",
            defaultValue = "teg",
            description = "Training-free evaluator (only teg) (default: ${DEFAULT-VALUE}).")
    String evaluator;

    @Option(
            names = "--sample",
            defaultValue = "200",
            description = "Distinct cells to sample (default: ${DEFAULT-VALUE}).")
    int sample;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "Seed of the sample, initialisation and data (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--benchmark",
            paramLabel = "FILE",
            description = "Benchmark CSV (default: the embedded NAS-Bench-201 CIFAR-10 table).")
    Path benchmark;

    @Option(
            names = "--metric",
            defaultValue = "cifar10_test_200",
            description = "Benchmark metric to correlate with (default: ${DEFAULT-VALUE}).")
    String metric;

    @Option(names = "--json", description = "End with one JSON line.")
    boolean json;

    @Mixin
    TegOptions teg;

    @Spec
    CommandSpec spec;

    private static final List<String> MEASURES = List.of(
            TegIndicators.NTK_COND,
            TegIndicators.LINEAR_REGIONS,
            TegIndicators.NTK_MSE,
            "combined",
            TegEvaluator.PARAMS,
            TegEvaluator.FLOPS);

    @Override
    public Integer call() throws Exception {
        if (!TegEvaluator.KIND.equals(evaluator)) {
            throw new IllegalArgumentException("unknown training-free evaluator '" + evaluator + "' (known: teg)");
        }
        if (sample < 3) {
            throw new IllegalArgumentException("--sample must be >= 3, got " + sample);
        }
        BenchmarkTable<Nb201Cell> table = benchmark == null
                ? BenchmarkTable.embeddedNb201Cifar10()
                : BenchmarkTable.load(Nb201Space.INSTANCE, benchmark);
        table.metricIndex(metric); // unknown: fail now, naming the known ones
        TegEvaluator teg = new TegEvaluator(this.teg.indicators(seed));
        PrintWriter out = spec.commandLine().getOut();

        List<Nb201Cell> cells = BenchOutput.distinctCells(table, sample, seed);
        List<Map<String, Double>> measured = new ArrayList<>();
        double[] truth = new double[cells.size()];
        double[] seconds = new double[cells.size()];
        int failed = 0;
        for (int i = 0; i < cells.size(); i++) {
            Nb201Cell cell = cells.get(i);
            truth[i] = table.metricsOf(cell).orElseThrow().get(metric);
            long start = System.nanoTime();
            Map<String, Double> metrics;
            try {
                metrics = teg.metrics(MixedCell.of(cell));
            } catch (EvaluationException e) {
                failed++;
                metrics = worst(teg, cell);
                out.printf(Locale.ROOT, "%4d/%d  %s  undefined: %s%n", i + 1, cells.size(), cell, e.getMessage());
            }
            seconds[i] = (System.nanoTime() - start) / 1e9;
            measured.add(metrics);
            out.printf(
                    Locale.ROOT,
                    "%4d/%d  %s  %s %.2f  cond %.4g  regions %.1f  mse %.4g  (%.2f s)%n",
                    i + 1,
                    cells.size(),
                    cell,
                    metric,
                    truth[i],
                    metrics.get(TegIndicators.NTK_COND),
                    metrics.get(TegIndicators.LINEAR_REGIONS),
                    metrics.get(TegIndicators.NTK_MSE),
                    seconds[i]);
            out.flush();
        }

        Map<String, Double> spearman = new LinkedHashMap<>();
        Map<String, Double> kendall = new LinkedHashMap<>();
        double[] combined = RankAggregation.combinedRanks(measured, TegIndicators.TEG);
        for (String measure : MEASURES) {
            double[] x = new double[cells.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = switch (measure) {
                    case "combined" -> -combined[i];
                    case TegIndicators.NTK_COND, TegIndicators.NTK_MSE ->
                        -measured.get(i).get(measure);
                    default -> measured.get(i).get(measure);
                };
            }
            spearman.put(measure, new SpearmansCorrelation().correlation(x, truth));
            kendall.put(measure, new KendallsCorrelation().correlation(x, truth));
        }
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        double medianSeconds = sorted[sorted.length / 2];

        out.printf(
                Locale.ROOT,
                "%n%d cells (%d with undefined indicators), correlation with %s, settings %s%n",
                cells.size(),
                failed,
                metric,
                this.teg.settings(seed));
        out.printf(Locale.ROOT, "  %-16s %9s %9s%n", "measure", "spearman", "kendall");
        for (String measure : MEASURES) {
            out.printf(Locale.ROOT, "  %-16s %9.4f %9.4f%n", measure, spearman.get(measure), kendall.get(measure));
        }
        out.printf(Locale.ROOT, "  median seconds per cell %.3f%n", medianSeconds);
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("evaluator", evaluator);
            fields.put("sample", cells.size());
            fields.put("seed", seed);
            fields.put("metric", metric);
            fields.put("data", this.teg.data);
            fields.put("settings", this.teg.settings(seed).toString());
            fields.put("failed", failed);
            fields.put("spearman", spearman);
            fields.put("kendall", kendall);
            fields.put("seconds_per_cell", medianSeconds);
            BenchOutput.json(out, fields);
        }
        return 0;
    }

    /** Worse than any measured value on every indicator; params and FLOPs (of the same network) are still known. */
    private static Map<String, Double> worst(TegEvaluator teg, Nb201Cell cell) {
        Map<String, Double> metrics = RankAggregation.worst(TegIndicators.TEG);
        metrics.putAll(teg.costs(cell));
        return metrics;
    }
}
