package io.archipelago.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.node.engine.LocalEngine;
import io.archipelago.node.run.HistoryChart;
import io.archipelago.node.run.RunRecorder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code archipelago search}: one search in this JVM, with its files in a run directory. */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Run a search on a tabular benchmark in this JVM and write summary.json, evaluations.csv and history.png.")
public final class SearchCommand implements Callable<Integer> {
    public static final String SUMMARY = "summary.json";
    public static final String EVALUATIONS = "evaluations.csv";
    public static final String HISTORY = "history.png";

    @Mixin
    SearchOptions options;

    @Option(names = "--budget", defaultValue = "300", description = "Evaluations to run (default: ${DEFAULT-VALUE}).")
    int budget;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the strategy (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/<timestamp>).")
    Path out;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (budget <= 0) {
            throw new IllegalArgumentException("--budget must be > 0, got " + budget);
        }
        SearchSetup<?> setup = SearchSetup.from(options);
        Path dir = out != null ? out : Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        prepare(dir);
        run(setup, dir);
        return 0;
    }

    /** Refuses a directory that already holds a run, so no earlier result is overwritten. */
    static void prepare(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + dir + " exists and is not a directory");
        }
        for (String file : new String[] {SUMMARY, EVALUATIONS}) {
            if (Files.exists(dir.resolve(file))) {
                throw new IllegalArgumentException("--out " + dir + " already holds a run (" + file + "); choose another directory");
            }
        }
        Files.createDirectories(dir);
    }

    private <A> void run(SearchSetup<A> setup, Path dir) throws IOException, InterruptedException, ExecutionException {
        PrintWriter stdout = spec.commandLine().getOut();
        ProgressBar progress = quiet ? null : new ProgressBarBuilder()
                .setTaskName(options.strategy)
                .setInitialMax(budget)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .continuousUpdate()
                .build();
        RunRecorder recorder = new RunRecorder(dir.resolve(EVALUATIONS), setup.objective, setup.evaluatedMetrics(), progress);
        String searchId = dir.getFileName() + "-" + options.strategy + "-" + seed;
        SearchReport report;
        try (LocalEngine engine = setup.engine(seed)) {
            report = engine.run(setup.settings(searchId, budget), setup.space, setup.strategy(seed), setup.routerSettings, recorder::behavior)
                    .toCompletableFuture().get();
        }
        Map<String, Object> summary = summary(setup, report);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve(SUMMARY).toFile(), summary);
        HistoryChart.write(dir.resolve(HISTORY), options.strategy + " on " + setup.space.id() + " (seed " + seed + ")",
                setup.objective.metric(), recorder.history());
        printTable(stdout, setup, report, summary, dir);
    }

    private <A> Map<String, Object> summary(SearchSetup<A> setup, SearchReport report) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("search_id", report.searchId());
        summary.put("space", setup.space.id());
        summary.put("strategy", options.strategy);
        summary.put("evaluator", setup.evaluatorKind());
        summary.put("seed", seed);
        summary.put("metric", setup.objective.toString());
        summary.put("fidelity", setup.fidelity);
        summary.put("benchmark", setup.table.source());
        summary.put("budget", budget);
        Map<String, Object> best = new LinkedHashMap<>();
        if (report.bestArchitecture() != null) {
            A arch = setup.space.parse(report.bestArchitecture());
            best.put("arch", report.bestArchitecture());
            best.put("canonical_key", setup.space.canonicalKey(arch));
            // Every metric the table has for the cell: the search saw only its fidelity's.
            best.put("metrics", setup.tableMetrics(report.bestArchitecture()).orElse(report.bestMetrics()));
            // What the search's evaluator measured (the same as above for the tabular evaluator).
            best.put("evaluated_metrics", report.bestMetrics());
        }
        summary.put("best", best);
        summary.put("evaluations", report.evaluations());
        summary.put("failed", report.failed());
        summary.put("cached", report.cached());
        summary.put("slots", options.slots);
        summary.put("utilization", report.utilization());
        summary.put("wall_seconds", report.wallSeconds());
        summary.put("stop_reason", report.stopReason());
        return summary;
    }

    @SuppressWarnings("unchecked")
    private void printTable(PrintWriter out, SearchSetup<?> setup, SearchReport report, Map<String, Object> summary, Path dir) {
        out.println();
        out.println("Search finished: " + report.stopReason());
        row(out, "strategy", options.strategy + " (seed " + seed + ", " + options.slots + " slots)");
        row(out, "evaluations", report.evaluations() + " (" + report.failed() + " failed, " + report.cached() + " answered from cache)");
        row(out, "wall time", String.format(Locale.ROOT, "%.2f s", report.wallSeconds()));
        Map<String, Object> best = (Map<String, Object>) summary.get("best");
        if (best.isEmpty()) {
            row(out, "best", "none (no evaluation succeeded)");
        } else {
            row(out, "best arch", (String) best.get("arch"));
            ((Map<String, Double>) best.get("metrics")).forEach((metric, value) -> row(out, "  " + metric, String.format(Locale.ROOT, "%.4f", value)));
        }
        row(out, "output", dir.toString());
        out.flush();
    }

    private static void row(PrintWriter out, String name, String value) {
        out.printf(Locale.ROOT, "  %-18s %s%n", name, value);
    }
}
