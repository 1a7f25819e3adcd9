package io.archipelago.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code search --evaluator runner:CMD}: a user's program per candidate, including the ones that misbehave. */
class RunnerCliTest {
    /**
     * By the candidate's checksum: exits 1, hangs, prints a broken protocol line, or reports a
     * learning curve and a score.
     */
    private static final String RUNNER = """
            #!/bin/sh
            read -r request
            n=$(printf '%s' "$request" | cksum | cut -d' ' -f1)
            case $((n % 4)) in
              0) echo "out of memory" >&2; exit 1 ;;
              1) sleep 60 ;;
              2) echo '{"metrics": oops}' ;;
              3) echo "training..."
                 echo "{\\"step\\": 1, \\"metrics\\": {\\"score\\": 1}}"
                 echo "{\\"metrics\\": {\\"score\\": $((n % 100)), \\"params\\": 7}}" ;;
            esac
            """;

    @Test
    @Timeout(120)
    void failingHangingAndGarbledRunnersGiveFailedRowsWithReasonsAndTheSearchCompletes(@TempDir Path tmp)
            throws Exception {
        Path runner = tmp.resolve("runner.sh");
        Files.writeString(runner, RUNNER);
        Files.setPosixFilePermissions(runner, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = tmp.resolve("run");
        CliTest.Run run = CliTest.run(
                "search",
                "--evaluator",
                "runner:" + runner,
                "--metric",
                "score:max",
                "--strategy",
                "random",
                "--budget",
                "16",
                "--seed",
                "2",
                "--slots",
                "4",
                "--eval-timeout",
                "2",
                "--max-attempts",
                "1",
                "--quiet",
                "--out",
                dir.toString());
        assertEquals(0, run.exit(), run.err());

        List<ObjectNode> rows = WorkerSearch.rows(dir.resolve(SearchCommand.EVALUATIONS));
        assertEquals(16, rows.size());
        int ok = 0;
        boolean exited = false;
        boolean hung = false;
        boolean garbled = false;
        for (ObjectNode row : rows) {
            String reason = row.get("failure_reason").asText();
            if (row.get("status").asText().equals("ok")) {
                ok++;
                assertTrue(row.get("score").asDouble() >= 0, row.toString());
                continue;
            }
            exited |= reason.contains("exited with code 1") && reason.contains("out of memory");
            hung |= reason.contains("timed out");
            garbled |= reason.contains("JSON");
        }
        assertTrue(ok > 0 && exited && hung && garbled, rows.toString());
        JsonNode summary =
                new ObjectMapper().readTree(dir.resolve(SearchCommand.SUMMARY).toFile());
        assertEquals(16, summary.get("evaluations").asInt());
        assertEquals(16 - ok, summary.get("failed").asInt());
        assertEquals("runner", summary.get("evaluator").asText());
    }

    @Test
    void aSearchOnAnExternalEvaluatorMustNameItsMetric(@TempDir Path tmp) {
        CliTest.Run run = CliTest.run(
                "search",
                "--evaluator",
                "runner:/bin/true",
                "--budget",
                "2",
                "--out",
                tmp.resolve("r").toString());
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("--metric NAME:max"), run.err());
        assertTrue(run.err().strip().lines().count() == 1, run.err());
    }
}
