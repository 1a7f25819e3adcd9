package io.archipelago.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.typesafe.config.ConfigFactory;
import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.controller.SearchSettings;
import io.archipelago.node.cluster.ClusterOptions;
import io.archipelago.node.cluster.ClusterSettings;
import io.archipelago.node.cluster.NodeRole;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.run.HistoryChart;
import io.archipelago.node.run.ParetoChart;
import io.archipelago.node.run.ParetoFront;
import io.archipelago.node.run.RunRecorder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
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
        description = "Run a search (in this JVM, or with --cluster on a cluster's evaluator nodes) and write summary.json, evaluations.csv and history.png.")
public final class SearchCommand implements Callable<Integer> {
    public static final String SUMMARY = "summary.json";
    public static final String EVALUATIONS = "evaluations.csv";
    public static final String HISTORY = "history.png";
    public static final String PARETO = "pareto.png";

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

    @Option(names = "--cluster", description = "Run the controller as a cluster node (roles controller, predictor) and evaluate on the "
            + "cluster's evaluator nodes instead of --slots local ones.")
    boolean cluster;

    @Option(names = "--min-evaluators", defaultValue = "1",
            description = "With --cluster: the search starts once the cluster offers this many evaluator slots; it is also the number "
                    + "of evaluations a model-guided strategy lets run during a refit (default: ${DEFAULT-VALUE}).")
    int minEvaluators;

    @Mixin
    ClusterOptions clusterOptions = new ClusterOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (budget <= 0) {
            throw new IllegalArgumentException("--budget must be > 0, got " + budget);
        }
        ClusterSettings clusterSettings = null;
        if (cluster) {
            if (minEvaluators <= 0) {
                throw new IllegalArgumentException("--min-evaluators must be > 0, got " + minEvaluators);
            }
            clusterSettings = clusterOptions.settings(EnumSet.of(NodeRole.CONTROLLER, NodeRole.PREDICTOR));
            options.slots = minEvaluators; // no local slots: the expected concurrency is the cluster's
        }
        SearchSetup<?> setup = SearchSetup.from(options);
        Path dir = out != null ? out : Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        prepare(dir);
        run(setup, dir, clusterSettings);
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

    private <A> void run(SearchSetup<A> setup, Path dir, ClusterSettings clusterSettings) throws IOException, InterruptedException, ExecutionException {
        PrintWriter stdout = spec.commandLine().getOut();
        ProgressBar progress = quiet ? null : new ProgressBarBuilder()
                .setTaskName(options.strategy)
                .setInitialMax(budget)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .continuousUpdate()
                .build();
        ParetoFront front = setup.objectives.size() > 1 ? new ParetoFront(setup.objectives, setup.constraints) : null;
        RunRecorder recorder = new RunRecorder(dir.resolve(EVALUATIONS), setup.objective, setup.evaluatedMetrics(), progress, front);
        String searchId = dir.getFileName() + "-" + options.strategy + "-" + seed;
        SearchReport report;
        SearchSettings settings = setup.settings(searchId, budget);
        try (Engine engine = clusterSettings == null ? setup.engine(seed) : clusterEngine(clusterSettings)) {
            if (clusterSettings != null) {
                settings = settings.minSlots(minEvaluators);
                spec.commandLine().getErr().printf("archipelago: controller %s (transport %s) waits for %d %s evaluator slot(s)%s%n",
                        engine.address(), clusterSettings.transport().id(), minEvaluators, setup.evaluatorKind(),
                        setup.latencyKind().map(kind -> " and a " + kind + " slot").orElse(""));
            }
            report = engine.run(settings, setup.space, setup.strategy(seed), setup.routerSettings, recorder::behavior)
                    .toCompletableFuture().get();
        }
        Map<String, Object> summary = summary(setup, report, front);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve(SUMMARY).toFile(), summary);
        HistoryChart.write(dir.resolve(HISTORY), options.strategy + " on " + setup.space.id() + " (seed " + seed + ")",
                setup.objective.metric(), recorder.history());
        if (front != null) {
            ParetoChart.write(dir.resolve(PARETO), options.strategy + " on " + setup.space.id() + " (seed " + seed + ")", front);
        }
        printTable(stdout, setup, report, summary, dir);
    }

    private static Engine clusterEngine(ClusterSettings settings) {
        ClusterOptions.logMembership();
        return Engine.cluster(settings, 0, null, ConfigFactory.empty());
    }

    private <A> Map<String, Object> summary(SearchSetup<A> setup, SearchReport report, ParetoFront front) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("search_id", report.searchId());
        summary.put("space", setup.space.id());
        summary.put("strategy", options.strategy);
        summary.put("evaluator", setup.evaluatorKind());
        summary.put("seed", seed);
        summary.put("metric", setup.objective.toString());
        if (front != null) {
            summary.put("objectives", setup.objectives.stream().map(Object::toString).toList());
        }
        if (!setup.constraints.isEmpty()) {
            summary.put("constraints", setup.constraints.stream().map(Object::toString).toList());
        }
        setup.latencyKind().ifPresent(kind -> summary.put("latency", cluster ? Map.of("pool", kind)
                : Map.of("pool", kind, "method", options.latency.method(), "slots", options.latencySlots)));
        if (setup.fitness != setup.objective) {
            summary.put("fitness", setup.fitness.toString());
        }
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
        if (front != null) {
            summary.put("front", front.frontRows());
            summary.put("hypervolume", front.hypervolume());
            summary.put("hypervolume_reference", front.reference());
        }
        summary.put("evaluations", report.evaluations());
        summary.put("failed", report.failed());
        summary.put("cached", report.cached());
        summary.put("slots", cluster ? report.maxSlots() : options.slots);
        if (cluster) {
            summary.put("cluster", Map.of("transport", clusterOptions.transport, "min_evaluators", minEvaluators,
                    "seed_nodes", clusterOptions.seedNodes == null ? "" : clusterOptions.seedNodes));
        }
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
