package io.archipelago.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.node.JournalCliTest.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal that cannot be opened ends the command at once with one line; a database that
 * restarts mid-search (PostgreSQL stopped for 5 s, then started again, by
 * {@code scripts/test-postgres.sh restart}) costs the search nothing: it finishes, and the journal
 * holds every evaluation once.
 */
class JournalOutageCliTest {

    @Test
    @Timeout(60)
    void aJournalThatCannotBeOpenedEndsTheSearchWithinSecondsNamingWhy(@TempDir Path tmp) {
        Path dir = tmp.resolve("run");
        for (String journal : new String[] {
            "jdbc:postgresql://127.0.0.1:1/none?user=u&password=secret", "jdbc:h2:file:/proc/none/journal"
        }) {
            long start = System.nanoTime();
            Result result = JournalCliTest.run(
                    "search", "--budget", "20", "--quiet", "--out", dir.toString(), "--journal", journal);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(Main.USAGE, result.exit(), result.err());
            assertEquals(1, result.err().strip().lines().count(), "one line: " + result.err());
            assertTrue(result.err().contains("cannot open the journal"), result.err());
            assertFalse(result.err().contains("secret"), "the password is masked: " + result.err());
            assertTrue(seconds < 10, "took " + seconds + " s");
            assertFalse(Files.exists(dir), "nothing of the run was written");
        }
    }

    @Test
    @Timeout(180)
    void aSearchOutlivesADatabaseRestartAndItsJournalHoldsEveryEvaluationOnce(@TempDir Path tmp) throws Exception {
        assumeTrue(
                JournalCliTest.POSTGRES != null,
                "ARCHIPELAGO_TEST_POSTGRES_URL is not set (scripts/test-postgres.sh start gives one)");
        Path dir = tmp.resolve(
                "outage-" + java.util.UUID.randomUUID()); // the search id: a shared database keeps every run
        int budget = 400; // 4 slots of 100 ms: about 10 s, so the restart falls mid-search
        CompletableFuture<Result> search = CompletableFuture.supplyAsync(() -> JournalCliTest.run(
                "search",
                "--budget",
                String.valueOf(budget),
                "--slots",
                "4",
                "--eval-time",
                "100ms",
                "--seed",
                "5",
                "--quiet",
                "--out",
                dir.toString(),
                "--journal",
                JournalCliTest.POSTGRES,
                "--journal-retry",
                "60"));
        Path csv = dir.resolve(SearchCommand.EVALUATIONS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((!Files.exists(csv)
                        || Files.readAllLines(csv, StandardCharsets.UTF_8).size() < 40)
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Process restart = new ProcessBuilder("scripts/test-postgres.sh", "restart", "5")
                .directory(repositoryRoot().toFile())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("restart.log").toFile())
                .start();
        assertTrue(
                restart.waitFor(90, TimeUnit.SECONDS) && restart.exitValue() == 0,
                Files.readString(tmp.resolve("restart.log")));
        assertFalse(
                search.isDone(), "the search should still run when the database is back: it proves nothing otherwise");

        Result result = search.get(120, TimeUnit.SECONDS);
        assertEquals(0, result.exit(), result.err());
        JsonNode summary =
                new ObjectMapper().readTree(dir.resolve(SearchCommand.SUMMARY).toFile());
        assertEquals(budget, summary.get("evaluations").asInt());

        String searchId = new ObjectMapper()
                .readTree(dir.resolve(SearchCommand.RUN).toFile())
                .get("search_id")
                .asText();
        Result shown = JournalCliTest.run("runs", "show", searchId, "--journal", JournalCliTest.POSTGRES, "--json");
        assertEquals(0, shown.exit(), shown.err());
        JsonNode record = new ObjectMapper().readTree(shown.out());
        assertEquals("finished", record.get("state").asText(), record.toString());
        assertEquals(budget, record.get("evaluations").asInt(), "every evaluation is in the journal, once: " + record);
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.exists(dir.resolve("scripts/test-postgres.sh"))) {
            dir = dir.getParent();
        }
        return dir;
    }
}
