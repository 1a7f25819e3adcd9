package io.archipelago.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.controller.SearchSettings;
import io.archipelago.controller.router.Router;
import io.archipelago.controller.strategy.RandomSearch;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.evaluators.TabularEvaluator;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.engine.SearchParent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each transport of {@code cluster-conf/} carries a search between two nodes in this JVM: a
 * controller node without evaluators and an evaluator node, so every evaluation goes over the
 * network. TLS-TCP runs with mutual authentication on a key pair made here with keytool.
 */
@Tag("cluster")
class ClusterTransportTest {
    private static final String PASSWORD = "archipelago-test";

    @TempDir
    static Path stores;

    @BeforeAll
    static void makeKeyStores() throws IOException, InterruptedException {
        String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path keyStore = stores.resolve("node.p12");
        Path cert = stores.resolve("node.crt");
        genKeyPair(keytool, "node", keyStore);
        keytool(
                keytool,
                "-exportcert",
                "-alias",
                "node",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                PASSWORD,
                "-file",
                cert.toString());
        keytool(
                keytool,
                "-importcert",
                "-noprompt",
                "-alias",
                "node",
                "-file",
                cert.toString(),
                "-keystore",
                stores.resolve("trust.p12").toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD);
        // A key pair of its own, trusted by nobody else: what a stranger on the network would bring.
        genKeyPair(keytool, "rogue", stores.resolve("rogue.p12"));
    }

    /** A self-signed key pair in a PKCS12 store of its own. */
    private static void genKeyPair(String keytool, String alias, Path store) throws IOException, InterruptedException {
        keytool(
                keytool,
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=archipelago",
                "-validity",
                "2",
                "-keystore",
                store.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD);
    }

    private static void keytool(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), String.join(" ", command) + ": " + output);
    }

    private static Config overrides(Transport transport) {
        return overrides(transport, "node.p12");
    }

    /** @param keyStore the node's own key store, in {@link #stores}; every node trusts trust.p12 */
    private static Config overrides(Transport transport, String keyStore) {
        String quiet = "pekko.loglevel = WARNING\n";
        if (transport != Transport.TLS_TCP) {
            return ConfigFactory.parseString(quiet);
        }
        String ssl = "pekko.remote.artery.ssl.config-ssl-engine";
        return ConfigFactory.parseString(quiet
                + ssl + ".key-store = \"" + stores.resolve(keyStore) + "\"\n"
                + ssl + ".trust-store = \"" + stores.resolve("trust.p12") + "\"\n"
                + ssl + ".key-store-password = \"" + PASSWORD + "\"\n"
                + ssl + ".key-password = \"" + PASSWORD + "\"\n"
                + ssl + ".trust-store-password = \"" + PASSWORD + "\"\n");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Timeout(120)
    void searchRunsOnARemoteEvaluatorNode(Transport transport) throws Exception {
        int port = io.archipelago.node.ChildJvmPorts.freePorts(2);
        String seed = "127.0.0.1:" + port;
        ClusterSettings controllerSettings =
                new ClusterSettings(transport, "127.0.0.1", port, List.of(seed), Set.of(NodeRole.CONTROLLER), null);
        ClusterSettings evaluatorSettings =
                new ClusterSettings(transport, "127.0.0.1", port + 1, List.of(seed), Set.of(NodeRole.EVALUATOR), null);
        BenchmarkTable<?> table = BenchmarkTable.embeddedNb201Cifar10();
        try (Engine controller = Engine.cluster(controllerSettings, 0, null, overrides(transport));
                Engine evaluators = Engine.cluster(
                        evaluatorSettings,
                        2,
                        slot -> new TabularEvaluator<>(table, null, slot),
                        overrides(transport))) {
            assertTrue(controller.isCluster());
            assertEquals(
                    transport.id(), controller.system().settings().config().getString("pekko.remote.artery.transport"));
            evaluators.joined().toCompletableFuture().get(60, TimeUnit.SECONDS);
            Objective objective = Objective.parse("cifar10_valid_12");
            SearchSettings settings = SearchSettings.of("transport-" + transport.id(), TabularEvaluator.KIND, 12, 40)
                    .minSlots(2);
            SearchReport report = controller
                    .run(
                            settings,
                            Nb201Space.INSTANCE,
                            RandomSearch.withRepeats(Nb201Space.INSTANCE, objective, 1),
                            Router.Settings.DEFAULTS,
                            SearchParent::reportOnly)
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            assertEquals(40, report.evaluations());
            assertEquals(0, report.failed());
            assertEquals(2, report.maxSlots(), "the controller node has no slots of its own: all 2 are remote");
            assertTrue(
                    evaluators.status().getEvaluations() >= 40, "the evaluator node ran them: " + evaluators.status());
        }
    }
    /**
     * With tls-tcp and mutual authentication, a node whose certificate the trust store lacks
     * cannot join: the TLS handshake fails before any cluster message (join, gossip, an
     * evaluation) is read, so it cannot send either. It even trusts the cluster's certificate, so
     * only the cluster's side refuses it.
     */
    @Test
    @Timeout(120)
    void aNodeWithoutATrustedCertificateCannotJoin() throws Exception {
        int port = io.archipelago.node.ChildJvmPorts.freePorts(2);
        String seed = "127.0.0.1:" + port;
        ClusterSettings controllerSettings = new ClusterSettings(
                Transport.TLS_TCP, "127.0.0.1", port, List.of(seed), Set.of(NodeRole.CONTROLLER), null);
        ClusterSettings rogueSettings = new ClusterSettings(
                Transport.TLS_TCP, "127.0.0.1", port + 1, List.of(seed), Set.of(NodeRole.EVALUATOR), null);
        BenchmarkTable<?> table = BenchmarkTable.embeddedNb201Cifar10();
        try (Engine controller = Engine.cluster(controllerSettings, 0, null, overrides(Transport.TLS_TCP));
                Engine rogue = Engine.cluster(
                        rogueSettings,
                        2,
                        slot -> new TabularEvaluator<>(table, null, slot),
                        overrides(Transport.TLS_TCP, "rogue.p12"))) {
            controller.joined().toCompletableFuture().get(60, TimeUnit.SECONDS); // the seed forms its cluster
            assertThrows(
                    TimeoutException.class,
                    () -> rogue.joined().toCompletableFuture().get(20, TimeUnit.SECONDS),
                    "the rogue node joined");
            Set<String> members = new HashSet<>();
            Cluster.get(controller.system())
                    .state()
                    .getMembers()
                    .forEach(m -> members.add(m.address().toString()));
            assertEquals(1, members.size(), "members seen by the seed: " + members);
        }
    }
}
