package io.archipelago.node.bench;

import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.controller.router.Router;
import io.archipelago.controller.strategy.RandomSearch;
import io.archipelago.evaluators.TabularEvaluator;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.engine.SearchParent;
import io.archipelago.node.journal.JournalSettings;
import io.archipelago.node.run.RunRecorder;
import io.archipelago.node.setup.OptionChecks;
import io.archipelago.node.setup.SearchOptions;
import io.archipelago.node.setup.SearchSetup;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.commons.math3.stat.descriptive.rank.Median;
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
@Command(
        name = "throughput",
        mixinStandardHelpOptions = true,
        description = "Candidates per second through controller -> router -> evaluator actors.")
public final class BenchThroughputCommand implements Callable<Integer> {
    @Mixin
    SearchOptions options;

    @Option(
            names = "--candidates",
            defaultValue = "200000",
            description = "Candidates in the measured run (default: ${DEFAULT-VALUE}).")
    int candidates;

    @Option(
            names = "--record",
            description = "Also write evaluations.csv (to a temporary directory), as a search does.")
    boolean record;

    @Option(names = "--json", description = "End with one JSON line.")
    boolean json;

    @Option(
            names = "--journal",
            defaultValue = "none",
            split = ",",
            paramLabel = "J[,J...]",
            description =
                    "Journals to measure, one after the other in this run: none (no journal code at all) | memory (Pekko's "
                            + "in-memory journal: the journal's own work without a database) | h2 (a file in a temporary directory, as a search's "
                            + "default) | a JDBC URL (default: ${DEFAULT-VALUE}). E.g. none,h2 gives the journal's overhead.")
    List<String> journals;

    @Option(
            names = "--rounds",
            defaultValue = "1",
            description = "Measure the --journal list this many times, alternately forward and "
                    + "backward (none,h2,h2,none,...), after a first run of each that is not counted, so that drifts within the JVM (JIT, heap) fall "
                    + "evenly on each, and end with each journal's median (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
            names = "--snapshot-every",
            defaultValue = "5000",
            description = "With a durable journal: snapshot every this many steps " + "(default: ${DEFAULT-VALUE}).")
    int snapshotEvery;

    @Spec
    CommandSpec spec;

    private static final String MEMORY = "memory";

    private record Run(String journal, boolean counted) {}

    @Override
    public Integer call() throws Exception {
        if (!options.evaluator.equals(TabularEvaluator.KIND)) {
            throw new IllegalArgumentException(
                    "bench throughput measures the engine with the tabular evaluator, not '" + options.evaluator + "'");
        }
        OptionChecks.positive("--candidates", candidates);
        OptionChecks.positive("--rounds", rounds);
        if (options.slots < 2) {
            throw new IllegalArgumentException(
                    "--slots must be >= 2: the pipeline is measured with at least two evaluator actors");
        }
        return run(SearchSetup.from(options));
    }

    private <A> int run(SearchSetup<A> setup) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Router.Settings noCache =
                new Router.Settings(setup.routerSettings.timeout(), setup.routerSettings.maxAttempts(), 0);
        List<Map<String, Object>> results = new ArrayList<>();
        Map<String, List<Double>> perJournal = new LinkedHashMap<>();
        List<Run> order = new ArrayList<>();
        if (rounds > 1) {
            // The first runs of a JVM are the slowest by far (JIT, the heap growing to its working size), and a
            // journal's own code
            // is compiled only once it runs: with rounds, each journal runs once uncounted first.
            journals.forEach(journal -> order.add(new Run(journal, false)));
        }
        List<String> backward = new ArrayList<>(journals);
        Collections.reverse(backward);
        for (int round = 0; round < rounds; round++) {
            (round % 2 == 0 ? journals : backward).forEach(journal -> order.add(new Run(journal, true)));
        }
        double baseline = Double.NaN;
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (Run run : order) {
            String journal = run.journal();
            Path tmp = journal.equals("h2") ? Files.createTempDirectory("archipelago-throughput-journal") : null;
            boolean inMemory = journal.equals(MEMORY);
            JournalSettings journalSettings = tmp != null
                    ? JournalSettings.inRunDirectory(tmp, false)
                    : inMemory ? JournalSettings.none() : JournalSettings.parse(journal);
            SearchReport report;
            long cpuNanos;
            try (Engine engine = setup.engine(1, journalSettings.config())) {
                journalSettings.createSchema(engine.system());
                boolean journaled = journalSettings.durable() || inMemory;
                int snapshots = journalSettings.durable() ? snapshotEvery : 0; // memory has no snapshot store
                measure(
                        setup,
                        engine,
                        noCache,
                        Math.max(1, candidates / 5),
                        "warmup-" + results.size(),
                        journaled,
                        snapshots); // JIT warm-up
                cpuNanos = os.getProcessCpuTime();
                report =
                        measure(setup, engine, noCache, candidates, "measured-" + results.size(), journaled, snapshots);
                cpuNanos = os.getProcessCpuTime() - cpuNanos;
            } finally {
                if (tmp != null) {
                    BenchOutput.deleteTree(tmp);
                }
            }
            double perSecond = report.evaluations() / report.wallSeconds();
            if (!run.counted()) {
                out.printf(
                        Locale.ROOT,
                        "JIT warm-up run, not counted: %.0f candidates/s (journal %s)%n",
                        perSecond,
                        journal);
                continue;
            }
            double cpuMicros = cpuNanos / 1e3 / report.evaluations();
            if (results.isEmpty()) {
                baseline = perSecond;
            }
            perJournal.computeIfAbsent(journal, j -> new ArrayList<>()).add(perSecond);
            out.printf(
                    Locale.ROOT,
                    "%d candidates through %d evaluator slots in %.3f s: %.0f candidates/s, CPU %.1f µs each (journal %s%s)%s%n",
                    report.evaluations(),
                    options.slots,
                    report.wallSeconds(),
                    perSecond,
                    cpuMicros,
                    journalSettings.durable() && tmp == null ? journalSettings.describe() : journal,
                    results.isEmpty()
                            ? ""
                            : String.format(
                                    Locale.ROOT, ", %.1f%% of %s", 100 * perSecond / baseline, label(journals.get(0))),
                    record ? " (recording evaluations.csv)" : "");
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("evaluator", options.evaluator);
            fields.put("journal", inMemory ? MEMORY : journalSettings.describe());
            fields.put("candidates", report.evaluations());
            fields.put("slots", options.slots);
            fields.put("record", record);
            fields.put("seconds", report.wallSeconds());
            fields.put("candidates_per_second", perSecond);
            fields.put("cpu_microseconds_per_candidate", cpuMicros);
            fields.put("ratio_to_first", perSecond / baseline);
            results.add(fields);
        }
        Map<String, Object> medians = new LinkedHashMap<>();
        if (results.size() > perJournal.size()) { // some journal ran more than once
            List<Double> firstRuns = perJournal.get(journals.get(0));
            double first = median(firstRuns);
            for (Map.Entry<String, List<Double>> runs : perJournal.entrySet()) {
                double median = median(runs.getValue());
                String journal = label(runs.getKey());
                // Each round runs every journal once, close together in time: the ratio within a round is spared the
                // drifts
                // between rounds (this machine's load, the heap), and its median is the steadier figure.
                double[] roundRatios = new double[Math.min(runs.getValue().size(), firstRuns.size())];
                for (int i = 0; i < roundRatios.length; i++) {
                    roundRatios[i] = runs.getValue().get(i) / firstRuns.get(i);
                }
                double roundRatio = median(roundRatios);
                out.printf(
                        Locale.ROOT,
                        "median of %d runs, journal %s: %.0f candidates/s, %.3f of %s; ratio within a round: median %.3f "
                                + "(%.3f-%.3f)%n",
                        runs.getValue().size(),
                        journal,
                        median,
                        median / first,
                        label(journals.get(0)),
                        roundRatio,
                        Arrays.stream(roundRatios).min().orElse(Double.NaN),
                        Arrays.stream(roundRatios).max().orElse(Double.NaN));
                medians.put(
                        journal,
                        BenchOutput.ordered(
                                "candidates_per_second",
                                median,
                                "ratio_to_first",
                                median / first,
                                "round_ratio_median",
                                roundRatio));
            }
        }
        if (json) {
            BenchOutput.json(
                    out,
                    results.size() == 1
                            ? results.get(0)
                            : medians.isEmpty()
                                    ? Map.of("runs", results)
                                    : BenchOutput.ordered("runs", results, "medians", medians));
        }
        return 0;
    }

    /** A journal as the user named it, a URL without its password. */
    private static String label(String journal) {
        return journal.startsWith("jdbc:") ? JournalSettings.parse(journal).describe() : journal;
    }

    private static double median(List<Double> values) {
        return median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static double median(double[] values) {
        return new Median().evaluate(values);
    }

    private <A> SearchReport measure(
            SearchSetup<A> setup,
            Engine engine,
            Router.Settings routerSettings,
            int n,
            String name,
            boolean journaled,
            int snapshots)
            throws Exception {
        // none: the engine without any journal code in the way
        var settings = setup.settings("throughput-" + name + "-" + System.nanoTime(), n)
                .journaled(journaled)
                .snapshotEvery(snapshots);
        var strategy = RandomSearch.withRepeats(setup.space, setup.objective, 1);
        if (!record) {
            return engine.run(settings, setup.space, strategy, routerSettings, SearchParent::reportOnly)
                    .toCompletableFuture()
                    .get();
        }
        Path dir = Files.createTempDirectory("archipelago-throughput");
        Path csv = dir.resolve("evaluations.csv");
        try {
            RunRecorder recorder = new RunRecorder(csv, setup.objective, setup.evaluatedMetrics(), null);
            return engine.run(settings, setup.space, strategy, routerSettings, recorder::behavior)
                    .toCompletableFuture()
                    .get();
        } finally {
            Files.deleteIfExists(csv);
            Files.deleteIfExists(dir);
        }
    }
}
