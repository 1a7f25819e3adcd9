package io.archipelago.node.cluster;

import java.nio.file.Path;
import java.util.Set;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** Options of every command that starts a cluster node ({@code node}, {@code search --cluster}, {@code cluster status}). */
public final class ClusterOptions {
    /**
     * TCP: on a small machine it carried twice Aeron UDP's candidates a second, it needs no
     * shared memory or UDP path between machines, and it is the stack tls-tcp adds TLS to
     * (benchmarks/RESULTS.md, "The transport's default").
     */
    public static final String DEFAULT_TRANSPORT = "tcp";

    @Option(
            names = "--transport",
            defaultValue = DEFAULT_TRANSPORT,
            description =
                    "aeron-udp | tcp | tls-tcp (see cluster-conf/README.md; aeron-udp and tcp are unencrypted) (default: ${DEFAULT-VALUE}).")
    public String transport;

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description = "Address other nodes reach this one at (default: ${DEFAULT-VALUE}).")
    public String host;

    @Option(names = "--port", defaultValue = "2551", description = "Port of this node (default: ${DEFAULT-VALUE}).")
    public int port;

    @Option(
            names = "--seed-nodes",
            paramLabel = "HOST:PORT[,...]",
            description = "Seed nodes to join through (default: this node itself, which then starts a new cluster).")
    public String seedNodes;

    @Option(
            names = "--cluster-config",
            paramLabel = "FILE",
            description = "HOCON overriding cluster-conf/ (e.g. TLS stores, SBR timing).")
    public Path clusterConfig;

    /**
     * Cluster nodes log their transport, membership changes, downing and draining to stderr at INFO
     * (a local search logs only warnings).
     */
    public static void logMembership() {
        for (String name : new String[] {"org.apache.pekko", "io.archipelago"}) {
            if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
                logger.setLevel(ch.qos.logback.classic.Level.INFO);
            }
        }
    }

    public ClusterSettings settings(Set<NodeRole> roles) {
        return new ClusterSettings(
                Transport.parse(transport), host, port, ClusterSettings.parseSeeds(seedNodes), roles, clusterConfig);
    }
}
