package io.archipelago.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.table.BenchmarkTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code search --scheduler}: evaluations stopped early, with the tabular evaluator and with a runner. */
class SchedulerCliTest {

    @Test
    @Timeout(120)
    void ashaOnTheTablesFidelitiesStopsCandidatesAtTheFirstRungWithThatRungsValues(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        CliTest.Run run = CliTest.run(
                "search",
                "--metric",
                "cifar10_test_200",
                "--scheduler",
                "asha",
                "--rungs",
                "12,200",
                "--eta",
                "3",
                "--strategy",
                "random",
                "--eval-time",
                "20ms",
                "--slots",
                "3",
                "--budget",
                "30",
                "--seed",
                "6",
                "--quiet",
                "--out",
                dir.toString());
        assertEquals(0, run.exit(), run.err());
        List<ObjectNode> rows = WorkerSearch.rows(dir.resolve(SearchCommand.EVALUATIONS));
        assertEquals(30, rows.size());
        BenchmarkTable<Nb201Cell> table = BenchmarkTable.embeddedNb201Cifar10();
        int stopped = 0;
        for (ObjectNode row : rows) {
            assertEquals("ok", row.get("status").asText(), row.toString());
            int steps = row.get("steps").asInt();
            Map<String, Double> truth = table.metricsOf(
                            Nb201Space.INSTANCE.parse(row.get("arch").asText()))
                    .orElseThrow();
            double reported = row.get("cifar10_test_200").asDouble();
            if (steps == 12) {
                stopped++;
                assertEquals(truth.get("cifar10_test_12"), reported, 1e-9, "a stopped row reports its rung's value");
            } else {
                assertEquals(200, steps, row.toString());
                assertEquals(truth.get("cifar10_test_200"), reported, 1e-9);
            }
        }
        // with eta 3 most candidates stop at the first rung, but not all: the first ones have nobody to lose to
        assertTrue(stopped >= 10 && stopped < 30, "stopped at rung 12: " + stopped);
    }

    /** Three epochs of 0.15 s; the score rises with the epoch, by a level set by the candidate's checksum. */
    private static final String RUNNER = """
            #!/bin/sh
            read -r request
            n=$(printf '%s' "$request" | cksum | cut -d' ' -f1)
            level=$((n % 50))
            for epoch in 1 2 3; do
              sleep 0.5
              echo "{\\"step\\": $epoch, \\"metrics\\": {\\"score\\": $((level + epoch))}}"
            done
            echo "{\\"metrics\\": {\\"score\\": $((level + 3))}}"
            """;

    @Test
    @Timeout(120)
    void ashaStopsARunnersCandidatesAtARungAndKillsTheirProcesses(@TempDir Path tmp) throws Exception {
        Path runner = Files.writeString(tmp.resolve("runner.sh"), RUNNER);
        Files.setPosixFilePermissions(runner, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = tmp.resolve("run");
        CliTest.Run run = CliTest.run(
                "search",
                "--evaluator",
                "runner:" + runner,
                "--metric",
                "score:max",
                "--scheduler",
                "asha",
                "--rungs",
                "1,3",
                "--eta",
                "2",
                "--strategy",
                "random",
                "--slots",
                "2",
                "--budget",
                "12",
                "--seed",
                "1",
                "--quiet",
                "--out",
                dir.toString());
        assertEquals(0, run.exit(), run.err());
        List<ObjectNode> rows = WorkerSearch.rows(dir.resolve(SearchCommand.EVALUATIONS));
        assertEquals(12, rows.size());
        // the decision is asynchronous: the runner may print its next step before the stop reaches it
        long stopped = rows.stream().filter(r -> r.get("steps").asInt() < 3).count();
        assertTrue(stopped >= 2 && stopped < 12, rows.toString());
        for (ObjectNode row : rows) {
            assertEquals("ok", row.get("status").asText(), row.toString());
            int steps = row.get("steps").asInt();
            assertTrue(steps >= 1 && steps <= 3, row.toString());
            if (steps < 3) {
                // killed there: it never slept through its third epoch (0.5 s each; a loaded machine's delays are
                // well under the epoch it saved)
                assertTrue(row.get("seconds").asDouble() < 3 * 0.5, row.toString());
            }
        }
    }

    @Test
    void aSchedulerWithoutWhatItNeedsIsRefusedNamingTheOption(@TempDir Path tmp) {
        CliTest.Run noRungs = CliTest.run(
                "search",
                "--scheduler",
                "asha",
                "--budget",
                "2",
                "--out",
                tmp.resolve("a").toString());
        assertEquals(2, noRungs.exit());
        assertTrue(noRungs.err().contains("--scheduler asha needs --rungs"), noRungs.err());
        CliTest.Run wrongRungs = CliTest.run(
                "search",
                "--metric",
                "cifar10_test_200",
                "--scheduler",
                "asha",
                "--rungs",
                "1,3",
                "--budget",
                "2",
                "--out",
                tmp.resolve("b").toString());
        assertEquals(2, wrongRungs.exit());
        assertTrue(wrongRungs.err().contains("its table's fidelities"), wrongRungs.err());
    }
}
