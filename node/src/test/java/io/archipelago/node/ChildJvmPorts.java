package io.archipelago.node;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Free loopback ports for test nodes (random, so that test runs side by side do not collide). */
public final class ChildJvmPorts {
    private ChildJvmPorts() {}

    /** A port free for both UDP and TCP on loopback, followed by {@code count - 1} more free ones. */
    public static int freePorts(int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 40_000);
            boolean free = true;
            for (int p = base; p < base + count && free; p++) {
                free = isFree(p);
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no free ports");
    }

    private static boolean isFree(int port) {
        try (ServerSocket tcp = new ServerSocket();
                DatagramSocket udp = new DatagramSocket(null)) {
            tcp.bind(new InetSocketAddress("127.0.0.1", port));
            udp.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
