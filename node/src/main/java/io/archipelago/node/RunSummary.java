package io.archipelago.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.node.bench.BenchOutput;
import io.archipelago.node.cluster.ClusterOptions;
import io.archipelago.node.run.HistoryChart;
import io.archipelago.node.run.ParetoChart;
import io.archipelago.node.run.ParetoFront;
import io.archipelago.node.run.RunRecorder;
import io.archipelago.node.setup.SearchDefinition;
import io.archipelago.node.setup.SearchSetup;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** What a finished search leaves in its run directory and on the console, whether it ran here or on the cluster's search host. */
final class RunSummary {
    private final SearchDefinition definition;
    private final ClusterOptions cluster; // null: not a cluster search

    RunSummary(SearchDefinition definition, ClusterOptions cluster) {
        this.definition = definition;
        this.cluster = cluster;
    }

    /** Writes a file whole or not at all: a crash never leaves half a summary. */
    static void writeAtomically(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Writes summary.json (whole or not at all), history.png and pareto.png, and prints the result table. */
    <A> void write(
            SearchSetup<A> setup,
            Path dir,
            SearchReport report,
            Map<String, Object> summary,
            RunRecorder recorder,
            ParetoFront front,
            PrintWriter out)
            throws IOException {
        writeAtomically(
                dir.resolve(SearchCommand.SUMMARY),
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(summary));
        String title = definition.options().strategy + " on " + setup.space.id() + " (seed " + definition.seed() + ")";
        HistoryChart.write(dir.resolve(SearchCommand.HISTORY), title, setup.objective.metric(), recorder.history());
        if (front != null) {
            ParetoChart.write(dir.resolve(SearchCommand.PARETO), title, front);
        }
        printTable(out, setup, report, summary, dir);
    }

    /** summary.json's content: what was searched, how, the best cell, the front, and how the run used its slots. */
    <A> Map<String, Object> map(SearchSetup<A> setup, SearchReport report, ParetoFront front) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("search_id", report.searchId());
        summary.put("space", setup.space.id());
        summary.put("strategy", definition.options().strategy);
        summary.put("evaluator", setup.evaluatorKind());
        summary.put("seed", definition.seed());
        summary.put("metric", setup.objective.toString());
        if (front != null) {
            summary.put(
                    "objectives",
                    setup.objectives.stream().map(Object::toString).toList());
        }
        if (!setup.constraints.isEmpty()) {
            summary.put(
                    "constraints",
                    setup.constraints.stream().map(Object::toString).toList());
        }
        setup.latencyKind()
                .ifPresent(kind -> summary.put(
                        "latency",
                        definition.cluster()
                                ? Map.of("pool", kind)
                                : BenchOutput.ordered(
                                        "pool",
                                        kind,
                                        "method",
                                        definition.options().latency.method(),
                                        "slots",
                                        definition.options().latencySlots)));
        if (setup.fitness != setup.objective) {
            summary.put("fitness", setup.fitness.toString());
        }
        summary.put("fidelity", setup.fidelity);
        summary.put("benchmark", setup.table.source());
        summary.put("budget", definition.budget());
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
        summary.put("slots", definition.cluster() ? report.maxSlots() : definition.options().slots);
        if (definition.cluster()) {
            summary.put(
                    "cluster",
                    BenchOutput.ordered(
                            "transport",
                            cluster.transport,
                            "min_evaluators",
                            definition.minEvaluators(),
                            "seed_nodes",
                            cluster.seedNodes == null ? "" : cluster.seedNodes));
        }
        summary.put("utilization", report.utilization());
        summary.put("wall_seconds", report.wallSeconds());
        summary.put("stop_reason", report.stopReason());
        return summary;
    }

    @SuppressWarnings("unchecked")
    private void printTable(
            PrintWriter out, SearchSetup<?> setup, SearchReport report, Map<String, Object> summary, Path dir) {
        out.println();
        out.println("Search finished: " + report.stopReason());
        row(
                out,
                "strategy",
                definition.options().strategy + " (seed " + definition.seed() + ", " + definition.options().slots
                        + " slots)");
        row(
                out,
                "evaluations",
                report.evaluations() + " (" + report.failed() + " failed, " + report.cached()
                        + " answered from cache)");
        row(out, "wall time", String.format(Locale.ROOT, "%.2f s", report.wallSeconds()));
        Map<String, Object> best = (Map<String, Object>) summary.get("best");
        if (best.isEmpty()) {
            row(out, "best", "none (no evaluation succeeded)");
        } else {
            row(out, "best arch", (String) best.get("arch"));
            ((Map<String, Double>) best.get("metrics"))
                    .forEach((metric, value) -> row(out, "  " + metric, String.format(Locale.ROOT, "%.4f", value)));
        }
        row(out, "output", dir.toString());
        out.flush();
    }

    private static void row(PrintWriter out, String name, String value) {
        out.printf(Locale.ROOT, "  %-18s %s%n", name, value);
    }
}
