package io.archipelago.node.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The embedded Aeron media driver's directory of one node. Each node gets its own, named after
 * its port: a shared one would make a restarted node wait for the dead driver's liveness timeout
 * (~20 s, {@code ActiveDriverException}). A node killed with {@code kill -9} leaves its directory
 * (~200 MB of buffers) behind; the next node on the same port deletes it, once it has checked that
 * the port is free, i.e. that no live node owns the directory.
 */
public final class AeronDirectory {
    private static final Path SHM = Path.of("/dev/shm");

    private AeronDirectory() {}

    /** Prepares and returns the directory for a node on {@code host:port} (0: a one-off directory). */
    public static Path prepare(String host, int port) {
        if (port == 0) {
            return forPort(0).resolveSibling("archipelago-aeron-" + UUID.randomUUID());
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

    /** The directory a node on {@code port} of this machine uses (for tests that kill nodes). */
    public static Path forPort(int port) {
        Path base =
                Files.isDirectory(SHM) && Files.isWritable(SHM) ? SHM : Path.of(System.getProperty("java.io.tmpdir"));
        return base.resolve("archipelago-aeron-" + port);
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
