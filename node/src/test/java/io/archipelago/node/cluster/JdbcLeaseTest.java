package io.archipelago.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.coordination.lease.LeaseSettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Split Brain Resolver's lease on a database row: one owner at a time, the owner may renew,
 * a dead owner's lease expires, racing acquirers get it exactly once, and an owner whose row was
 * taken learns it has lost the lease. On H2 always, on PostgreSQL when the tests have one.
 */
class JdbcLeaseTest {

    static Stream<String> databases() {
        String postgres = System.getenv("ARCHIPELAGO_TEST_POSTGRES_URL");
        String h2 = "jdbc:h2:mem:lease-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        return postgres == null || postgres.isBlank() ? Stream.of(h2) : Stream.of(h2, postgres);
    }

    private static JdbcLease lease(String url, String name, String owner, Duration ttl, Duration heartbeat) {
        var config = ConfigFactory.parseMap(Map.of(
                "lease-class",
                JdbcLease.class.getName(),
                "heartbeat-timeout",
                ttl.toMillis() + "ms",
                "heartbeat-interval",
                heartbeat.toMillis() + "ms",
                "lease-operation-timeout",
                "5s",
                "url",
                url));
        return new JdbcLease(LeaseSettings.apply(config, name, owner));
    }

    private static boolean get(java.util.concurrent.CompletionStage<Boolean> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void oneOwnerAtATimeUntilItReleases(String url) throws Exception {
        String name = "sbr-" + UUID.randomUUID();
        Duration minute = Duration.ofMinutes(1);
        JdbcLease a = lease(url, name, "a", minute, Duration.ofSeconds(10));
        JdbcLease b = lease(url, name, "b", minute, Duration.ofSeconds(10));
        assertTrue(get(a.acquire()));
        assertTrue(a.checkLease());
        assertTrue(get(a.acquire()), "the owner may take it again");
        assertFalse(get(b.acquire()), "another owner may not");
        assertFalse(b.checkLease());
        assertTrue(get(a.release()));
        assertFalse(a.checkLease());
        assertTrue(get(b.acquire()));
        assertFalse(get(a.acquire()));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aHolderKeepsItsLeaseBeyondItsTimeoutByRenewingIt(String url) throws Exception {
        String name = "sbr-" + UUID.randomUUID();
        JdbcLease a = lease(url, name, "a", Duration.ofMillis(1000), Duration.ofMillis(200));
        JdbcLease b = lease(url, name, "b", Duration.ofMinutes(1), Duration.ofSeconds(10));
        assertTrue(get(a.acquire()));
        Thread.sleep(1600);
        assertTrue(a.checkLease());
        assertFalse(get(b.acquire()));
        assertTrue(get(a.release()));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void anExpiredLeaseGoesToWhoeverAsksAndItsHolderLearnsItLostIt(String url) throws Exception {
        String name = "sbr-" + UUID.randomUUID();
        // a's first renewal comes 1.4 s after it acquired: long after b takes the row
        JdbcLease a = lease(url, name, "a", Duration.ofSeconds(3), Duration.ofMillis(1400));
        JdbcLease b = lease(url, name, "b", Duration.ofMinutes(1), Duration.ofSeconds(10));
        CountDownLatch lost = new CountDownLatch(1);
        assertTrue(get(a.acquire(cause -> lost.countDown())));
        // As if a had stopped renewing long ago (a paused or partitioned holder):
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement expire =
                        c.prepareStatement("UPDATE " + JdbcLease.TABLE + " SET expires_at = 0 WHERE name = ?")) {
            expire.setString(1, name);
            assertEquals(1, expire.executeUpdate());
        }
        assertTrue(get(b.acquire()), "an expired lease goes to whoever asks");
        assertTrue(lost.await(10, TimeUnit.SECONDS), "a's next renewal finds the row taken");
        assertFalse(a.checkLease());
        assertFalse(get(a.acquire()));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void racingAcquirersGetItExactlyOnce(String url) throws Exception {
        String name = "sbr-" + UUID.randomUUID();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Boolean>> tries = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                JdbcLease l = lease(url, name, "owner-" + i, Duration.ofMinutes(1), Duration.ofSeconds(10));
                tries.add(pool.submit(() -> get(l.acquire())));
            }
            int won = 0;
            for (Future<Boolean> t : tries) {
                won += t.get(20, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertEquals(1, won);
        } finally {
            pool.shutdownNow();
        }
    }
}
