package io.archipelago.node.bench;

import com.typesafe.config.Config;
import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.controller.SearchSettings;
import io.archipelago.controller.router.Router;
import io.archipelago.controller.strategy.RandomSearch;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.core.table.MetricName;
import io.archipelago.evaluators.Evaluator;
import io.archipelago.evaluators.TabularEvaluator;
import io.archipelago.node.cluster.ClusterOptions;
import io.archipelago.node.cluster.Transport;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.engine.SearchParent;
import io.archipelago.node.setup.EvaluatorSetup;
import io.archipelago.node.setup.OptionChecks;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.function.IntFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench cluster-throughput}: candidates per second through real remote actors. Several
 * cluster members run in this one JVM, each a real actor system talking over the chosen transport
 * on loopback: node 0 is the controller (and seed) with no slots of its own, nodes 1..n-1 offer
 * {@code --slots} tabular evaluators each, so every evaluation crosses the network twice (request
 * and result, both Protobuf). The search is random sampling with repeats and no result cache, as in
 * {@code bench throughput}; the difference between the two figures is the cost of the wire.
 */
@Command(
        name = "cluster-throughput",
        mixinStandardHelpOptions = true,
        description =
                "Candidates per second through controller -> router -> evaluator actors on other cluster nodes (loopback, one JVM).")
public final class BenchClusterThroughputCommand implements Callable<Integer> {
    @Option(
            names = "--nodes",
            defaultValue = "3",
            description = "Cluster nodes: one controller and N-1 evaluator nodes (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(
            names = "--transport",
            defaultValue = ClusterOptions.DEFAULT_TRANSPORT,
            description = "aeron-udp | tcp | tls-tcp (default: ${DEFAULT-VALUE}).")
    String transport;

    @Option(
            names = "--candidates",
            defaultValue = "100000",
            description = "Candidates in the measured run (default: ${DEFAULT-VALUE}).")
    int candidates;

    @Option(
            names = "--slots",
            defaultValue = "32",
            description = "Evaluator slots per evaluator node (default: ${DEFAULT-VALUE}).")
    int slots;

    @Option(
            names = "--warmup-seconds",
            defaultValue = "20",
            paramLabel = "S",
            description =
                    "Warm-up searches of candidates/5 each run until S seconds have passed, at least one (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(
            names = "--base-port",
            defaultValue = "25520",
            description = "Port of node 0 (the seed); node i listens on base-port + i (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Option(
            names = "--aeron-idle-cpu-level",
            paramLabel = "1..10",
            description =
                    "aeron-udp: override cluster-conf's idle-cpu-level on every node (1 sleeps when idle, 10 busy-spins).")
    Integer idleCpuLevel;

    @Option(names = "--json", description = "End with one JSON line.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (nodes < 2) {
            throw new IllegalArgumentException(
                    "--nodes must be >= 2 (a controller and at least one evaluator node), got " + nodes);
        }
        OptionChecks.positive("--candidates", candidates);
        OptionChecks.positive("--slots", slots);
        if (!(warmupSeconds >= 0)) {
            throw new IllegalArgumentException("--warmup-seconds must be >= 0, got " + warmupSeconds);
        }
        Transport t = LoopbackCluster.transport(transport);
        LoopbackCluster.checkPorts(basePort, nodes);
        Config overrides = LoopbackCluster.overrides(t, idleCpuLevel);
        PrintWriter out = spec.commandLine().getOut();

        Bench bench = new Bench(null);
        int poolSlots = (nodes - 1) * slots;
        SearchReport report;
        double setupSeconds;
        int warmups = 0;
        long warmupCandidates = 0;
        double warmupLast = 0;
        long start = System.nanoTime();
        try (LoopbackCluster cluster = new LoopbackCluster(t, basePort, overrides)) {
            for (int i = 1; i < nodes; i++) {
                cluster.addEvaluatorNode(slots, bench);
            }
            cluster.awaitJoined();
            cluster.awaitPool(poolSlots);
            setupSeconds = (System.nanoTime() - start) / 1e9;
            // Warm-up: on a small machine the JIT needs tens of seconds of this traffic (three actor
            // systems' remote paths) before the rate settles; one candidates/5 run is not enough.
            long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
            do {
                SearchReport warmup = bench.run(
                        cluster.controller(),
                        "cluster-throughput-warmup-" + warmups,
                        Math.max(1, candidates / 5),
                        poolSlots,
                        true);
                warmups++;
                warmupCandidates += warmup.evaluations();
                warmupLast = warmup.evaluations() / warmup.wallSeconds();
            } while (System.nanoTime() < warmupEnd);
            report = bench.run(cluster.controller(), "cluster-throughput-measured", candidates, poolSlots, true);
        }
        double perSecond = report.evaluations() / report.wallSeconds();
        out.printf(
                Locale.ROOT,
                "%d candidates over %s through %d evaluator node(s) x %d slot(s) in %.3f s: %.0f candidates/s"
                        + " (cluster up in %.1f s; warm-up %d candidates in %d run(s), the last at %.0f/s)%n",
                report.evaluations(),
                t.id(),
                nodes - 1,
                slots,
                report.wallSeconds(),
                perSecond,
                setupSeconds,
                warmupCandidates,
                warmups,
                warmupLast);
        if (report.failed() > 0) {
            out.printf(Locale.ROOT, "  %d evaluation(s) failed%n", report.failed());
        }
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("transport", t.id());
            fields.put("nodes", nodes);
            fields.put("slots_per_node", slots);
            if (idleCpuLevel != null) {
                fields.put("aeron_idle_cpu_level", idleCpuLevel);
            }
            fields.put("warmup_candidates", warmupCandidates);
            fields.put("candidates", report.evaluations());
            fields.put("seconds", report.wallSeconds());
            fields.put("candidates_per_second", perSecond);
            BenchOutput.json(out, fields);
        }
        return 0;
    }

    /**
     * The search side of the cluster benchmarks: NB201 with its embedded table, the tabular
     * evaluator (optionally with simulated time), random sampling, no result cache.
     */
    static final class Bench {
        static final Router.Settings NO_CACHE = new Router.Settings(Duration.ofHours(1), 3, 0);
        final BenchmarkTable<Nb201Cell> table = BenchmarkTable.embeddedNb201Cifar10();
        final Objective objective = Objective.parse("cifar10_valid_12");
        final int fidelity =
                MetricName.parse(objective.metric()).map(MetricName::epochs).orElse(0);
        private final EvaluatorSetup evaluators;
        private long nodeSeed;

        /** @param evalTime the tabular evaluator's simulated time (null: none) */
        Bench(String evalTime) {
            this.evaluators = new EvaluatorSetup(TabularEvaluator.KIND, table, evalTime, null, null, null, null);
        }

        /** The evaluators of the next node's slots (each node draws its own simulated times). */
        IntFunction<Evaluator> nextNode() {
            return evaluators.factory(++nodeSeed);
        }

        /**
         * Runs one search of {@code budget} evaluations once the pool has {@code minSlots} slots.
         *
         * @param repeats random sampling with replacement (as {@code bench throughput}); without,
         *     no two candidates are equivalent, so none is answered by an identical one in flight
         *     and every candidate takes a slot
         */
        SearchReport run(Engine controller, String searchId, int budget, int minSlots, boolean repeats)
                throws InterruptedException, ExecutionException {
            // The engine and its transport alone, as bench throughput's --journal none: Pekko's
            // in-memory journal would keep every event of the warm-up and the runs in the heap.
            SearchSettings settings = SearchSettings.of(searchId, TabularEvaluator.KIND, fidelity, budget)
                    .minSlots(minSlots)
                    .journaled(false);
            long seed = searchId.hashCode();
            RandomSearch<Nb201Cell> strategy = repeats
                    ? RandomSearch.withRepeats(Nb201Space.INSTANCE, objective, seed)
                    : new RandomSearch<>(Nb201Space.INSTANCE, objective, seed);
            return controller
                    .run(settings, Nb201Space.INSTANCE, strategy, NO_CACHE, SearchParent::reportOnly)
                    .toCompletableFuture()
                    .get();
        }
    }
}
