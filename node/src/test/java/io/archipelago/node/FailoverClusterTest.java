package io.archipelago.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.archipelago.node.journal.JournalReader;
import io.archipelago.node.journal.JournalSettings;
import io.archipelago.node.journal.SearchRecord;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.JournalEvent;
import io.archipelago.proto.ResultSource;
import io.archipelago.proto.ResultTold;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fail-over on a shared PostgreSQL journal, three controller-role nodes in their own JVMs: the
 * node that submitted the search and hosts its controller (the oldest), and two with evaluators
 * (three controller-role nodes, so that the two left after a death are the majority the Split
 * Brain Resolver keeps). kill -9 of the first: another takes the search over from the journal and
 * finishes it, nothing lost and nothing counted twice.
 */
@Tag("cluster")
class FailoverClusterTest {
    private static final int BUDGET = 160;

    @Test
    @Timeout(300)
    void anotherControllerNodeFinishesTheSearchWhenTheControllersNodeDies(@TempDir Path tmp) throws Exception {
        assumeTrue(
                JournalCliTest.POSTGRES != null,
                "ARCHIPELAGO_TEST_POSTGRES_URL is not set (scripts/test-postgres.sh start gives one)");
        String journal = JournalCliTest.POSTGRES;
        int base = ChildJvmPorts.freePorts(3);
        String seed = "127.0.0.1:" + base;
        Path dir = tmp.resolve("failover-" + UUID.randomUUID().toString().substring(0, 8));
        String searchId = dir.getFileName() + "-evolution-3";
        try (ChildJvm first = ChildJvm.start(
                        tmp,
                        "first",
                        "search",
                        "--cluster",
                        "--journal",
                        journal,
                        "--port",
                        Integer.toString(base),
                        "--transport",
                        "tcp",
                        "--budget",
                        Integer.toString(BUDGET),
                        "--seed",
                        "3",
                        "--min-evaluators",
                        "4",
                        "--out",
                        dir.toString(),
                        "--quiet");
                ChildJvm second = ChildJvm.start(
                        tmp,
                        "second",
                        "node",
                        "--roles",
                        "controller,evaluator",
                        "--journal",
                        journal,
                        "--slots",
                        "2",
                        "--eval-time",
                        "150ms",
                        "--port",
                        Integer.toString(base + 1),
                        "--seed-nodes",
                        seed,
                        "--transport",
                        "tcp");
                ChildJvm third = ChildJvm.start(
                        tmp,
                        "third",
                        "node",
                        "--roles",
                        "controller,evaluator",
                        "--journal",
                        journal,
                        "--slots",
                        "2",
                        "--eval-time",
                        "150ms",
                        "--port",
                        Integer.toString(base + 2),
                        "--seed-nodes",
                        seed,
                        "--transport",
                        "tcp")) {
            ChildJvm.await(
                    () -> evaluations(journal, searchId) >= 40,
                    Duration.ofSeconds(120),
                    "the search did not get going: " + first.tail() + second.tail());
            first.killNode(base);
            long killedAt = System.currentTimeMillis();
            ChildJvm.await(
                    () -> record(journal, searchId).map(SearchRecord::finished).orElse(false),
                    Duration.ofSeconds(150),
                    "the search did not finish after its controller's node died: " + second.tail());

            List<JournalReader.Timed> events;
            try (JournalReader reader = JournalReader.open(JournalSettings.parse(journal))) {
                events = reader.events(searchId);
            }
            long resumedAt = events.stream()
                    .map(JournalReader.Timed::event)
                    .filter(JournalEvent::hasResumed)
                    .mapToLong(e -> e.getResumed().getResumedAtMs())
                    .findFirst()
                    .orElseThrow();
            System.out.printf(
                    "fail-over: the search resumed %d ms after kill -9 of its controller's node%n",
                    resumedAt - killedAt);
            assertTrue(resumedAt - killedAt < 30_000, "resumed " + (resumedAt - killedAt) + " ms after the kill");
            String takenOverBy = events.stream()
                    .map(JournalReader.Timed::event)
                    .filter(JournalEvent::hasResumed)
                    .findFirst()
                    .orElseThrow()
                    .getResumed()
                    .getController();
            assertTrue(
                    takenOverBy.endsWith(":" + (base + 1)) || takenOverBy.endsWith(":" + (base + 2)),
                    "a surviving node took over: " + takenOverBy);

            SearchRecord record = record(journal, searchId).orElseThrow();
            assertEquals(BUDGET, record.evaluations(), record.stopReason());
            Set<Long> ok = new HashSet<>();
            for (ResultTold told : record.told()) {
                if (told.getSource() == ResultSource.RESULT_SOURCE_EVALUATED
                        && told.getResult().getStatus() == EvaluationStatus.EVALUATION_STATUS_OK) {
                    assertTrue(
                            ok.add(told.getResult().getCandidateId()),
                            "candidate " + told.getResult().getCandidateId() + " told twice");
                }
            }
            assertEquals(BUDGET, ok.size());
            second.terminate();
            third.terminate();
            second.awaitExit(Duration.ofSeconds(60));
            third.awaitExit(Duration.ofSeconds(60));
        }
    }

    /**
     * The search host runs the search on another node and the submitting command writes the files
     * from the journal: the summary's slots and utilization are the run's, journaled with its end.
     */
    @Test
    @Timeout(180)
    void aSearchRunOnTheSearchHostReportsTheSlotsItUsed(@TempDir Path tmp) throws Exception {
        assumeTrue(
                JournalCliTest.POSTGRES != null,
                "ARCHIPELAGO_TEST_POSTGRES_URL is not set (scripts/test-postgres.sh start gives one)");
        String journal = JournalCliTest.POSTGRES;
        int base = ChildJvmPorts.freePorts(2);
        Path dir = tmp.resolve("hosted-" + UUID.randomUUID().toString().substring(0, 8));
        try (ChildJvm host = ChildJvm.start(
                        tmp,
                        "host",
                        "node",
                        "--roles",
                        "controller,evaluator",
                        "--journal",
                        journal,
                        "--slots",
                        "2",
                        "--eval-time",
                        "50ms",
                        "--port",
                        Integer.toString(base),
                        "--transport",
                        "tcp");
                ChildJvm submitter = ChildJvm.start(
                        tmp,
                        "submitter",
                        "search",
                        "--cluster",
                        "--journal",
                        journal,
                        "--port",
                        Integer.toString(base + 1),
                        "--seed-nodes",
                        "127.0.0.1:" + base,
                        "--transport",
                        "tcp",
                        "--budget",
                        "40",
                        "--min-evaluators",
                        "2",
                        "--out",
                        dir.toString(),
                        "--quiet")) {
            assertEquals(0, submitter.awaitExit(Duration.ofSeconds(150)), submitter.tail());
            com.fasterxml.jackson.databind.JsonNode summary = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(dir.resolve(SearchCommand.SUMMARY).toFile());
            assertEquals(40, summary.get("evaluations").asInt(), summary.toString());
            assertEquals(2, summary.get("slots").asInt(), summary.toString());
            double utilization = summary.get("utilization").asDouble();
            assertTrue(utilization > 0.3 && utilization <= 1.0, summary.toString());
            host.terminate();
            host.awaitExit(Duration.ofSeconds(60));
        }
    }

    static Optional<SearchRecord> record(String journal, String searchId) {
        try (JournalReader reader = JournalReader.open(JournalSettings.parse(journal))) {
            return reader.search(searchId);
        } catch (RuntimeException notYet) {
            return Optional.empty(); // e.g. the tables are being created
        }
    }

    static int evaluations(String journal, String searchId) {
        return record(journal, searchId).map(SearchRecord::evaluations).orElse(0);
    }
}
