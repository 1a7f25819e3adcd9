package io.archipelago.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Searches on a real cluster of child JVMs over Aeron UDP on loopback, through the command line a
 * user types: a controller ({@code search --cluster}) and evaluator nodes ({@code node}). Each
 * test checks the run's files as a user would: {@code evaluations} = budget, as many ok rows, no
 * candidate twice.
 */
@Tag("cluster")
class ClusterSearchTest {
    private static final Duration START = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String[] evaluatorNode(int port, int seedPort, String evalTime) {
        return new String[] {
            "node",
            "--roles",
            "evaluator",
            "--evaluator",
            "tabular",
            "--slots",
            "2",
            "--eval-time",
            evalTime,
            "--port",
            Integer.toString(port),
            "--seed-nodes",
            "127.0.0.1:" + seedPort
        };
    }

    private static ChildJvm search(Path tmp, int port, int budget, Path out) throws IOException {
        return ChildJvm.start(
                tmp,
                "controller",
                "search",
                "--cluster",
                "--port",
                Integer.toString(port),
                "--min-evaluators",
                "4",
                "--strategy",
                "evolution",
                "--budget",
                Integer.toString(budget),
                "--seed",
                "5",
                "--quiet",
                "--out",
                out.toString());
    }

    static int rowsSoFar(Path csv) {
        try {
            return Files.exists(csv) ? (int) Files.lines(csv).count() - 1 : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Checks the finished run: exactly budget ok evaluations, each candidate once; returns the rows. */
    private static List<Map<String, String>> checkComplete(Path out, int budget) throws IOException {
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertEquals(budget, summary.get("evaluations").asInt(), summary.toString());
        assertEquals(0, summary.get("failed").asInt(), summary.toString());
        List<Map<String, String>> rows = CliTest.readCsv(out.resolve("evaluations.csv"));
        assertEquals(budget, rows.size());
        Set<String> ids = new HashSet<>();
        for (Map<String, String> row : rows) {
            assertEquals("ok", row.get("status"), row.toString());
            assertTrue(ids.add(row.get("candidate_id")), "candidate " + row.get("candidate_id") + " twice");
        }
        return rows;
    }

    static long rowsBy(List<Map<String, String>> rows, int port) {
        return rows.stream()
                .filter(row -> row.get("evaluator").contains("127.0.0.1:" + port + "/"))
                .count();
    }

    @Test
    @Timeout(240)
    void killedEvaluatorLosesNothingAndJoiningNodeGetsWork(@TempDir Path tmp) throws Exception {
        int base = ChildJvmPorts.freePorts(4);
        int budget = 400;
        Path out = tmp.resolve("run");
        // 300 ms an evaluation: after the kill the one node left (2 slots) needs ~50 s for the rest of
        // the budget, time enough for a third JVM to start and join on a loaded machine (at 100 ms
        // the search once ended before it did).
        String evalTime = "300ms";
        try (ChildJvm controller = search(tmp, base, budget, out);
                ChildJvm first = ChildJvm.start(tmp, "evaluator-1", evaluatorNode(base + 1, base, evalTime));
                ChildJvm second = ChildJvm.start(tmp, "evaluator-2", evaluatorNode(base + 2, base, evalTime))) {
            Path csv = out.resolve("evaluations.csv");
            ChildJvm.await(() -> rowsSoFar(csv) >= 40, START, "the search did not get going");
            first.killNode(base + 1);
            try (ChildJvm third = ChildJvm.start(tmp, "evaluator-3", evaluatorNode(base + 3, base, evalTime))) {
                assertEquals(0, controller.awaitExit(Duration.ofSeconds(150)), controller.tail());
                List<Map<String, String>> rows = checkComplete(out, budget);
                assertTrue(rowsBy(rows, base + 3) > 0, "the node that joined mid-search got no work");
                assertTrue(rowsBy(rows, base + 2) > 0);
                // The transport is the cluster default, TCP.
                assertTrue(
                        controller.log().contains("Remoting started with transport [Artery tcp]"), controller.tail());
                assertTrue(third.log().contains("Remoting started with transport [Artery tcp]"), third.tail());
                // The controller noticed the dead node, and its candidates went elsewhere.
                assertTrue(controller.log().contains("UNREACHABLE"), controller.tail());
            }
        }
    }

    @Test
    @Timeout(240)
    void sigtermDrainsAnEvaluatorWithoutRedispatch(@TempDir Path tmp) throws Exception {
        int base = ChildJvmPorts.freePorts(3);
        int budget = 200;
        Path out = tmp.resolve("run");
        try (ChildJvm controller = search(tmp, base, budget, out);
                ChildJvm leaving = ChildJvm.start(tmp, "evaluator-1", evaluatorNode(base + 1, base, "200ms"));
                ChildJvm staying = ChildJvm.start(tmp, "evaluator-2", evaluatorNode(base + 2, base, "200ms"))) {
            Path csv = out.resolve("evaluations.csv");
            ChildJvm.await(() -> rowsSoFar(csv) >= 30, START, "the search did not get going");
            leaving.terminate();
            // 143 = 128 + SIGTERM: the JVM's exit code after its shutdown hooks (the drain) ran.
            assertEquals(143, leaving.awaitExit(Duration.ofSeconds(60)), leaving.tail());
            assertTrue(leaving.log().contains("draining:"), leaving.tail());
            assertTrue(leaving.log().contains("drained: 0 evaluation(s) still running"), leaving.tail());
            int atExit = rowsSoFar(csv);
            assertTrue(atExit < budget, "the search ended before the node left; nothing was tested");
            assertEquals(0, controller.awaitExit(Duration.ofSeconds(150)), controller.tail());
            List<Map<String, String>> rows = checkComplete(out, budget);
            for (Map<String, String> row : rows) {
                assertEquals("1", row.get("attempts"), "re-dispatched after the drain: " + row);
            }
            assertTrue(
                    rowsBy(rows, base + 1) > 0 && rowsBy(rows, base + 2) > rowsBy(rows, base + 1),
                    "work did not move to the node that stayed");
        }
    }
}
