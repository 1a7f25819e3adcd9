package io.archipelago.node.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
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
import io.archipelago.node.cluster.ClusterSettings;
import io.archipelago.node.cluster.NodeRole;
import io.archipelago.node.cluster.Transport;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.setup.EvaluatorSetup;
import io.archipelago.node.setup.OptionChecks;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
            defaultValue = "aeron-udp",
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
            this.evaluators = new EvaluatorSetup(TabularEvaluator.KIND, table, evalTime, null);
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
                    .run(settings, Nb201Space.INSTANCE, strategy, NO_CACHE, Engine::reportOnly)
                    .toCompletableFuture()
                    .get();
        }
    }

    /**
     * Cluster members in this JVM on 127.0.0.1: a controller node (the seed, no slots) on
     * {@code basePort} and evaluator nodes on the following ports. {@link #close} stops the
     * controller first, then the evaluator nodes.
     */
    static final class LoopbackCluster implements AutoCloseable {
        static final String HOST = "127.0.0.1";
        static final Duration JOIN_TIMEOUT = Duration.ofSeconds(60);
        static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);
        private static final Logger LOG = LoggerFactory.getLogger(LoopbackCluster.class);

        private final Transport transport;
        private final int basePort;
        private final Config overrides;
        private final Engine controller;
        private final List<Engine> evaluatorNodes = new ArrayList<>();
        private int poolWatches;

        LoopbackCluster(Transport transport, int basePort, Config overrides) {
            this.transport = transport;
            this.basePort = basePort;
            this.overrides = overrides;
            this.controller = Engine.cluster(
                    new ClusterSettings(transport, HOST, basePort, List.of(), EnumSet.of(NodeRole.CONTROLLER), null),
                    0,
                    null,
                    overrides);
        }

        /**
         * Settings every node of a benchmark cluster gets over cluster-conf/: warnings only (a
         * node logs its membership at INFO), one JMX bean per member, no hand-back grace at the end.
         */
        static Config overrides(Transport transport, Integer idleCpuLevel) {
            Map<String, Object> values = new LinkedHashMap<>();
            values.put("pekko.loglevel", "WARNING");
            values.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");
            // Nothing runs when the benchmark stops its nodes: no requests can be on the wire.
            values.put("archipelago.node.hand-back-grace", "0s");
            if (transport == Transport.AERON_UDP) {
                // A node that stops right after a peer has left can have a control-stream message to
                // that peer still being offered to Aeron (not connected); its stream, and with it
                // the node's termination, then waits for give-up-system-message-after (6 h by
                // default; in practice such closes took 60-90 s). Loopback peers acknowledge
                // within milliseconds, so 10 s is ample while the benchmark runs.
                values.put("pekko.remote.artery.advanced.give-up-system-message-after", "10s");
            }
            if (idleCpuLevel != null) {
                if (transport != Transport.AERON_UDP) {
                    throw new IllegalArgumentException("--aeron-idle-cpu-level applies to --transport aeron-udp only");
                }
                if (idleCpuLevel < 1 || idleCpuLevel > 10) {
                    throw new IllegalArgumentException("--aeron-idle-cpu-level must be in 1..10, got " + idleCpuLevel);
                }
                values.put("pekko.remote.artery.advanced.aeron.idle-cpu-level", idleCpuLevel);
            }
            return ConfigFactory.parseMap(values);
        }

        static Transport transport(String id) {
            try {
                return Transport.parse(id);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--transport: " + e.getMessage(), e);
            }
        }

        static void checkPorts(int basePort, int nodes) {
            if (basePort < 1 || basePort + nodes - 1 > 65535) {
                throw new IllegalArgumentException(
                        "--base-port must leave room for " + nodes + " port(s) in 1..65535, got " + basePort);
            }
        }

        Engine controller() {
            return controller;
        }

        int evaluatorNodes() {
            return evaluatorNodes.size();
        }

        /** Starts the next evaluator node (it joins through the controller). */
        Engine addEvaluatorNode(int slots, Bench bench) {
            int port = basePort + 1 + evaluatorNodes.size();
            ClusterSettings settings = new ClusterSettings(
                    transport, HOST, port, List.of(HOST + ":" + basePort), EnumSet.of(NodeRole.EVALUATOR), null);
            Engine node = Engine.cluster(settings, slots, bench.nextNode(), overrides);
            evaluatorNodes.add(node);
            return node;
        }

        /** Waits until every node is an Up member. */
        void awaitJoined() throws InterruptedException {
            List<Engine> all = new ArrayList<>();
            all.add(controller);
            all.addAll(evaluatorNodes);
            long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
            for (Engine node : all) {
                try {
                    node.joined()
                            .toCompletableFuture()
                            .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    throw new IllegalStateException("node " + node.address() + " did not join the cluster in "
                            + JOIN_TIMEOUT.toSeconds() + " s");
                } catch (ExecutionException e) {
                    throw new IllegalStateException("node " + node.address() + " failed to join", e.getCause());
                }
            }
        }

        /** Waits until a router on the controller node sees {@code slots} tabular evaluator slots. */
        void awaitPool(int slots) throws InterruptedException {
            CompletableFuture<Integer> ready = new CompletableFuture<>();
            Behavior<Router.Event> watcher = Behaviors.setup(context -> {
                ActorRef<Router.Command> router = context.spawn(Router.create(Bench.NO_CACHE), "router");
                router.tell(new Router.WatchCapacity(TabularEvaluator.KIND, context.getSelf()));
                return Behaviors.receive(Router.Event.class)
                        .onMessage(Router.Capacity.class, capacity -> {
                            if (capacity.slots() >= slots) {
                                ready.complete(capacity.slots());
                                return Behaviors.stopped();
                            }
                            return Behaviors.same();
                        })
                        .build();
            });
            controller.system().systemActorOf(watcher, "pool-watch-" + poolWatches++, Props.empty());
            try {
                ready.get(JOIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                // The watcher stays; the caller closes the cluster.
                throw new IllegalStateException("the controller's pool did not reach " + slots
                        + " evaluator slot(s) in " + JOIN_TIMEOUT.toSeconds() + " s");
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }

        /**
         * Stops the controller node, then every evaluator node at once. A node that has not
         * terminated after {@link #CLOSE_TIMEOUT} is reported and left to finish in the background,
         * so that a benchmark never hangs on its clean-up.
         */
        @Override
        public void close() {
            stop(List.of(controller));
            stop(evaluatorNodes);
        }

        private static void stop(List<Engine> nodes) {
            for (Engine node : nodes) {
                node.system().terminate();
            }
            long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
            for (Engine node : nodes) {
                try {
                    node.system()
                            .getWhenTerminated()
                            .toCompletableFuture()
                            .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    node.close(); // terminated: returns at once
                } catch (TimeoutException e) {
                    LOG.warn(
                            "node {} did not terminate within {} s; it goes on shutting down in the background",
                            node.address(),
                            CLOSE_TIMEOUT.toSeconds());
                } catch (ExecutionException e) {
                    LOG.warn("node {} failed while terminating", node.address(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
