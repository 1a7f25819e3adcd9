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
import java.util.LinkedHashMap;
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
        SearchReport report;
        try (Engine engine = setup.engine(1)) {
            measure(setup, engine, noCache, Math.max(1, candidates / 5), "warmup"); // JIT warm-up
            report = measure(setup, engine, noCache, candidates, "measured");
        }
        double perSecond = report.evaluations() / report.wallSeconds();
        out.printf(Locale.ROOT, "%d candidates through %d evaluator slots in %.3f s: %.0f candidates/s%s%n", report.evaluations(),
                options.slots, report.wallSeconds(), perSecond, record ? " (recording evaluations.csv)" : "");
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("evaluator", options.evaluator);
            fields.put("candidates", report.evaluations());
            fields.put("slots", options.slots);
            fields.put("record", record);
            fields.put("seconds", report.wallSeconds());
            fields.put("candidates_per_second", perSecond);
            BenchOutput.json(out, fields);
        }
        return 0;
    }

    private <A> SearchReport measure(SearchSetup<A> setup, Engine engine, Router.Settings routerSettings, int n, String name)
            throws Exception {
        var settings = setup.settings("throughput-" + name, n);
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
