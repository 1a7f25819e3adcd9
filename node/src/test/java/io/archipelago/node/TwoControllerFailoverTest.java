package io.archipelago.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.archipelago.node.journal.SearchRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two controller-role nodes sharing a PostgreSQL journal, both given the cluster's config file
 * that names it: kill -9 of the one running the search leaves one controller of two, a tie no
 * member count breaks (keep-majority would down the survivor half the time, here always: the
 * dead node has the lower address). The Split Brain Resolver's lease in the journal's database
 * decides: the survivor takes the lease, downs the dead node, takes the search over and finishes it.
 */
@Tag("cluster")
class TwoControllerFailoverTest {
    private static final int BUDGET = 120;

    @Test
    @Timeout(300)
    void theSurvivorOfTwoControllersTakesTheLeaseAndFinishesTheSearch(@TempDir Path tmp) throws Exception {
        assumeTrue(
                JournalCliTest.POSTGRES != null,
                "ARCHIPELAGO_TEST_POSTGRES_URL is not set (scripts/test-postgres.sh start gives one)");
        String journal = JournalCliTest.POSTGRES;
        Path config = tmp.resolve("cluster.conf");
        Files.writeString(config, "archipelago.journal.url = \"" + journal + "\"\n");
        int base = ChildJvmPorts.freePorts(2);
        Path dir = tmp.resolve("two-" + UUID.randomUUID().toString().substring(0, 8));
        String searchId = dir.getFileName() + "-evolution-3";
        try (ChildJvm first = ChildJvm.start(
                        tmp,
                        "first",
                        "search",
                        "--cluster",
                        "--cluster-config",
                        config.toString(),
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
                        "2",
                        "--out",
                        dir.toString(),
                        "--quiet");
                ChildJvm second = ChildJvm.start(
                        tmp,
                        "second",
                        "node",
                        "--roles",
                        "controller,evaluator",
                        "--cluster-config",
                        config.toString(),
                        "--slots",
                        "2",
                        "--eval-time",
                        "150ms",
                        "--port",
                        Integer.toString(base + 1),
                        "--seed-nodes",
                        "127.0.0.1:" + base,
                        "--transport",
                        "tcp")) {
            ChildJvm.await(
                    () -> FailoverClusterTest.evaluations(journal, searchId) >= 30,
                    Duration.ofSeconds(120),
                    "the search did not get going: " + first.tail() + second.tail());
            first.killNode(base);
            ChildJvm.await(
                    () -> FailoverClusterTest.record(journal, searchId)
                            .map(SearchRecord::finished)
                            .orElse(false),
                    Duration.ofSeconds(150),
                    "the search did not finish after its controller's node died: " + second.tail());
            SearchRecord record = FailoverClusterTest.record(journal, searchId).orElseThrow();
            assertEquals(BUDGET, record.evaluations(), record.stopReason());
            assertTrue(second.log().contains("strategy [LeaseMajority]"), second.tail());
            assertTrue(
                    second.log().contains("SBR acquired lease for decision [AcquireLeaseAndDownUnreachable"),
                    "the survivor took the lease and downed the dead node: " + second.tail());
            second.terminate();
            second.awaitExit(Duration.ofSeconds(60));
        }
    }
}
