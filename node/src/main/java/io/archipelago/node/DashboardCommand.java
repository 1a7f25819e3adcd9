package io.archipelago.node;

import com.typesafe.config.ConfigFactory;
import io.archipelago.evaluators.latency.LatencyEvaluators;
import io.archipelago.node.bench.BenchOutput;
import io.archipelago.node.cluster.ClusterOptions;
import io.archipelago.node.cluster.ClusterSettings;
import io.archipelago.node.dashboard.DashboardServer;
import io.archipelago.node.dashboard.RunCatalog;
import io.archipelago.node.dashboard.RunDirectories;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.journal.JournalReader;
import io.archipelago.node.journal.JournalSettings;
import io.archipelago.node.journal.SearchRecord;
import io.archipelago.proto.EvaluatorPoolStatus;
import io.archipelago.proto.NodeStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code archipelago dashboard}: a read-only web dashboard of the runs under ROOT (found as
 * {@code runs list} finds them), of the searches in a shared journal and of a live cluster (as
 * {@code cluster status} asks it), live. It runs until SIGTERM (exit code 143, as {@code node}).
 * How a running search's files are followed without touching its journal: {@code DirRun}.
 */
@Command(
        name = "dashboard",
        mixinStandardHelpOptions = true,
        description = {
            "Serve a live, read-only web dashboard (runs, one run's history, Pareto front, parallel coordinates and trials,"
                    + " the cluster) until SIGTERM.",
            "Runs under ROOT are followed through their evaluations.csv while they run (their journal is not opened);"
                    + " --journal adds a shared journal's searches, --seed-nodes a live cluster's nodes and slots."
        })
public final class DashboardCommand implements Callable<Integer> {
    @Parameters(
            paramLabel = "ROOT",
            arity = "0..*",
            description =
                    "Run directories, or folders of them (default: runs, unless --journal or --seed-nodes is given).")
    List<Path> roots = new ArrayList<>();

    @Option(
            names = "--journal",
            paramLabel = "URL",
            description =
                    "A shared journal whose searches to show too (jdbc:postgresql://..., or jdbc:h2:file:PATH of no"
                            + " running search).")
    String journal;

    @Option(
            names = "--seed-nodes",
            paramLabel = "HOST:PORT[,...]",
            description = "A cluster to show: the dashboard joins it as a member without roles, on --cluster-port.")
    String seedNodes;

    @Option(
            names = "--port",
            defaultValue = "8080",
            paramLabel = "PORT",
            description = "HTTP port of the dashboard; 0: any free port (default: ${DEFAULT-VALUE}). Not the cluster's:"
                    + " that is --cluster-port.")
    int port;

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            paramLabel = "ADDRESS",
            description = "Address the HTTP server listens on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0:"
                    + " every interface).")
    String host;

    @Option(
            names = "--cluster-port",
            defaultValue = "0",
            paramLabel = "PORT",
            description = "Cluster port of the dashboard's member with --seed-nodes; 0: any free port (default:"
                    + " ${DEFAULT-VALUE}).")
    int clusterPort;

    @Option(
            names = "--cluster-host",
            defaultValue = "127.0.0.1",
            paramLabel = "ADDRESS",
            description = "Address the cluster's nodes reach the dashboard's member at (default: ${DEFAULT-VALUE}).")
    String clusterHost;

    @Option(
            names = "--transport",
            defaultValue = ClusterOptions.DEFAULT_TRANSPORT,
            description = "The cluster's transport: aeron-udp | tcp | tls-tcp (default: ${DEFAULT-VALUE}).")
    String transport;

    @Option(
            names = "--cluster-config",
            paramLabel = "FILE",
            description = "HOCON overriding cluster-conf/ (e.g. TLS stores).")
    Path clusterConfig;

    @Option(
            names = "--poll-ms",
            defaultValue = "1000",
            paramLabel = "MS",
            description = "How often runs are read and pages updated, in milliseconds (default: ${DEFAULT-VALUE}).")
    long pollMs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be in 0..65535, got " + port);
        }
        if (clusterPort < 0 || clusterPort > 65535) {
            throw new IllegalArgumentException("--cluster-port must be in 0..65535, got " + clusterPort);
        }
        if (pollMs < 50) {
            throw new IllegalArgumentException("--poll-ms must be >= 50, got " + pollMs);
        }
        List<Path> shown = new ArrayList<>(roots);
        if (shown.isEmpty() && journal == null && seedNodes == null) {
            shown.add(Path.of("runs"));
        }
        for (Path root : shown) {
            RunsCommand.runDirectories(root); // fails, naming it, when it is not a directory
        }
        JournalSettings journalSettings = journal == null ? null : JournalSettings.parse(journal);
        if (journalSettings != null) {
            if (!journalSettings.durable()) {
                throw new IllegalArgumentException("--journal none holds no searches to show");
            }
            try (JournalReader reader = JournalReader.open(journalSettings)) {
                reader.searchIds(); // reachable, and a journal
            }
        }
        ClusterSettings clusterSettings = null;
        if (seedNodes != null) {
            if (clusterConfig != null && !Files.isRegularFile(clusterConfig)) {
                throw new IllegalArgumentException("--cluster-config " + clusterConfig + " is not a file");
            }
            ClusterOptions options = new ClusterOptions();
            options.transport = transport;
            options.host = clusterHost;
            options.port = clusterPort;
            options.seedNodes = seedNodes;
            options.clusterConfig = clusterConfig;
            clusterSettings = options.settings(Set.of());
            if (clusterSettings.seedAddresses().isEmpty()) {
                throw new IllegalArgumentException("--seed-nodes names no seed node");
            }
        } else if (clusterConfig != null || !ClusterOptions.DEFAULT_TRANSPORT.equals(transport) || clusterPort != 0) {
            throw new IllegalArgumentException(
                    "--transport, --cluster-port and --cluster-config are options of the cluster: give --seed-nodes too");
        }
        Engine engine = clusterSettings == null
                ? null
                : Engine.cluster(clusterSettings, 0, null, ConfigFactory.parseString("pekko.loglevel = ERROR"));
        ActorSystem<?> system = engine != null
                ? engine.system()
                : ActorSystem.create(Behaviors.empty(), "dashboard", ConfigFactory.load());
        // A port that is taken is this command's one line (exit 2), not Pekko's logged stack trace as well.
        if (org.slf4j.LoggerFactory.getLogger("org.apache.pekko.io.TcpListener")
                instanceof ch.qos.logback.classic.Logger listener) {
            listener.setLevel(ch.qos.logback.classic.Level.OFF);
        }
        RunCatalog catalog = new RunCatalog(
                shown, RUN_DIRECTORIES, journalSettings, engine == null ? null : clusterState(engine, seedNodes));
        DashboardServer server = new DashboardServer(system, catalog, Duration.ofMillis(pollMs));
        InetSocketAddress address;
        try {
            address = server.start(host, port);
        } catch (IllegalArgumentException | IllegalStateException e) {
            if (engine != null) {
                engine.close();
            } else {
                system.terminate();
            }
            throw e;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "dashboard: serving http://%s:%d/ (runs: %s; journal: %s; cluster: %s) until SIGTERM%n",
                address.getHostString(),
                address.getPort(),
                shown.isEmpty() ? "-" : shown,
                journalSettings == null ? "-" : journalSettings.describe(),
                seedNodes == null ? "-" : seedNodes);
        out.flush();
        // SIGTERM: the JVM's shutdown hook runs the actor system's coordinated shutdown (the
        // cluster member leaves), and the JVM ends with 143.
        system.getWhenTerminated().toCompletableFuture().get();
        return 0;
    }

    /** runs list's own ways of finding and reading run directories. */
    static final RunDirectories RUN_DIRECTORIES = new RunDirectories() {
        @Override
        public List<Path> under(Path root) throws IOException {
            return RunsCommand.runDirectories(root);
        }

        @Override
        public SearchRecord read(Path dir) throws IOException {
            return RunsCommand.readRun(dir);
        }

        @Override
        public String searchIdOf(Path dir, JournalReader reader) throws IOException {
            return RunDirectory.searchIdOf(dir, reader);
        }

        @Override
        public Path summaryOf(Path dir) {
            return dir.resolve(SearchCommand.SUMMARY);
        }

        @Override
        public Path evaluationsOf(Path dir) {
            return dir.resolve(SearchCommand.EVALUATIONS);
        }
    };

    /**
     * The cluster as {@code cluster status} sees it (each node's agent asked for its status), with
     * totals per pool kind: slots, busy, free, utilisation; and the devices of the latency pools.
     */
    static Supplier<Map<String, Object>> clusterState(Engine engine, String seeds) {
        return () -> {
            @SuppressWarnings("unchecked")
            ActorSystem<Void> system = (ActorSystem<Void>) engine.system();
            Cluster membership = Cluster.get(Adapter.toClassic(system));
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("enabled", true);
            state.put("seed_nodes", seeds);
            state.put("self", engine.address());
            boolean joined = membership.selfMember().status() == MemberStatus.up();
            state.put("joined", joined);
            List<Member> members = new ArrayList<>();
            for (Member member : membership.state().getMembers()) {
                if (!member.address().equals(membership.selfAddress())) {
                    members.add(member);
                }
            }
            Map<String, NodeStatus> statuses;
            try {
                statuses = joined ? ClusterStatusCommand.statuses(system, members.size()) : Map.of();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                statuses = Map.of();
            } catch (ExecutionException e) {
                statuses = Map.of();
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            Map<String, int[]> kinds = new TreeMap<>(); // kind -> {slots, busy, nodes}
            int inFlight = 0;
            for (Member member : members) {
                String address = member.address().toString();
                NodeStatus status = statuses.get(address);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("address", address);
                row.put("status", member.status().toString());
                row.put(
                        "roles",
                        member.getRoles().stream()
                                .filter(r -> !r.startsWith("dc-"))
                                .sorted()
                                .toList());
                row.put("answered", status != null);
                if (status != null) {
                    List<Map<String, Object>> pools = new ArrayList<>();
                    for (EvaluatorPoolStatus pool : status.getPoolsList()) {
                        pools.add(BenchOutput.ordered(
                                "kind", pool.getKind(), "slots", pool.getSlots(), "busy", pool.getBusy()));
                        int[] total = kinds.computeIfAbsent(pool.getKind(), k -> new int[3]);
                        total[0] += pool.getSlots();
                        total[1] += pool.getBusy();
                        total[2]++;
                        inFlight += pool.getBusy();
                    }
                    row.put("pools", pools);
                    row.put("draining", status.getDraining());
                    row.put("evaluations", status.getEvaluations());
                    row.put("uptime_seconds", Math.round(status.getUptimeSeconds()));
                }
                rows.add(row);
            }
            List<Map<String, Object>> pools = new ArrayList<>();
            List<String> devices = new ArrayList<>();
            int slots = 0;
            for (Map.Entry<String, int[]> kind : kinds.entrySet()) {
                int[] t = kind.getValue();
                Map<String, Object> pool = new LinkedHashMap<>();
                pool.put("kind", kind.getKey());
                pool.put("nodes", t[2]);
                pool.put("slots", t[0]);
                pool.put("busy", t[1]);
                pool.put("free", t[0] - t[1]);
                pool.put("utilization", t[0] == 0 ? 0.0 : t[1] / (double) t[0]);
                pools.add(pool);
                slots += t[0];
                if (kind.getKey().startsWith(LatencyEvaluators.KIND_PREFIX)) {
                    devices.add(kind.getKey().substring(LatencyEvaluators.KIND_PREFIX.length()));
                }
            }
            state.put("members", rows);
            state.put("pools", pools);
            state.put("devices", devices);
            state.put("slots", slots);
            state.put("in_flight", inFlight);
            state.put("utilization", slots == 0 ? 0.0 : inFlight / (double) slots);
            return state;
        };
    }
}
