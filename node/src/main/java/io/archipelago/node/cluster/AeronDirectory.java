package io.archipelago.node.cluster;

import io.aeron.CommonContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The embedded Aeron media driver's directory of one node. Each node gets its own, named after
 * its port: a shared one would make a restarted node wait for the dead driver's liveness timeout
 * (~20 s, {@code ActiveDriverException}). A node killed with {@code kill -9} leaves its directory
 * (~200 MB of buffers) behind; the next node on the same port deletes it, once it has checked that
 * the port is free, i.e. that no live node owns the directory. A killed node that had a one-off
 * directory (port 0) has no successor on its port: every node's start sweeps those of any dead
 * driver ({@link #sweepStale}), so days of kills do not fill /dev/shm.
 */
public final class AeronDirectory {
    private static final Path SHM = Path.of("/dev/shm");
    private static final String PREFIX = "archipelago-aeron-";

    private AeronDirectory() {}

    /** A directory younger than this may belong to a driver still starting (no heartbeat yet). */
    static final Duration STARTING = Duration.ofSeconds(60);

    /**
     * A driver whose heartbeat is older than this is dead. Aeron's clients give their driver up after
     * 10 s; six times that leaves a node paused by its machine (a stalled VM, a long GC) alone.
     */
    static final long DRIVER_TIMEOUT_MS = 60_000;

    /** Prepares and returns the directory for a node on {@code host:port} (0: a one-off directory). */
    public static Path prepare(String host, int port) {
        sweepStale(forPort(0).getParent());
        if (port == 0) {
            return forPort(0).resolveSibling(PREFIX + UUID.randomUUID());
        }
        checkPortFree(host, port);
        Path dir = forPort(port);
        if (Files.exists(dir)) {
            deleteRecursively(dir); // left by a node on this port that did not exit cleanly
        }
        return dir;
    }

    private static void checkPortFree(String host, int port) {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(host, port))) {
            socket.setReuseAddress(false);
        } catch (SocketException e) {
            throw new IllegalArgumentException("--port " + port + " on " + host + " is not free for UDP ("
                    + e.getMessage() + "); is another node running there?");
        }
    }

    /**
     * Deletes a node's directory once its media driver has stopped (the node's actor system has
     * terminated), so a node that exits leaves no buffers in /dev/shm; quietly does nothing if it is
     * already gone.
     */
    public static void release(Path dir) {
        if (dir != null && Files.exists(dir)) {
            deleteRecursively(dir);
        }
    }

    /**
     * Deletes the Archipelago Aeron directories under {@code base} whose media driver is dead: no
     * heartbeat in its CnC file for {@link #DRIVER_TIMEOUT_MS} (or no CnC file at all), and the
     * directory older than {@link #STARTING}, so a node that is just starting keeps its own. A
     * directory that cannot be read or deleted is left alone: sweeping is housekeeping, never a
     * reason for a node not to start.
     *
     * @return the directories deleted
     */
    public static java.util.List<Path> sweepStale(Path base) {
        java.util.List<Path> deleted = new java.util.ArrayList<>();
        if (!Files.isDirectory(base)) {
            return deleted;
        }
        try (Stream<Path> dirs = Files.list(base)) {
            for (Path dir :
                    (Iterable<Path>) dirs.filter(d -> d.getFileName().toString().startsWith(PREFIX))::iterator) {
                try {
                    Instant modified = Files.getLastModifiedTime(dir).toInstant();
                    if (Files.isDirectory(dir)
                            && modified.isBefore(Instant.now().minus(STARTING))
                            && !CommonContext.isDriverActive(dir.toFile(), DRIVER_TIMEOUT_MS, message -> {})) {
                        deleteRecursively(dir);
                        deleted.add(dir);
                    }
                } catch (IOException | RuntimeException e) {
                    // another node's, being deleted or written right now: leave it to the next sweep
                }
            }
        } catch (IOException e) {
            return deleted;
        }
        return deleted;
    }

    /** The directory a node on {@code port} of this machine uses (for tests that kill nodes). */
    public static Path forPort(int port) {
        Path base =
                Files.isDirectory(SHM) && Files.isWritable(SHM) ? SHM : Path.of(System.getProperty("java.io.tmpdir"));
        return base.resolve(PREFIX + port);
    }

    static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the stale Aeron directory " + dir, e);
        }
    }
}
