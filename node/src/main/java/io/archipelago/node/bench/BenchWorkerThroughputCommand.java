package io.archipelago.node.bench;

import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.controller.SearchSettings;
import io.archipelago.controller.strategy.RandomSearch;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.objective.Objective;
import io.archipelago.node.cluster.Transport;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.engine.SearchParent;
import io.archipelago.node.setup.OptionChecks;
import io.archipelago.node.worker.WorkerClient;
import io.archipelago.node.worker.WorkerGateway;
import io.archipelago.proto.WorkerHello;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench worker-throughput}: evaluations per second through a worker gateway, with a no-op
 * worker (its answer costs nothing, so the figure is the engine's and the protocol's cost): a
 * search in this JVM, its gateway on loopback, and one worker of {@code --slots} slots, in Java
 * (in this JVM, over real gRPC) or Python (Debian's python3 running {@code clients/python}). With
 * {@code --compare-tcp} the same run measures {@code bench cluster-throughput --transport tcp}'s
 * path (a two-node loopback cluster, the same slots) for the ratio.
 */
@Command(
        name = "worker-throughput",
        mixinStandardHelpOptions = true,
        description =
                "Evaluations per second through a worker gateway to a no-op worker (Java or Python), on loopback.")
public final class BenchWorkerThroughputCommand implements Callable<Integer> {
    private static final String KIND = "noop";
    private static final Objective NOOP = Objective.parse("noop:max");
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @Option(names = "--language", required = true, description = "java | python: the worker's language.")
    String language;

    @Option(names = "--slots", defaultValue = "8", description = "The worker's slots (default: ${DEFAULT-VALUE}).")
    int slots;

    @Option(
            names = "--candidates",
            defaultValue = "20000",
            description = "Candidates in the measured run (default: ${DEFAULT-VALUE}).")
    int candidates;

    @Option(
            names = "--warmup-seconds",
            defaultValue = "10",
            paramLabel = "S",
            description = "Warm-up runs of candidates/5 each until S seconds have passed, at least one (default: "
                    + "${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(
            names = "--client",
            defaultValue = "clients/python",
            paramLabel = "DIR",
            description = "--language python: the Python client's folder (default: ${DEFAULT-VALUE}).")
    Path client;

    @Option(
            names = "--compare-tcp",
            description =
                    "Also measure the cluster path over TCP (bench cluster-throughput, 2 nodes, --slots) in this run.")
    boolean compareTcp;

    @Option(names = "--json", description = "End with one JSON line.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        OptionChecks.positive("--slots", slots);
        OptionChecks.positive("--candidates", candidates);
        if (!(warmupSeconds >= 0)) {
            throw new IllegalArgumentException("--warmup-seconds must be >= 0, got " + warmupSeconds);
        }
        if (!language.equals("java") && !language.equals("python")) {
            throw new IllegalArgumentException("--language must be java or python, got '" + language + "'");
        }
        Path clientDir = client.toAbsolutePath().normalize();
        if (language.equals("python") && !Files.isDirectory(clientDir.resolve("archipelago_worker"))) {
            throw new IllegalArgumentException("--client " + client + " holds no archipelago_worker (the Python client "
                    + "is the repository's clients/python)");
        }
        PrintWriter out = spec.commandLine().getOut();
        double perSecond = measureWorker(clientDir, out);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("language", language);
        fields.put("slots", slots);
        fields.put("candidates", candidates);
        fields.put("evaluations_per_second", perSecond);
        if (compareTcp) {
            double tcp = measureTcpCluster(out);
            fields.put("tcp_cluster_evaluations_per_second", tcp);
            fields.put("ratio_to_tcp_cluster", perSecond / tcp);
            out.printf(Locale.ROOT, "worker / tcp cluster: %.2f%n", perSecond / tcp);
        }
        if (json) {
            BenchOutput.json(out, fields);
        }
        return 0;
    }

    private double measureWorker(Path client, PrintWriter out) throws Exception {
        String token = UUID.randomUUID().toString();
        try (Engine engine = new Engine(List.of(), com.typesafe.config.ConfigFactory.empty());
                WorkerGateway gateway = WorkerGateway.start(
                        engine.system(),
                        new WorkerGateway.Settings("127.0.0.1", 0, token, WorkerGateway.Settings.DEFAULT_HEARTBEAT))) {
            String target = "127.0.0.1:" + gateway.port();
            Process python = null;
            WorkerClient java = null;
            try {
                if (language.equals("python")) {
                    python = startPython(client, target, token);
                } else {
                    java = WorkerClient.connect(
                            target,
                            token,
                            WorkerHello.newBuilder()
                                    .setKind(KIND)
                                    .setSlots(slots)
                                    .setName("bench")
                                    .setProtocol(1)
                                    .build(),
                            (task, progress) -> Map.of("noop", 1.0));
                }
                SearchReport report = warmUpAndMeasure(engine, "worker-" + language, out);
                if (python != null && !python.isAlive()) {
                    throw new IllegalStateException("the Python worker exited with " + python.exitValue());
                }
                double perSecond = report.evaluations() / report.wallSeconds();
                out.printf(
                        Locale.ROOT,
                        "%d candidates through a %s worker of %d slot(s) in %.3f s: %.0f evaluations/s%n",
                        report.evaluations(),
                        language,
                        slots,
                        report.wallSeconds(),
                        perSecond);
                return perSecond;
            } finally {
                if (java != null) {
                    java.close();
                }
                if (python != null) {
                    python.destroy();
                    if (!python.waitFor(10, TimeUnit.SECONDS)) {
                        python.destroyForcibly();
                    }
                }
            }
        }
    }

    private Process startPython(Path client, String target, String token) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(
                        PYTHON.toString(),
                        "-m",
                        "archipelago_worker",
                        "--kind",
                        KIND,
                        "--slots",
                        Integer.toString(slots),
                        "--gateway",
                        target,
                        "--noop")
                .directory(client.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(new File("/dev/null")));
        builder.environment().put("ARCHIPELAGO_WORKER_TOKEN", token);
        return builder.start();
    }

    private SearchReport warmUpAndMeasure(Engine engine, String name, PrintWriter out) throws Exception {
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        int warmups = 0;
        do {
            run(engine, name + "-warmup-" + warmups++, Math.max(1, candidates / 5));
        } while (System.nanoTime() < warmupEnd);
        return run(engine, name + "-measured", candidates);
    }

    /** A search of {@code budget} random cells (with repeats, no cache) once the worker's slots are in the pool. */
    private SearchReport run(Engine engine, String searchId, int budget) throws Exception {
        SearchSettings settings = SearchSettings.of(searchId, "worker:" + KIND, 0, budget)
                .minSlots(slots)
                .journaled(false);
        RandomSearch<Nb201Cell> strategy = RandomSearch.withRepeats(Nb201Space.INSTANCE, NOOP, searchId.hashCode());
        SearchReport report = engine.run(
                        settings,
                        Nb201Space.INSTANCE,
                        strategy,
                        BenchClusterThroughputCommand.Bench.NO_CACHE,
                        SearchParent::reportOnly)
                .toCompletableFuture()
                .get(30, TimeUnit.MINUTES);
        if (report.failed() > 0) {
            throw new IllegalStateException(report.failed() + " of " + budget + " evaluations failed");
        }
        return report;
    }

    /** bench cluster-throughput's path on TCP: a controller node and one evaluator node of {@code --slots} slots. */
    private double measureTcpCluster(PrintWriter out) throws Exception {
        BenchClusterThroughputCommand.Bench bench = new BenchClusterThroughputCommand.Bench(null);
        int basePort = freeBasePort();
        try (LoopbackCluster cluster =
                new LoopbackCluster(Transport.TCP, basePort, LoopbackCluster.overrides(Transport.TCP, null))) {
            cluster.addEvaluatorNode(slots, bench);
            cluster.awaitJoined();
            cluster.awaitPool(slots);
            long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
            int warmups = 0;
            do {
                bench.run(cluster.controller(), "tcp-warmup-" + warmups++, Math.max(1, candidates / 5), slots, true);
            } while (System.nanoTime() < warmupEnd);
            SearchReport report = bench.run(cluster.controller(), "tcp-measured", candidates, slots, true);
            double perSecond = report.evaluations() / report.wallSeconds();
            out.printf(
                    Locale.ROOT,
                    "%d candidates through a tcp cluster node of %d slot(s) in %.3f s: %.0f evaluations/s%n",
                    report.evaluations(),
                    slots,
                    report.wallSeconds(),
                    perSecond);
            return perSecond;
        }
    }

    private static int freeBasePort() throws java.io.IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base;
            try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
                base = socket.getLocalPort();
            }
            if (base < 65_000) {
                try {
                    LoopbackCluster.checkPorts(base, 2);
                    return base;
                } catch (IllegalArgumentException taken) {
                    // try another
                }
            }
        }
        throw new IllegalStateException("no two free consecutive ports on loopback");
    }
}
