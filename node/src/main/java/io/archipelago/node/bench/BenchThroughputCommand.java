package io.archipelago.node.bench;

import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.controller.router.Router;
import io.archipelago.controller.strategy.RandomSearch;
import io.archipelago.evaluators.TabularEvaluator;
import io.archipelago.node.SearchOptions;
import io.archipelago.node.SearchSetup;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.run.RunRecorder;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import io.archipelago.node.journal.JournalSettings;
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
 * {@code bench throughput}: candidates per second through the real pipeline (controller, router,
 * evaluator actors) with an evaluator that costs nothing, so the figure is the engine's own
 * overhead. Random sampling with repeats and no result cache: every candidate reaches an evaluator.
 */
@Command(name = "throughput", mixinStandardHelpOptions = true,
        description = "Candidates per second through controller -> router -> evaluator actors.")
public final class BenchThroughputCommand implements Callable<Integer> {
    @Mixin
    SearchOptions options;

    @Option(names = "--candidates", defaultValue = "200000", description = "Candidates in the measured run (default: ${DEFAULT-VALUE}).")
    int candidates;

    @Option(names = "--record", description = "Also write evaluations.csv (to a temporary directory), as a search does.")
    boolean record;

    @Option(names = "--json", description = "End with one JSON line.")
    boolean json;

    @Option(names = "--journal", defaultValue = "none", split = ",", paramLabel = "J[,J...]",
            description = "Journals to measure, one after the other in this run: none (memory) | h2 (a file in a temporary directory, "
                    + "as a search's default) | a JDBC URL (default: ${DEFAULT-VALUE}). E.g. none,h2 gives the journal's overhead.")
    List<String> journals;

    @Option(names = "--snapshot-every", defaultValue = "5000", description = "With a durable journal: snapshot every this many steps "
            + "(default: ${DEFAULT-VALUE}).")
    int snapshotEvery;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!options.evaluator.equals(TabularEvaluator.KIND)) {
            throw new IllegalArgumentException("bench throughput measures the engine with the tabular evaluator, not '" + options.evaluator + "'");
        }
        if (candidates <= 0) {
            throw new IllegalArgumentException("--candidates must be > 0, got " + candidates);
        }
        if (options.slots < 2) {
            throw new IllegalArgumentException("--slots must be >= 2: the pipeline is measured with at least two evaluator actors");
        }
        return run(SearchSetup.from(options));
    }

    private <A> int run(SearchSetup<A> setup) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Router.Settings noCache = new Router.Settings(setup.routerSettings.timeout(), setup.routerSettings.maxAttempts(), 0);
        List<Map<String, Object>> results = new ArrayList<>();
        double baseline = Double.NaN;
        for (String journal : journals) {
            Path tmp = journal.equals("h2") ? Files.createTempDirectory("archipelago-throughput-journal") : null;
            JournalSettings journalSettings = tmp != null ? JournalSettings.inRunDirectory(tmp, false) : JournalSettings.parse(journal);
            SearchReport report;
            try (Engine engine = setup.engine(1, journalSettings.config())) {
                journalSettings.createSchema(engine.system());
                measure(setup, engine, noCache, Math.max(1, candidates / 5), "warmup-" + results.size(), journalSettings); // JIT warm-up
                report = measure(setup, engine, noCache, candidates, "measured-" + results.size(), journalSettings);
            } finally {
                if (tmp != null) {
                    BenchOutput.deleteTree(tmp);
                }
            }
            double perSecond = report.evaluations() / report.wallSeconds();
            if (results.isEmpty()) {
                baseline = perSecond;
            }
            out.printf(Locale.ROOT, "%d candidates through %d evaluator slots in %.3f s: %.0f candidates/s (journal %s%s)%s%n",
                    report.evaluations(), options.slots, report.wallSeconds(), perSecond, journalSettings.durable() && tmp == null
                            ? journalSettings.describe() : journal,
                    results.isEmpty() ? "" : String.format(Locale.ROOT, ", %.1f%% of %s", 100 * perSecond / baseline, journals.get(0)),
                    record ? " (recording evaluations.csv)" : "");
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("evaluator", options.evaluator);
            fields.put("journal", journalSettings.describe());
            fields.put("candidates", report.evaluations());
            fields.put("slots", options.slots);
            fields.put("record", record);
            fields.put("seconds", report.wallSeconds());
            fields.put("candidates_per_second", perSecond);
            fields.put("ratio_to_first", perSecond / baseline);
            results.add(fields);
        }
        if (json) {
            BenchOutput.json(out, results.size() == 1 ? results.get(0) : Map.of("runs", results));
        }
        return 0;
    }

    private <A> SearchReport measure(SearchSetup<A> setup, Engine engine, Router.Settings routerSettings, int n, String name,
                                     JournalSettings journal) throws Exception {
        var settings = setup.settings("throughput-" + name + "-" + System.nanoTime(), n).snapshotEvery(journal.durable() ? snapshotEvery : 0)
                .journaled(journal.durable()); // none: the engine without any journal code in the way
        var strategy = RandomSearch.withRepeats(setup.space, setup.objective, 1);
        if (!record) {
            return engine.run(settings, setup.space, strategy, routerSettings, Engine::reportOnly).toCompletableFuture().get();
        }
        Path dir = Files.createTempDirectory("archipelago-throughput");
        Path csv = dir.resolve("evaluations.csv");
        try {
            RunRecorder recorder = new RunRecorder(csv, setup.objective, setup.evaluatedMetrics(), null);
            return engine.run(settings, setup.space, strategy, routerSettings, recorder::behavior).toCompletableFuture().get();
        } finally {
            Files.deleteIfExists(csv);
            Files.deleteIfExists(dir);
        }
    }
}
