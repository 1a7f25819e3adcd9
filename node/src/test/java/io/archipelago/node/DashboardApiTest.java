package io.archipelago.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.archipelago.node.dashboard.DashboardServer;
import io.archipelago.node.dashboard.RunCatalog;
import io.archipelago.node.journal.JournalSettings;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's HTTP API without a browser: the JSON endpoints, the CSV download (the run's
 * evaluations.csv, byte for byte; for a shared journal's search, RunRecorder's projection of its
 * journal, row for row the same file), the live event stream, a running search followed through
 * its evaluations.csv (its locked journal untouched), and bad input.
 */
class DashboardApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private ActorSystem<Void> system;
    private DashboardServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (system != null) {
            system.terminate();
        }
    }

    private String serve(List<Path> roots, String journal) throws Exception {
        system = ActorSystem.create(Behaviors.empty(), "dashboard-test", ConfigFactory.load());
        RunCatalog catalog = new RunCatalog(
                roots, DashboardCommand.RUN_DIRECTORIES, journal == null ? null : JournalSettings.parse(journal), null);
        server = new DashboardServer(system, catalog, Duration.ofMillis(200));
        var address = server.start("127.0.0.1", 0);
        return "http://127.0.0.1:" + address.getPort();
    }

    private HttpResponse<byte[]> get(String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private JsonNode json(String url) throws Exception {
        HttpResponse<byte[]> response = get(url);
        assertEquals(200, response.statusCode(), url + ": " + new String(response.body(), StandardCharsets.UTF_8));
        return JSON.readTree(response.body());
    }

    private static CliTest.Run search(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "search",
                "--strategy",
                "nsga2",
                "--objectives",
                "cifar10_valid_12:max,params:min",
                "--constraint",
                "params<=1000000",
                "--budget",
                "30",
                "--seed",
                "2",
                "--quiet",
                "--out",
                out.toString()));
        args.addAll(List.of(more));
        CliTest.Run run = CliTest.run(args.toArray(String[]::new));
        assertEquals(0, run.exit(), run.err());
        return run;
    }

    @Test
    void servesRunsOneRunItsCsvAndJsonTheAppAndEvents(@TempDir Path tmp) throws Exception {
        Path runs = tmp.resolve("runs");
        search(runs.resolve("front"));
        String base = serve(List.of(runs), null);

        JsonNode list = json(base + "/api/runs");
        assertEquals(1, list.get("runs").size(), list.toString());
        JsonNode summary = list.get("runs").get(0);
        assertEquals("front", summary.get("id").asText());
        assertEquals("finished", summary.get("state").asText());
        assertEquals(30, summary.get("evaluations").asInt());
        assertEquals(30, summary.get("budget").asInt());
        assertEquals(1.0, summary.get("progress").asDouble());
        assertEquals("cifar10_valid_12", summary.get("best").get("metric").asText());
        assertTrue(summary.get("rate").asDouble() > 0, summary.toString());
        assertEquals(
                "[\"cifar10_valid_12:max\",\"params:min\"]",
                summary.get("objectives").toString());

        JsonNode run = json(base + "/api/runs/front");
        assertEquals(30, run.get("rows").size());
        assertEquals("candidate_id", run.get("columns").get(0).asText());
        assertTrue(run.get("rows").get(0).get("cifar10_valid_12").isNumber());
        JsonNode pareto = run.get("pareto");
        assertNotNull(pareto);
        int front = 0;
        int infeasible = 0;
        for (JsonNode point : pareto.get("points")) {
            front += point.get("front").asBoolean() ? 1 : 0;
            infeasible += point.get("feasible").asBoolean() ? 0 : 1;
            if (point.get("values").get("params").asDouble() > 1_000_000) {
                assertTrue(
                        !point.get("feasible").asBoolean()
                                && !point.get("front").asBoolean(),
                        point.toString());
            }
        }
        assertTrue(front > 0, pareto.toString());
        assertEquals(pareto.get("front_size").asInt(), front);
        // summary.json's front is the same cells
        JsonNode written = JSON.readTree(runs.resolve("front/summary.json").toFile());
        assertEquals(written.get("front").size(), front);
        assertTrue(infeasible >= 0);

        HttpResponse<byte[]> csv = get(base + "/api/runs/front/evaluations.csv");
        assertEquals(200, csv.statusCode());
        assertTrue(csv.headers().firstValue("content-type").orElse("").startsWith("text/csv"));
        assertTrue(csv.headers().firstValue("content-disposition").orElse("").contains("attachment"));
        assertArrayEquals(Files.readAllBytes(runs.resolve("front/evaluations.csv")), csv.body());
        assertEquals(30, json(base + "/api/runs/front/evaluations.json").size());

        assertEquals(404, get(base + "/api/runs/nothing").statusCode());
        HttpResponse<byte[]> page = get(base + "/");
        assertEquals(200, page.statusCode());
        assertTrue(new String(page.body(), StandardCharsets.UTF_8).contains("/vendor/echarts.min.js"));
        assertEquals(200, get(base + "/static/app.js").statusCode());
        HttpResponse<byte[]> echarts = get(base + "/vendor/echarts.min.js");
        assertEquals(200, echarts.statusCode());
        assertTrue(echarts.body().length > 500_000);
        HttpResponse<String> post = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/runs"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode(), "read-only: " + post.body());

        // The live stream: the runs list, then the run's rows from `from` on.
        Map<String, JsonNode> events = events(base + "/api/events?run=front&from=25", "runs", "run");
        assertEquals(1, events.get("runs").get("runs").size());
        JsonNode delta = events.get("run");
        assertEquals(25, delta.get("from").asInt());
        assertEquals(5, delta.get("rows").size());
    }

    /** A stream's events up to the first of each of these types, by type. */
    private Map<String, JsonNode> events(String url, String... types) throws Exception {
        HttpResponse<InputStream> response =
                http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        Map<String, JsonNode> events = new java.util.LinkedHashMap<>();
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String type = null;
            String data = null;
            for (String line; !events.keySet().containsAll(List.of(types)) && (line = reader.readLine()) != null; ) {
                if (line.startsWith("event:")) {
                    type = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data = line.substring(5).strip();
                } else if (line.isEmpty()) {
                    if (type != null && data != null) {
                        events.put(type, JSON.readTree(data));
                    }
                    type = null;
                    data = null;
                }
            }
        }
        return events;
    }

    @Test
    void aSharedJournalsSearchDownloadsAsItsRunDirectorysCsv(@TempDir Path tmp) throws Exception {
        String journal = "jdbc:h2:file:" + tmp.resolve("shared/journal");
        search(tmp.resolve("run"), "--journal", journal);
        String base = serve(List.of(), journal);
        JsonNode list = json(base + "/api/runs");
        assertEquals(1, list.get("runs").size(), list.toString());
        JsonNode summary = list.get("runs").get(0);
        assertEquals("journal", summary.get("source").asText());
        assertEquals("finished", summary.get("state").asText());
        assertEquals(30, summary.get("evaluations").asInt());
        HttpResponse<byte[]> csv = get(base + "/api/runs/" + summary.get("id").asText() + "/evaluations.csv");
        assertEquals(
                Files.readString(tmp.resolve("run/evaluations.csv")), new String(csv.body(), StandardCharsets.UTF_8));
    }

    @Test
    void followsARunningSearchThroughItsCsvWithoutOpeningItsJournal(@TempDir Path tmp) throws Exception {
        Path runs = Files.createDirectories(tmp.resolve("runs"));
        try (ChildJvm search = ChildJvm.start(
                tmp,
                "search",
                "search",
                "--strategy",
                "nsga2",
                "--objectives",
                "cifar10_valid_12:max,params:min",
                "--budget",
                "60",
                "--eval-time",
                "150ms",
                "--quiet",
                "--out",
                runs.resolve("live").toString())) {
            String base = serve(List.of(runs), null);
            JsonNode running = awaitRun(
                    base,
                    r -> "running".equals(r.path("state").asText())
                            && r.path("evaluations").asInt() > 0
                            && r.path("budget").asInt() == 60,
                    search);
            assertTrue(running.get("evaluations").asInt() < 60, running.toString());
            assertEquals(
                    "[\"cifar10_valid_12:max\",\"params:min\"]",
                    running.get("objectives").toString());
            JsonNode done =
                    awaitRun(base, r -> "finished".equals(r.path("state").asText()), search);
            assertEquals(60, done.get("evaluations").asInt(), done.toString());
            assertEquals(0, search.awaitExit(Duration.ofSeconds(60)), search.tail());
            assertArrayEquals(
                    Files.readAllBytes(runs.resolve("live/evaluations.csv")),
                    get(base + "/api/runs/live/evaluations.csv").body());
        }
    }

    private JsonNode awaitRun(String base, java.util.function.Predicate<JsonNode> until, ChildJvm search)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            JsonNode runs = json(base + "/api/runs").get("runs");
            if (runs.size() == 1) {
                last = runs.get(0);
                if (until.test(last)) {
                    return last;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the run never got there; last seen: " + last + "\n" + search.tail());
    }

    @Test
    void badInputExitsWithTwoAndOneLine(@TempDir Path tmp) throws Exception {
        CliTest.Run unknownRoot =
                CliTest.run("dashboard", tmp.resolve("nowhere").toString(), "--port", "0");
        assertEquals(2, unknownRoot.exit(), unknownRoot.err());
        assertEquals(1, unknownRoot.err().strip().lines().count(), unknownRoot.err());
        assertTrue(unknownRoot.err().contains("is not a directory"), unknownRoot.err());

        CliTest.Run badJournal = CliTest.run("dashboard", "--journal", "jdbc:mysql://nowhere/x");
        assertEquals(2, badJournal.exit(), badJournal.err());
        assertEquals(1, badJournal.err().strip().lines().count(), badJournal.err());
        assertTrue(badJournal.err().contains("--journal must be"), badJournal.err());

        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            CliTest.Run inUse =
                    CliTest.run("dashboard", tmp.toString(), "--port", String.valueOf(taken.getLocalPort()));
            assertEquals(2, inUse.exit(), inUse.err());
            assertEquals(1, inUse.err().strip().lines().count(), inUse.err());
            assertTrue(inUse.err().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), inUse.err());
        }
    }
}
