package io.archipelago.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.archipelago.node.cluster.ClusterOptions;
import io.archipelago.node.dashboard.DashboardServer;
import io.archipelago.node.dashboard.RunCatalog;
import io.archipelago.node.engine.Engine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's cluster page data: joined to a live cluster (an evaluator node in its own JVM,
 * over TCP) as a member without roles, it lists the node with its roles and pool, and the pools'
 * totals (slots, busy, free, utilisation), as {@code cluster status} asks them.
 */
class DashboardClusterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void showsTheClustersNodesAndPools(@TempDir Path tmp) throws Exception {
        int port = ChildJvmPorts.freePorts(1);
        String seeds = "127.0.0.1:" + port;
        try (ChildJvm node = ChildJvm.start(
                tmp,
                "node",
                "node",
                "--roles",
                "evaluator",
                "--slots",
                "3",
                "--eval-time",
                "100ms",
                "--transport",
                "tcp",
                "--port",
                Integer.toString(port),
                "--seed-nodes",
                seeds)) {
            node.awaitLog("is up", Duration.ofSeconds(120));
            ClusterOptions options = new ClusterOptions();
            options.transport = "tcp";
            options.host = "127.0.0.1";
            options.port = 0;
            options.seedNodes = seeds;
            Engine engine = Engine.cluster(
                    options.settings(Set.of()), 0, null, ConfigFactory.parseString("pekko.loglevel = ERROR"));
            DashboardServer server = null;
            try {
                RunCatalog catalog = new RunCatalog(
                        List.of(),
                        DashboardCommand.RUN_DIRECTORIES,
                        null,
                        DashboardCommand.clusterState(engine, seeds));
                server = new DashboardServer(engine.system(), catalog, Duration.ofMillis(300));
                String base = "http://127.0.0.1:" + server.start("127.0.0.1", 0).getPort();
                HttpClient http = HttpClient.newHttpClient();
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                JsonNode cluster = null;
                while (System.nanoTime() < deadline) {
                    cluster = JSON.readTree(http.send(
                                    HttpRequest.newBuilder(URI.create(base + "/api/cluster"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofByteArray())
                            .body());
                    if (cluster.path("joined").asBoolean()
                            && cluster.path("members").size() == 1
                            && cluster.path("members").get(0).path("answered").asBoolean()) {
                        break;
                    }
                    Thread.sleep(200);
                }
                JsonNode member = cluster.path("members").get(0);
                assertTrue(member != null && member.path("answered").asBoolean(), String.valueOf(cluster));
                assertEquals(
                        "pekko://archipelago@" + seeds, member.get("address").asText());
                assertEquals("[\"evaluator\"]", member.get("roles").toString());
                assertEquals("Up", member.get("status").asText());
                JsonNode pool = cluster.get("pools").get(0);
                assertEquals("tabular", pool.get("kind").asText(), cluster.toString());
                assertEquals(3, pool.get("slots").asInt());
                assertEquals(3, pool.get("busy").asInt() + pool.get("free").asInt());
                assertEquals(3, cluster.get("slots").asInt());
                assertEquals(0, cluster.get("in_flight").asInt());
                assertEquals(1, pool.get("nodes").asInt());
            } finally {
                if (server != null) {
                    server.close();
                }
                engine.close();
            }
            node.terminate();
            assertEquals(143, node.awaitExit(Duration.ofSeconds(60)), node.tail());
        }
    }
}
