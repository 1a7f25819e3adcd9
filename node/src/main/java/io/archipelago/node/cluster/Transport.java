package io.archipelago.node.cluster;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How cluster nodes talk: each names its HOCON file in {@code cluster-conf/}. */
public enum Transport {
    /** Artery over Aeron UDP, embedded media driver: the default; unencrypted. */
    AERON_UDP,
    /** Artery over TCP: where UDP is blocked; unencrypted. */
    TCP,
    /** Artery over TCP with TLS 1.3 and mutual authentication. */
    TLS_TCP;

    /** The name on the command line and in Pekko's config, e.g. {@code aeron-udp}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The class-path resource of its configuration. */
    public String resource() {
        return "cluster-conf/" + id() + ".conf";
    }

    public static Transport parse(String id) {
        for (Transport transport : values()) {
            if (transport.id().equals(id)) {
                return transport;
            }
        }
        throw new IllegalArgumentException("unknown transport '" + id + "' (known: "
                + Arrays.stream(values()).map(Transport::id).collect(Collectors.joining(", ")) + ")");
    }
}
