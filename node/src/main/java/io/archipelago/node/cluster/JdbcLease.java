package io.archipelago.node.cluster;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.pekko.coordination.lease.LeaseException;
import org.apache.pekko.coordination.lease.LeaseSettings;
import org.apache.pekko.coordination.lease.LeaseTimeoutException;
import org.apache.pekko.coordination.lease.javadsl.Lease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Pekko {@link Lease} held as a row of the cluster's journal database: the arbiter the Split
 * Brain Resolver's {@code lease-majority} asks when the controller-role nodes split in two equal
 * halves (two nodes, one dead or cut off), which no count of members can decide.
 *
 * <p>A row {@code (name, owner, expires_at)} per lease; expiry is in the database's clock (read
 * in the same transaction), so nodes' clocks do not matter. Acquiring takes a missing or expired
 * row, or renews the owner's own; the holder renews it every {@code heartbeat-interval} for
 * {@code heartbeat-timeout}, so a holder that died frees the lease that long after its last
 * renewal. Two acquirers racing for the row: the primary key (insert) or the re-checked
 * condition (update) lets exactly one through. Blocking JDBC runs on the lease's own thread,
 * never on a dispatcher's.
 *
 * <p>Config ({@code lease-class} = this class): {@code url}, the JDBC URL with user and password.
 */
public final class JdbcLease extends Lease {
    static final String TABLE = "archipelago_lease";
    private static final Logger log = LoggerFactory.getLogger(JdbcLease.class);

    private final LeaseSettings settings;
    private final String url;
    private final long ttlMillis;
    private final ScheduledExecutorService worker;
    private volatile boolean held;
    private boolean tableReady; // on the worker thread only
    private volatile long heldUntilNanos;
    private ScheduledFuture<?> heartbeat; // on the worker thread only
    private Consumer<Optional<Throwable>> lostCallback; // on the worker thread only

    public JdbcLease(LeaseSettings settings) {
        this.settings = settings;
        this.url = settings.leaseConfig().getString("url");
        this.ttlMillis = settings.timeoutSettings().heartbeatTimeout().toMillis();
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jdbc-lease-" + settings.leaseName());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public LeaseSettings getSettings() {
        return settings;
    }

    @Override
    public CompletionStage<Boolean> acquire() {
        return acquire(lost -> {});
    }

    @Override
    public CompletionStage<Boolean> acquire(Consumer<Optional<Throwable>> leaseLostCallback) {
        return run("acquire", () -> {
            boolean got = take();
            if (got) {
                lostCallback = leaseLostCallback;
                startHeartbeat();
            }
            log.info("lease {} {} by {}", settings.leaseName(), got ? "acquired" : "held by another", owner());
            return got;
        });
    }

    @Override
    public CompletionStage<Boolean> release() {
        return run("release", () -> {
            stopHeartbeat();
            held = false;
            try (Connection c = connect();
                    PreparedStatement delete =
                            c.prepareStatement("DELETE FROM " + TABLE + " WHERE name = ? AND owner = ?")) {
                delete.setString(1, settings.leaseName());
                delete.setString(2, owner());
                boolean released = delete.executeUpdate() == 1;
                log.info("lease {} released by {}", settings.leaseName(), owner());
                return released;
            }
        });
    }

    @Override
    public boolean checkLease() {
        return held && System.nanoTime() < heldUntilNanos;
    }

    private String owner() {
        return settings.ownerName();
    }

    /** Takes the row if it is missing, expired or ours; true when we hold it now. */
    private boolean take() throws SQLException {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            long start = System.nanoTime();
            long now = databaseMillis(c);
            boolean got;
            try (PreparedStatement update = c.prepareStatement("UPDATE " + TABLE
                    + " SET owner = ?, expires_at = ? WHERE name = ? AND (owner = ? OR expires_at < ?)")) {
                update.setString(1, owner());
                update.setLong(2, now + ttlMillis);
                update.setString(3, settings.leaseName());
                update.setString(4, owner());
                update.setLong(5, now);
                got = update.executeUpdate() == 1;
            }
            if (!got && !exists(c)) {
                got = insert(c, now + ttlMillis);
            }
            if (got) {
                c.commit();
                held = true;
                heldUntilNanos = start + TimeUnit.MILLISECONDS.toNanos(ttlMillis);
            } else {
                c.rollback();
            }
            return got;
        }
    }

    private boolean exists(Connection c) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT 1 FROM " + TABLE + " WHERE name = ?")) {
            select.setString(1, settings.leaseName());
            try (ResultSet r = select.executeQuery()) {
                return r.next();
            }
        }
    }

    /** False when another acquirer inserted the row first (the primary key refused ours). */
    private boolean insert(Connection c, long expiresAt) throws SQLException {
        try (PreparedStatement insert =
                c.prepareStatement("INSERT INTO " + TABLE + " (name, owner, expires_at) VALUES (?, ?, ?)")) {
            insert.setString(1, settings.leaseName());
            insert.setString(2, owner());
            insert.setLong(3, expiresAt);
            insert.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) { // integrity constraint violation
                return false;
            }
            throw e;
        }
    }

    private static long databaseMillis(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT CURRENT_TIMESTAMP")) {
            r.next();
            return r.getTimestamp(1).getTime();
        }
    }

    private void startHeartbeat() {
        stopHeartbeat();
        long every = settings.timeoutSettings().heartbeatInterval().toMillis();
        heartbeat = worker.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    private void stopHeartbeat() {
        if (heartbeat != null) {
            heartbeat.cancel(false);
            heartbeat = null;
        }
    }

    /** Keeps the row ours; once it is another's, or out of reach past its expiry, the lease is lost. */
    private void renew() {
        Throwable cause = null;
        try {
            if (take()) {
                return;
            }
        } catch (SQLException e) {
            if (System.nanoTime() < heldUntilNanos) {
                log.warn("lease {}: renewal failed, retrying: {}", settings.leaseName(), e.getMessage());
                return;
            }
            cause = e;
        }
        held = false;
        stopHeartbeat();
        log.warn("lease {} lost by {}", settings.leaseName(), owner());
        lostCallback.accept(Optional.ofNullable(cause));
    }

    private interface Operation<T> {
        T run() throws SQLException;
    }

    /** Runs a blocking operation on the lease's thread, failing it after the operation timeout. */
    private <T> CompletionStage<T> run(String what, Operation<T> operation) {
        long timeoutMillis = settings.timeoutSettings().operationTimeout().toMillis();
        CompletableFuture<T> result = new CompletableFuture<>();
        worker.execute(() -> {
            try {
                result.complete(operation.run());
            } catch (SQLException | RuntimeException e) {
                result.completeExceptionally(new LeaseException(
                        "lease " + settings.leaseName() + ": " + what + " failed: " + e.getMessage()));
            }
        });
        return result.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
            if (cause instanceof TimeoutException) {
                return CompletableFuture.failedFuture(new LeaseTimeoutException(
                        "lease " + settings.leaseName() + ": " + what + " timed out after " + timeoutMillis + " ms"));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    private Connection connect() throws SQLException {
        DriverManager.setLoginTimeout(5);
        Connection c = DriverManager.getConnection(url);
        if (!tableReady) {
            createTable(c);
        }
        return c;
    }

    /**
     * Creates the lease table if it is missing. Nodes that start together may race: a concurrent
     * {@code CREATE TABLE IF NOT EXISTS} can still fail on PostgreSQL, so a failure is retried
     * once, by when the other's table exists.
     */
    private void createTable(Connection c) throws SQLException {
        String ddl = "CREATE TABLE IF NOT EXISTS " + TABLE
                + " (name VARCHAR(255) NOT NULL PRIMARY KEY, owner VARCHAR(1024) NOT NULL, expires_at BIGINT NOT NULL)";
        for (int attempt = 1; ; attempt++) {
            try (Statement s = c.createStatement()) {
                s.execute(ddl);
                tableReady = true;
                return;
            } catch (SQLException e) {
                if (attempt == 2) {
                    throw e;
                }
            }
        }
    }
}
