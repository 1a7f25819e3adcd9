package io.archipelago.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code node --management}: Pekko Management's health checks and the Prometheus endpoint of a
 * real node (child JVMs over TCP on loopback, as a user starts them). {@code /alive} answers at
 * once; {@code /ready} is not 200 while the node's seed is down and 200 once it has joined. With a
 * PostgreSQL journal ({@code ARCHIPELAGO_TEST_POSTGRES_URL}), the node is the cluster's search host:
 * a search submitted to it moves the node's counters while it runs, and at its end they equal its
 * {@code summary.json}.
 */
@Tag("cluster")
class MetricsClusterTest {
    private static final String POSTGRES = System.getenv("ARCHIPELAGO_TEST_POSTGRES_URL");
    private static final Duration START = Duration.ofSeconds(90);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @Timeout(400)
    void readyOnceJoinedAndCountersMatchTheSummary(@TempDir Path tmp) throws Exception {
        int base = ChildJvmPorts.freePorts(5);
        int seedPort = base;
        int nodePort = base + 1;
        int management = base + 2;
        int searchPort = base + 3;
        int dashboardPort = base + 4;
        String url = "http://127.0.0.1:" + management;
        List<String> node = new ArrayList<>(List.of(
                "node",
                "--roles",
                POSTGRES != null ? "controller,evaluator" : "evaluator",
                "--slots",
                "2",
                "--eval-time",
                "50ms",
                "--transport",
                "tcp",
                "--port",
                Integer.toString(nodePort),
                "--seed-nodes",
                "127.0.0.1:" + seedPort,
                "--management",
                "127.0.0.1:" + management));
        if (POSTGRES != null) { // a controller node with a journal serves the dashboard of its searches too
            node.addAll(List.of("--journal", POSTGRES, "--dashboard", "127.0.0.1:" + dashboardPort));
        }
        try (ChildJvm member = ChildJvm.start(tmp, "node", node.toArray(String[]::new))) {
            member.awaitLog("serves management on " + url, START);
            assertEquals(200, status(url + "/alive"), member.tail());
            // Its seed is not up: it cannot have joined, whatever the time it is given.
            for (int i = 0; i < 3; i++) {
                assertNotEquals(200, status(url + "/ready"), "ready before joining\n" + member.tail());
                Thread.sleep(1000);
            }
            assertTrue(
                    get(url + "/metrics").contains("archipelago_evaluator_slots{kind=\"tabular\",state=\"free\"} 2.0"));
            try (ChildJvm seed = ChildJvm.start(
                    tmp,
                    "seed",
                    "node",
                    "--roles",
                    "none",
                    "--transport",
                    "tcp",
                    "--port",
                    Integer.toString(seedPort),
                    "--seed-nodes",
                    "127.0.0.1:" + seedPort)) {
                ChildJvm.await(() -> status(url + "/ready") == 200, START, "/ready never became 200 after the join");
                assertTrue(member.log().contains("is up"), member.tail());
                assertEquals(200, status(url + "/alive"));
                assertTrue(get(url + "/cluster/members").contains("127.0.0.1:" + nodePort), member.tail());
                String metrics = get(url + "/metrics");
                for (String jvm : List.of(
                        "jvm_memory_used_bytes",
                        "jvm_gc_",
                        "jvm_threads_live",
                        "system_cpu_count",
                        "jvm_classes_loaded")) {
                    assertTrue(metrics.contains(jvm), "no " + jvm + " in /metrics");
                }
                if (POSTGRES != null) {
                    String searchId = searchOnTheNode(tmp, url, seedPort, searchPort, member);
                    String runs = get("http://127.0.0.1:" + dashboardPort + "/api/runs");
                    assertTrue(runs.contains(searchId), "the node's dashboard lists the search it ran: " + runs);
                } else {
                    System.out.println("MetricsClusterTest: ARCHIPELAGO_TEST_POSTGRES_URL is not set: the search part"
                            + " (counters against summary.json) needs the shared journal and did not run");
                }
            }
        }
    }

    /** A search on the node's search host: the counters move while it runs and match summary.json at its end. */
    private static String searchOnTheNode(Path tmp, String url, int seedPort, int searchPort, ChildJvm member)
            throws Exception {
        int budget = 200;
        String name = "metrics-" + UUID.randomUUID().toString().substring(0, 8);
        Path out = tmp.resolve(name);
        String searchId = name + "-evolution-3";
        try (ChildJvm search = ChildJvm.start(
                tmp,
                "search",
                "search",
                "--cluster",
                "--journal",
                POSTGRES,
                "--transport",
                "tcp",
                "--port",
                Integer.toString(searchPort),
                "--seed-nodes",
                "127.0.0.1:" + seedPort,
                "--min-evaluators",
                "2",
                "--strategy",
                "evolution",
                "--budget",
                Integer.toString(budget),
                "--seed",
                "3",
                "--quiet",
                "--out",
                out.toString())) {
            double[] first = new double[1];
            ChildJvm.await(
                    () -> (first[0] = recorded(scrape(url), searchId)) > 0,
                    START,
                    "no evaluation counted on the node's /metrics\n" + member.tail() + "\n" + search.tail());
            ChildJvm.await(
                    () -> recorded(scrape(url), searchId) > first[0],
                    START,
                    "the counters did not move after " + first[0]);
            assertTrue(first[0] < budget, "the search had ended at the first scrape: nothing seen during it");
            assertEquals(0, search.awaitExit(Duration.ofSeconds(180)), search.tail());
        }
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        String metrics = get(url + "/metrics");
        double ok = counter(metrics, searchId, "ok");
        double failed = counter(metrics, searchId, "failed");
        double cached = counter(metrics, searchId, "cached");
        assertEquals(summary.get("evaluations").asDouble(), ok + failed, summary + "\n" + metrics);
        assertEquals(summary.get("failed").asDouble(), failed, summary.toString());
        assertEquals(summary.get("cached").asDouble(), cached, summary.toString());
        assertEquals(budget, summary.get("evaluations").asInt());
        assertEquals(0.0, gauge(metrics, "archipelago_search_running", searchId), "the search still runs");
        assertEquals(
                summary.get("best").get("metrics").get("cifar10_valid_12").asDouble(),
                gauge(metrics, "archipelago_search_best", searchId),
                1e-9);
        // The node is the only evaluator: every evaluation ran on its slots, and each batch went through its journal.
        assertTrue(value(metrics, "archipelago_evaluation_duration_seconds_count{kind=\"tabular\"}") >= budget);
        assertTrue(value(metrics, "archipelago_journal_write_seconds_count") > 0);
        assertEquals(2.0, value(metrics, "archipelago_evaluator_slots{kind=\"tabular\",state=\"free\"}"));
        // The search host's router, which every search there shares: nothing waits once the search has ended.
        assertEquals(0.0, value(metrics, "archipelago_queue_depth{kind=\"tabular\",search=\"all\"}"));
        return searchId;
    }

    /** ok + failed + cached of one search, summed over kinds (0 before its first result). */
    private static double recorded(String metrics, String searchId) {
        return counter(metrics, searchId, "ok")
                + counter(metrics, searchId, "failed")
                + counter(metrics, searchId, "cached");
    }

    private static double counter(String metrics, String searchId, String outcome) {
        double sum = 0;
        Matcher m = Pattern.compile("(?m)^archipelago_evaluations_total\\{([^}]*)\\} (\\S+)$")
                .matcher(metrics);
        while (m.find()) {
            if (m.group(1).contains("outcome=\"" + outcome + "\"")
                    && m.group(1).contains("search=\"" + searchId + "\"")) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    private static double gauge(String metrics, String name, String searchId) {
        return value(metrics, name + "{search=\"" + searchId + "\"}");
    }

    private static double value(String metrics, String series) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no series " + series + " in /metrics");
    }

    private static String scrape(String url) {
        try {
            return get(url + "/metrics");
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    private static String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), String.format(Locale.ROOT, "GET %s: %s", url, response.body()));
        return response.body();
    }

    private static int status(String url) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
