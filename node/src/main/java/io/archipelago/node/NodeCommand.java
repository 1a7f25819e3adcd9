package io.archipelago.node;

import com.typesafe.config.ConfigFactory;
import io.archipelago.core.space.SearchSpaces;
import io.archipelago.evaluators.NodeMeters;
import io.archipelago.node.cluster.ClusterOptions;
import io.archipelago.node.cluster.ClusterSettings;
import io.archipelago.node.cluster.NodeRole;
import io.archipelago.node.dashboard.DashboardServer;
import io.archipelago.node.dashboard.RunCatalog;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.host.SearchHost;
import io.archipelago.node.journal.JournalSettings;
import io.archipelago.node.ops.NodeOps;
import io.archipelago.node.ops.OpsOptions;
import io.archipelago.node.ops.OpsSettings;
import io.archipelago.node.setup.EvaluatorSetup;
import io.archipelago.node.setup.LatencyOptions;
import io.archipelago.node.setup.ListenAddress;
import io.archipelago.node.setup.SearchSetup;
import io.archipelago.node.setup.SupernetOptions;
import io.archipelago.node.setup.TegOptions;
import io.archipelago.node.setup.TrainingOptions;
import io.archipelago.node.setup.WorkerOptions;
import io.archipelago.node.worker.WorkerGateway;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code archipelago node}: a long-lived cluster member with roles, e.g. an evaluator node that
 * offers K slots to every search in the cluster. It runs until SIGTERM (drain, then leave: exit
 * code 143, as for any process SIGTERM ends) or until the cluster downs it (exit code 1).
 */
@Command(
        name = "node",
        mixinStandardHelpOptions = true,
        description = "Start a cluster node with roles (evaluator, latency, controller); it runs until SIGTERM.")
public final class NodeCommand implements Callable<Integer> {
    @Option(
            names = "--roles",
            defaultValue = "evaluator",
            description =
                    "Comma-separated: evaluator, latency (measures on --device), controller, gateway (worker processes "
                            + "dial --worker-port), or none (a seed that only holds membership) (default: ${DEFAULT-VALUE}).")
    String roles;

    @Option(
            names = "--evaluator",
            defaultValue = "tabular",
            description = "Evaluator kind this node offers: tabular | teg | supernet (with --supernet DIR) | train | "
                    + "runner:CMD (CMD per candidate, runners/README.md) (default: ${DEFAULT-VALUE}).")
    String evaluator;

    @Option(
            names = "--slots",
            defaultValue = "2",
            description = "Evaluator slots this node offers (default: ${DEFAULT-VALUE}).")
    int slots;

    @Option(
            names = "--eval-timeout",
            defaultValue = "3600",
            paramLabel = "SECONDS",
            description = "runner:CMD evaluator: seconds one candidate's process may run before it is killed and the "
                    + "candidate fails (default: ${DEFAULT-VALUE}).")
    double evalTimeoutSeconds;

    @Option(
            names = "--space",
            defaultValue = "nb201",
            description = "Search space of the benchmark table (default: ${DEFAULT-VALUE}).")
    String space;

    @Option(
            names = "--benchmark",
            paramLabel = "FILE",
            description = "Tabular benchmark: a CSV file or a table shipped inside Archipelago (nb201:cifar10,"
                    + " nbgraph:cora, nbgraph:citeseer, nbgraph:pubmed); default: nb201:cifar10 for nb201.")
    Path benchmark;

    @Option(
            names = "--eval-time",
            paramLabel = "DIST",
            description = "Simulated evaluation time of the tabular evaluator, e.g. 200ms.")
    String evalTime;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "Seed of simulated times and TEG initialisations (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    TegOptions teg = new TegOptions();

    @Mixin
    SupernetOptions supernet = new SupernetOptions();

    @Mixin
    TrainingOptions training = new TrainingOptions();

    @Mixin
    LatencyOptions latency = new LatencyOptions();

    @Option(
            names = "--latency-slots",
            defaultValue = "1",
            description = "Latency node: measurements run at once; keep 1 on one device, or timings disturb each other "
                    + "(default: ${DEFAULT-VALUE}).")
    int latencySlots;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Mixin
    WorkerOptions workers = new WorkerOptions();

    @Mixin
    OpsOptions ops = new OpsOptions();

    @Option(
            names = "--journal",
            paramLabel = "URL",
            description =
                    "Controller role: the cluster's shared journal (jdbc:postgresql://...; or archipelago.journal.url in "
                            + "--cluster-config). This node may then host the cluster's searches, and takes them over from the journal "
                            + "when the node that ran them dies.")
    String journal;

    @Option(
            names = "--dashboard",
            paramLabel = "[HOST:]PORT",
            description =
                    "Serve the read-only dashboard (as archipelago dashboard) of this node's --journal and cluster "
                            + "on this address (HOST default 127.0.0.1); a controller-role node only.")
    String dashboard;

    @Spec
    CommandSpec spec;

    /** The journal URL a --cluster-config file names ({@code archipelago.journal.url}), if any. */
    private static String configuredJournal(ClusterSettings settings) {
        return settings.configuredJournal().orElse(null);
    }

    private java.time.Duration runnerTimeout() {
        if (!(evalTimeoutSeconds > 0)) {
            throw new IllegalArgumentException("--eval-timeout must be > 0 seconds, got " + evalTimeoutSeconds);
        }
        return java.time.Duration.ofMillis((long) (evalTimeoutSeconds * 1000));
    }

    @Override
    public Integer call() throws Exception {
        Set<NodeRole> nodeRoles = NodeRole.parseList(roles);
        ClusterSettings settings = cluster.settings(nodeRoles);
        OpsSettings opsSettings =
                ops.settings(settings.host(), !settings.seeds().isEmpty());
        boolean evaluates = nodeRoles.contains(NodeRole.EVALUATOR);
        if (evaluates && slots <= 0) {
            throw new IllegalArgumentException("--slots must be > 0 on an evaluator node, got " + slots);
        }
        boolean measures = nodeRoles.contains(NodeRole.LATENCY);
        if (measures) {
            if (latencySlots <= 0) {
                throw new IllegalArgumentException(
                        "--latency-slots must be > 0 on a latency node, got " + latencySlots);
            }
            latency.validate();
        }
        boolean gateway = nodeRoles.contains(NodeRole.GATEWAY);
        if (gateway != workers.enabled()) {
            throw new IllegalArgumentException(
                    gateway
                            ? "a gateway node needs --worker-port [HOST:]PORT"
                            : "--worker-port opens a worker gateway: add the role gateway (--roles gateway,...)");
        }
        WorkerGateway.Settings gatewaySettings = gateway ? workers.settings(settings.host()) : null;
        EvaluatorSetup evaluators = evaluates
                ? new EvaluatorSetup(
                        evaluator,
                        SearchSetup.loadTable(SearchSpaces.byId(space), benchmark),
                        evalTime,
                        teg,
                        supernet,
                        training,
                        runnerTimeout())
                : null;
        ClusterOptions.logMembership();
        PrintWriter out = spec.commandLine().getOut();
        List<Engine.Pool> pools = new ArrayList<>();
        List<String> offered = new ArrayList<>();
        if (evaluates && !evaluators.runsHere()) {
            throw new IllegalArgumentException("--evaluator " + evaluator + " runs in worker processes: a gateway "
                    + "node (--roles gateway --worker-port PORT) takes them, not --roles evaluator");
        }
        if (evaluates) {
            // Nodes started with the same --seed still draw different simulated times.
            pools.add(new Engine.Pool(slots, evaluators.factory(seed * 65_537 + settings.port())));
            offered.add(slots + " " + evaluators.kind + " slot(s)");
        }
        if (measures) {
            pools.add(new Engine.Pool(latencySlots, latency.factory()));
            offered.add(latencySlots + " " + latency.kind() + " slot(s)");
        }
        ListenAddress dashboardAddress =
                dashboard == null ? null : ListenAddress.parse("--dashboard", dashboard, "127.0.0.1", "127.0.0.1:8080");
        String journalUrl = journal != null ? journal : configuredJournal(settings);
        JournalSettings journalSettings = journalUrl != null ? JournalSettings.parse(journalUrl) : null;
        if (dashboardAddress != null && journalSettings == null) {
            throw new IllegalArgumentException("--dashboard shows the searches of the node's --journal: give a "
                    + "controller-role node --journal too");
        }
        if (journalSettings != null && !nodeRoles.contains(NodeRole.CONTROLLER)) {
            throw new IllegalArgumentException("--journal is for controller-role nodes (--roles controller,...)");
        }
        Engine engine = Engine.cluster(
                settings,
                pools,
                opsSettings
                        .config()
                        .withFallback(journalSettings != null ? journalSettings.config() : ConfigFactory.empty()));
        String management;
        try {
            management = NodeOps.start(engine.system(), opsSettings);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        if (gatewaySettings != null) {
            try {
                WorkerGateway started =
                        WorkerGateway.start(engine.system(), gatewaySettings).drainOnShutdown();
                engine.hostPools(started::pools);
                NodeMeters.get(engine.system()).hostPools(started::pools);
                offered.add("a worker gateway on " + gatewaySettings.host() + ":" + started.port());
            } catch (IllegalArgumentException e) {
                engine.close();
                throw e;
            }
        }
        if (journalSettings != null) {
            journalSettings.createSchema(engine.system());
            SearchHost.init(engine.system(), journalSettings);
            out.printf(
                    "node %s hosts searches of the journal %s when it is the oldest controller-role node%n",
                    engine.address(), journalSettings.describe());
        }
        if (dashboardAddress != null) {
            try {
                InetSocketAddress bound = new DashboardServer(
                                engine.system(),
                                new RunCatalog(
                                        List.of(),
                                        DashboardCommand.RUN_DIRECTORIES,
                                        journalSettings,
                                        DashboardCommand.clusterState(
                                                engine, settings.seedAddresses().toString())),
                                Duration.ofSeconds(1))
                        .start(dashboardAddress.host(), dashboardAddress.port());
                offered.add("a dashboard on http://" + bound.getHostString() + ":" + bound.getPort() + "/");
            } catch (IllegalArgumentException | IllegalStateException e) {
                engine.close();
                throw e;
            }
        }
        out.printf(
                "node %s: roles %s, %s, transport %s, seeds %s%n",
                engine.address(),
                NodeRole.ids(nodeRoles),
                offered.isEmpty() ? "no evaluators" : String.join(" and ", offered),
                settings.transport().id(),
                opsSettings.discovery() == OpsSettings.Discovery.KUBERNETES_API
                        ? "found by Cluster Bootstrap (kubernetes-api, pods labelled app=" + opsSettings.service() + ")"
                        : settings.seedAddresses());
        if (management != null) {
            out.printf(
                    "node %s serves management on %s (/alive, /ready, /cluster/members, /metrics)%n",
                    engine.address(), management);
        }
        engine.joined().thenRun(() -> out.printf("node %s is up%n", engine.address()));
        engine.awaitTermination();
        CoordinatedShutdown.Reason reason = CoordinatedShutdown.get(Adapter.toClassic(engine.system()))
                .getShutdownReason()
                .orElse(null);
        out.printf("node %s stopped (%s)%n", engine.address(), reason == null ? "terminated" : reason);
        return reason == CoordinatedShutdown.jvmExitReason()
                        || reason == CoordinatedShutdown.actorSystemTerminateReason()
                ? 0
                : 1;
    }
}
