package io.archipelago.node.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.archipelago.evaluators.NodeMeters;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The configuration {@code --management} and {@code --discovery} give a node (Cluster Bootstrap
 * cannot run without Kubernetes: what it is told is checked here), and the option combinations
 * that are refused.
 */
class OpsSettingsTest {
    private static OpsSettings parse(String management, String discovery, String service) {
        return new OpsOptionsBuilder(management, discovery, service).settings(false);
    }

    /** The options as picocli fills them. */
    private record OpsOptionsBuilder(String management, String discovery, String service) {
        OpsSettings settings(boolean seedNodes) {
            OpsOptions options = new OpsOptions();
            options.management = management;
            options.discovery = discovery;
            options.service = service;
            return options.settings("10.1.2.3", seedNodes);
        }
    }

    @Test
    void offByDefault() {
        OpsSettings settings = parse(null, "seed-nodes", null);
        assertFalse(settings.managementEnabled());
        Config config = settings.config();
        assertFalse(config.getBoolean(OpsSettings.ENABLED_KEY));
        assertEquals("seed-nodes", config.getString(OpsSettings.DISCOVERY_KEY));
        assertFalse(config.hasPath("pekko.management.http.port"));
        assertFalse(config.hasPath("pekko.cluster.seed-nodes"));
        assertFalse(config.hasPath(NodeMeters.EXPORT_KEY));
        assertNull(settings.managementUrl());
    }

    @Test
    void managementOnAHostAndPort() {
        OpsSettings settings = parse("127.0.0.1:8558", "seed-nodes", null);
        Config config = settings.config();
        assertTrue(config.getBoolean(OpsSettings.ENABLED_KEY));
        assertEquals("127.0.0.1", config.getString("pekko.management.http.hostname"));
        assertEquals("127.0.0.1", config.getString("pekko.management.http.bind-hostname"));
        assertEquals(8558, config.getInt("pekko.management.http.port"));
        assertEquals(8558, config.getInt("pekko.management.http.bind-port"));
        assertEquals(PrometheusExport.class.getName(), config.getString(NodeMeters.EXPORT_KEY));
        assertEquals("http://127.0.0.1:8558", settings.managementUrl());
    }

    @Test
    void aPortAloneIsOnLoopbackAndAWildcardAdvertisesTheNodesHost() {
        assertEquals("127.0.0.1", parse("8558", "seed-nodes", null).managementHost());
        OpsSettings wildcard = parse("0.0.0.0:8558", "seed-nodes", null);
        assertEquals("0.0.0.0", wildcard.config().getString("pekko.management.http.bind-hostname"));
        assertEquals("10.1.2.3", wildcard.config().getString("pekko.management.http.hostname"));
        assertEquals("::1", parse("[::1]:8558", "seed-nodes", null).managementHost());
    }

    @Test
    void kubernetesApiDiscoveryConfiguresClusterBootstrap() {
        Config config = parse("0.0.0.0:8558", "kubernetes-api", "archipelago").config();
        assertEquals("kubernetes-api", config.getString(OpsSettings.DISCOVERY_KEY));
        assertEquals("kubernetes-api", config.getString("pekko.discovery.method"));
        assertEquals(
                "kubernetes-api",
                config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
        assertEquals(
                "archipelago",
                config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.service-name"));
        assertEquals("app=%s", config.getString("pekko.discovery.kubernetes-api.pod-label-selector"));
        assertEquals(List.of(), config.getStringList("pekko.cluster.seed-nodes"));
        // The contact point Bootstrap advertises is the pod's own address (--host), where discovery finds it.
        assertEquals("10.1.2.3", config.getString("pekko.management.http.hostname"));
        assertEquals(8558, config.getInt("pekko.management.http.port"));
    }

    @Test
    void theNodesConfigurationResolvesWithItOverApplicationConf() {
        Config node = parse("127.0.0.1:8558", "kubernetes-api", "archipelago")
                .config()
                .withFallback(ConfigFactory.load())
                .resolve();
        assertEquals("io.archipelago.node.ops.MetricsRoute", node.getString("pekko.management.http.routes.metrics"));
        assertEquals(
                "org.apache.pekko.management.cluster.scaladsl.ClusterMembershipCheck",
                node.getString("pekko.management.health-checks.readiness-checks.cluster-membership"));
        assertEquals("", node.getString("pekko.management.health-checks.readiness-checks.sharding"));
        assertEquals(
                "org.apache.pekko.discovery.kubernetes.KubernetesApiServiceDiscovery",
                node.getString("pekko.discovery.kubernetes-api.class"));
        assertEquals(
                "org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap$",
                node.getString("pekko.management.http.routes.cluster-bootstrap"));
    }

    @Test
    void badValuesAndCombinationsAreRefusedNamingTheOption() {
        assertRefused("--management must be [HOST:]PORT", "127.0.0.1:70000", "seed-nodes", null, false);
        assertRefused("--management must be [HOST:]PORT", "localhost:http", "seed-nodes", null, false);
        assertRefused("--management must be [HOST:]PORT", ":8558", "seed-nodes", null, false);
        assertRefused("--discovery must be seed-nodes or kubernetes-api", null, "dns", null, false);
        assertRefused("needs --management", null, "kubernetes-api", "archipelago", false);
        assertRefused("needs --discovery-service", "8558", "kubernetes-api", null, false);
        assertRefused("--discovery-service is for --discovery kubernetes-api", "8558", "seed-nodes", "x", false);
        assertRefused("must be a Kubernetes label value", "8558", "kubernetes-api", "-bad name", false);
        assertRefused(
                "--seed-nodes cannot be used with --discovery kubernetes-api",
                "8558",
                "kubernetes-api",
                "archipelago",
                true);
    }

    private static void assertRefused(
            String message, String management, String discovery, String service, boolean seedNodes) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new OpsOptionsBuilder(management, discovery, service).settings(seedNodes));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
