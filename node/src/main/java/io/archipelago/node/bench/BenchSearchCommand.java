package io.archipelago.node.bench;

import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.engine.SearchParent;
import io.archipelago.node.setup.SearchOptions;
import io.archipelago.node.setup.SearchSetup;
import io.archipelago.node.setup.TableProtocol;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench search}: K seeded searches through the real pipeline; the figure is the report
 * metric (e.g. {@code cifar10_test_200}) of the cell each search picked by its search metric.
 */
@Command(
        name = "search",
        mixinStandardHelpOptions = true,
        description = "Run K seeded searches and report mean and std of the picked cells' report metric.")
public final class BenchSearchCommand implements Callable<Integer> {
    @Mixin
    SearchOptions options;

    @Mixin
    SeededSearchOptions runs;

    @Option(
            names = "--report-metric",
            description = "Table metric reported for the picked cell (default: the space's protocol: cifar10_test_200"
                    + " on nb201, test_acc on nbgraph).")
    String reportMetric;

    @Option(names = "--json", description = "End with one JSON line.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        runs.check();
        if (!spec.commandLine().getParseResult().hasMatchedOption("--slots")) {
            options.slots = 1; // one slot: each seed's search is exactly reproducible
        }
        return run(SearchSetup.from(options));
    }

    private <A> int run(SearchSetup<A> setup) throws Exception {
        String reportMetric = this.reportMetric != null
                ? this.reportMetric
                : TableProtocol.of(options.space).reportMetric();
        setup.table.metricIndex(reportMetric); // unknown: fail now, naming the known ones
        PrintWriter out = spec.commandLine().getOut();
        double[] values = new double[runs.seeds];
        List<Map<String, Object>> perSeed = new ArrayList<>();
        long start = System.nanoTime();
        for (int s = 1; s <= runs.seeds; s++) {
            SearchReport report;
            try (Engine engine = setup.engine(s)) {
                report = engine.run(
                                setup.settings("bench-" + options.strategy + "-" + s, runs.budget),
                                setup.space,
                                setup.strategy(s),
                                setup.routerSettings,
                                SearchParent::reportOnly)
                        .toCompletableFuture()
                        .get();
            }
            if (report.bestArchitecture() == null) {
                throw new IllegalStateException(
                        "seed " + s + ": no evaluation succeeded (" + report.stopReason() + ")");
            }
            String best = report.bestArchitecture();
            double value = setup.tableMetrics(best)
                    .map(m -> m.get(reportMetric))
                    .orElseThrow(() -> new IllegalStateException(
                            "the benchmark has no " + reportMetric + " for the picked cell " + best));
            values[s - 1] = value;
            out.printf(
                    Locale.ROOT,
                    "seed %3d  %s %.4f  (%s %.4f, %d evaluations)  %s%n",
                    s,
                    reportMetric,
                    value,
                    setup.objective.metric(),
                    setup.objective.value(report.bestMetrics()),
                    report.evaluations(),
                    report.bestArchitecture());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("seed", s);
            row.put("value", value);
            row.put("arch", report.bestArchitecture());
            perSeed.add(row);
        }
        double mean = BenchOutput.mean(values);
        double std = BenchOutput.std(values);
        double wall = (System.nanoTime() - start) / 1e9;
        out.printf(
                Locale.ROOT,
                "%s, budget %d, %d seeds: %s mean %.4f, std %.4f (%.1f s)%n",
                options.strategy,
                runs.budget,
                runs.seeds,
                reportMetric,
                mean,
                std,
                wall);
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("strategy", options.strategy);
            fields.put("budget", runs.budget);
            fields.put("seeds", runs.seeds);
            fields.put("metric", setup.objective.toString());
            fields.put("report_metric", reportMetric);
            fields.put("mean", mean);
            fields.put("std", std);
            fields.put("wall_seconds", wall);
            fields.put("per_seed", perSeed);
            BenchOutput.json(out, fields);
        }
        return 0;
    }
}
