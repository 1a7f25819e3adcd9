package io.archipelago.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * A multi-objective search on a cluster of child JVMs: accuracy from an evaluator node, latency
 * from a latency node whose device runner is an external command, merged into one result per
 * candidate. The latency node is killed (-9) mid-search and another joins: its candidates wait for
 * the new node and are measured there; nothing is lost or counted twice.
 */
@Tag("cluster")
class LatencyClusterTest {
    private static final Duration START = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEVICE = "test-phone";

    /**
     * A stand-in for a script that runs the model on a phone: it reads the request, takes a while,
     * talks on stderr, and prints a latency that grows with the cell's convolutions.
     */
    private static Path runner(Path dir) throws IOException {
        Path script = dir.resolve("fake-device-runner.sh");
        Files.writeString(script, """
                #!/bin/sh
                request=$(cat)
                n3=$(printf '%s' "$request" | grep -o 'nor_conv_3x3' | wc -l)
                n1=$(printf '%s' "$request" | grep -o 'nor_conv_1x1' | wc -l)
                echo "pushing model to the device" >&2
                sleep 0.05
                echo "{\\"latency_ms\\": $((2 + 4 * n3 + n1)).5, \\"labels\\": {\\"soc\\": \\"fake\\"}}"
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    private static String[] latencyNode(int port, int seedPort, Path runner) {
        return new String[] {
            "node",
            "--roles",
            "latency",
            "--device",
            DEVICE,
            "--runner",
            runner.toString(),
            "--port",
            Integer.toString(port),
            "--seed-nodes",
            "127.0.0.1:" + seedPort
        };
    }

    private static int rowsSoFar(Path csv) {
        try {
            return Files.exists(csv) ? (int) Files.lines(csv).count() - 1 : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    @Test
    @Timeout(240)
    void accuracyAndLatencyPoolsSurviveAKilledLatencyNode(@TempDir Path tmp) throws Exception {
        int base = ChildJvmPorts.freePorts(4);
        int budget = 120;
        Path out = tmp.resolve("run");
        Path runner = runner(tmp);
        try (ChildJvm controller = ChildJvm.start(
                        tmp,
                        "controller",
                        "search",
                        "--cluster",
                        "--port",
                        Integer.toString(base),
                        "--min-evaluators",
                        "2",
                        "--strategy",
                        "nsga2",
                        "--objectives",
                        "cifar10_valid_12:max,latency_ms:min",
                        "--device",
                        DEVICE,
                        "--budget",
                        Integer.toString(budget),
                        "--seed",
                        "3",
                        "--quiet",
                        "--out",
                        out.toString());
                ChildJvm accuracy = ChildJvm.start(
                        tmp,
                        "accuracy",
                        "node",
                        "--roles",
                        "evaluator",
                        "--slots",
                        "2",
                        "--eval-time",
                        "60ms",
                        "--port",
                        Integer.toString(base + 1),
                        "--seed-nodes",
                        "127.0.0.1:" + base);
                ChildJvm firstDevice = ChildJvm.start(tmp, "latency-1", latencyNode(base + 2, base, runner))) {
            Path csv = out.resolve("evaluations.csv");
            ChildJvm.await(() -> rowsSoFar(csv) >= 25, START, "the search did not get going");
            firstDevice.killNode(base + 2);
            int atKill = rowsSoFar(csv);
            try (ChildJvm secondDevice = ChildJvm.start(tmp, "latency-2", latencyNode(base + 3, base, runner))) {
                assertEquals(0, controller.awaitExit(Duration.ofSeconds(150)), controller.tail());
                assertTrue(atKill < budget, "the search ended before the latency node died; nothing was tested");

                JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
                assertEquals(budget, summary.get("evaluations").asInt(), summary.toString());
                assertEquals(0, summary.get("failed").asInt(), summary.toString());
                assertTrue(summary.get("front").size() > 0, summary.toString());
                assertTrue(summary.get("hypervolume").asDouble() > 0, summary.toString());
                assertTrue(Files.size(out.resolve("pareto.png")) > 0);

                List<Map<String, String>> rows = CliTest.readCsv(csv);
                assertEquals(budget, rows.size());
                Set<String> ids = new HashSet<>();
                long onSecond = 0;
                for (Map<String, String> row : rows) {
                    assertEquals("ok", row.get("status"), row.toString());
                    assertTrue(ids.add(row.get("candidate_id")), "candidate " + row.get("candidate_id") + " twice");
                    assertTrue(Double.parseDouble(row.get("latency_ms")) >= 2.5, row.toString());
                    assertTrue(!row.get("cifar10_valid_12").isEmpty(), row.toString());
                    assertTrue(
                            row.get("evaluator").contains("127.0.0.1:" + (base + 1) + "/evaluator-"), row.toString());
                    if (row.get("evaluator")
                            .contains("latency:" + DEVICE + "@archipelago@127.0.0.1:" + (base + 3) + "/")) {
                        onSecond++;
                    }
                }
                assertTrue(onSecond > 0, "the latency node that joined mid-search measured nothing");
                assertTrue(controller.log().contains("UNREACHABLE"), controller.tail());
            }
        }
    }
}
