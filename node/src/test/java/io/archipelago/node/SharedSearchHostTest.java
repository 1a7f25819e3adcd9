package io.archipelago.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.archipelago.node.cluster.ClusterOptions;
import io.archipelago.node.engine.ClientMember;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.host.HostClient;
import io.archipelago.node.journal.SearchRecord;
import io.archipelago.proto.LiveSearch;
import io.archipelago.proto.SearchesListed;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many searches, one cluster: searches submitted with {@code --detach} run side by side on the
 * cluster's search host and share its 4 evaluator slots by their {@code --share}; {@code runs
 * list --seed-nodes} shows them; {@code runs cancel} ends one cleanly. The in-flight counts are
 * sampled from this JVM as a member without roles, as {@code runs list --seed-nodes} asks them.
 */
@Tag("cluster")
class SharedSearchHostTest {
    private static final int SLOTS = 4;
    /** At 150 ms an evaluation, 3 of 4 slots take the heavy search ~30 s; the light one has work waiting all along. */
    private static final int HEAVY_BUDGET = 600;

    private static final int LIGHT_BUDGET = 300;

    @Test
    @Timeout(300)
    void detachedSearchesShareTheSlotsByWeightAndACancelEndsOneCleanly(@TempDir Path tmp) throws Exception {
        assumeTrue(
                JournalCliTest.POSTGRES != null,
                "ARCHIPELAGO_TEST_POSTGRES_URL is not set (scripts/test-postgres.sh start gives one)");
        String journal = JournalCliTest.POSTGRES;
        int base = ChildJvmPorts.freePorts(1);
        String seed = "127.0.0.1:" + base;
        String tag = UUID.randomUUID().toString().substring(0, 8);
        try (ChildJvm node = ChildJvm.start(
                tmp,
                "node",
                "node",
                "--roles",
                "controller,evaluator",
                "--journal",
                journal,
                "--slots",
                Integer.toString(SLOTS),
                "--eval-time",
                "150ms",
                "--port",
                Integer.toString(base),
                "--transport",
                "tcp")) {
            node.awaitLog("is up", Duration.ofSeconds(60));
            // Submitted together, so that both have candidates waiting for most of their runs.
            ChildJvm heavySubmit = detach(tmp, tag + "-heavy", seed, journal, 3, HEAVY_BUDGET);
            ChildJvm lightSubmit = detach(tmp, tag + "-light", seed, journal, 1, LIGHT_BUDGET);
            String heavy = submitted(heavySubmit);
            String light = submitted(lightSubmit);

            ClusterOptions client = new ClusterOptions();
            client.transport = "tcp";
            client.seedNodes = seed;
            client.host = "127.0.0.1";
            List<int[]> bothWaiting = new ArrayList<>(); // {heavy running, light running}
            int mostInFlight = 0;
            try (Engine member = ClientMember.join(client, Duration.ofSeconds(30))) {
                HostClient host = HostClient.of(member.system());
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (System.nanoTime() < deadline) {
                    SearchesListed listed = host.list(Duration.ofSeconds(10))
                            .toCompletableFuture()
                            .get();
                    Map<String, LiveSearch> live = new HashMap<>();
                    listed.getSearchesList().forEach(s -> live.put(s.getSearchId(), s));
                    int inFlight = live.values().stream()
                            .mapToInt(LiveSearch::getRunning)
                            .sum();
                    mostInFlight = Math.max(mostInFlight, inFlight);
                    LiveSearch h = live.get(heavy);
                    LiveSearch l = live.get(light);
                    if (h != null && l != null && h.getWaiting() > 0 && l.getWaiting() > 0) {
                        bothWaiting.add(new int[] {h.getRunning(), l.getRunning()});
                    }
                    if (finished(journal, heavy) && finished(journal, light)) {
                        break;
                    }
                    Thread.sleep(50);
                }
            }
            double heavyMean =
                    bothWaiting.stream().mapToInt(s -> s[0]).average().orElse(Double.NaN);
            double lightMean =
                    bothWaiting.stream().mapToInt(s -> s[1]).average().orElse(Double.NaN);
            System.out.printf(
                    Locale.ROOT,
                    "shares 3:1 on %d slots: %d samples while both waited, in flight %.2f and %.2f; at most %d in all%n",
                    SLOTS,
                    bothWaiting.size(),
                    heavyMean,
                    lightMean,
                    mostInFlight);
            assertTrue(bothWaiting.size() >= 10, "too few samples while both waited: " + bothWaiting.size());
            assertEquals(3.0, heavyMean, 0.5, "the heavy search's mean in-flight count");
            assertEquals(1.0, lightMean, 0.5, "the light search's mean in-flight count");
            assertTrue(mostInFlight <= SLOTS, "at most " + SLOTS + " in flight, saw " + mostInFlight);
            assertEquals(HEAVY_BUDGET, record(journal, heavy).evaluations());
            assertEquals(LIGHT_BUDGET, record(journal, light).evaluations());

            // A third search, cancelled while it runs, ends cleanly with its end journaled.
            String doomed = submitted(detach(tmp, tag + "-doomed", seed, journal, 1, 100_000));
            ChildJvm.await(
                    () -> FailoverClusterTest.evaluations(journal, doomed) >= 20,
                    Duration.ofSeconds(60),
                    "the third search did not get going: " + node.tail());
            try (ChildJvm listing =
                    ChildJvm.start(tmp, "list", "runs", "list", "--seed-nodes", seed, "--transport", "tcp", "--json")) {
                assertEquals(0, listing.awaitExit(Duration.ofSeconds(90)), listing.tail());
                assertTrue(listing.log().contains("\"search_id\" : \"" + doomed + "\""), listing.tail());
            }
            try (ChildJvm cancel = ChildJvm.start(
                    tmp, "cancel", "runs", "cancel", doomed, "--seed-nodes", seed, "--transport", "tcp")) {
                assertEquals(0, cancel.awaitExit(Duration.ofSeconds(90)), cancel.tail());
                assertTrue(cancel.log().contains("search " + doomed + " ended: cancelled"), cancel.tail());
            }
            SearchRecord cancelled = record(journal, doomed);
            assertTrue(cancelled.finished(), "the cancel is journaled");
            assertTrue(cancelled.stopReason().startsWith("cancelled"), cancelled.stopReason());
            assertTrue(cancelled.evaluations() < 100_000, "it stopped before its budget");
            node.terminate();
            node.awaitExit(Duration.ofSeconds(60));
        }
    }

    /** {@code search --cluster --detach}, started: it exits once the host runs the search, printing its id. */
    private static ChildJvm detach(Path tmp, String name, String seed, String journal, int share, int budget)
            throws Exception {
        return ChildJvm.start(
                tmp,
                name,
                "search",
                "--cluster",
                "--detach",
                "--journal",
                journal,
                "--seed-nodes",
                seed,
                "--transport",
                "tcp",
                "--share",
                Integer.toString(share),
                "--budget",
                Integer.toString(budget),
                "--strategy",
                "random",
                "--min-evaluators",
                Integer.toString(SLOTS),
                "--out",
                tmp.resolve(name).toString());
    }

    /** The detached submission's search id, once it has exited. */
    private static String submitted(ChildJvm submit) throws Exception {
        try (submit) {
            assertEquals(0, submit.awaitExit(Duration.ofSeconds(90)), submit.tail());
            String id = submit.name + "-random-0";
            assertTrue(submit.log().lines().anyMatch(id::equals), "prints the search id alone: " + submit.tail());
            return id;
        }
    }

    private static boolean finished(String journal, String searchId) {
        return FailoverClusterTest.record(journal, searchId)
                .map(SearchRecord::finished)
                .orElse(false);
    }

    private static SearchRecord record(String journal, String searchId) {
        return FailoverClusterTest.record(journal, searchId).orElseThrow();
    }
}
