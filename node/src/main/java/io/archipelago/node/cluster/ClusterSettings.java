package io.archipelago.node.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Where a node sits in a cluster: its transport, its own address, the seed nodes it joins
 * through, its roles, and an optional file of overrides. {@link #config} turns it into the actor
 * system's configuration: command-line values over the override file over {@code cluster-conf/}.
 *
 * @param port 0 picks a free port (for short-lived nodes such as {@code cluster status})
 * @param seeds {@code host:port} of seed nodes; empty makes this node its own (first) seed
 */
public record ClusterSettings(
        Transport transport, String host, int port, List<String> seeds, Set<NodeRole> roles, Path overrides) {
    /** The actor system name every node of an Archipelago cluster shares (it is part of each address). */
    public static final String SYSTEM = "archipelago";
    /** Where a cluster's shared journal is named (the same key as {@code JournalSettings.CONFIG_KEY}). */
    private static final String JOURNAL_URL = "archipelago.journal.url";
    /** The Split Brain Resolver's lease (cluster-conf/cluster.conf). */
    private static final String LEASE_CONFIG = "archipelago.sbr-lease";

    public ClusterSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be in 0..65535, got " + port);
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("--host must not be empty");
        }
        seeds = List.copyOf(seeds);
        for (String seed : seeds) {
            checkHostPort(seed);
        }
        roles = Set.copyOf(roles);
        if (overrides != null && !Files.isReadable(overrides)) {
            throw new IllegalArgumentException("--cluster-config " + overrides + " is not a readable file");
        }
    }

    /** Parses {@code host:port[,host:port...]}, naming a malformed entry. */
    public static List<String> parseSeeds(String list) {
        List<String> seeds = new ArrayList<>();
        if (list == null) {
            return seeds;
        }
        for (String part : list.split(",")) {
            String seed = part.trim();
            if (!seed.isEmpty()) {
                checkHostPort(seed);
                seeds.add(seed);
            }
        }
        return seeds;
    }

    private static void checkHostPort(String seed) {
        int colon = seed.lastIndexOf(':');
        boolean ok = colon > 0 && colon < seed.length() - 1;
        if (ok) {
            try {
                int p = Integer.parseInt(seed.substring(colon + 1));
                ok = p > 0 && p <= 65535;
            } catch (NumberFormatException e) {
                ok = false;
            }
        }
        if (!ok) {
            throw new IllegalArgumentException(
                    "--seed-nodes entry '" + seed + "' is not HOST:PORT (e.g. 127.0.0.1:2551)");
        }
    }

    /** The seed addresses in Pekko's form; this node itself when no seed was given. */
    public List<String> seedAddresses() {
        List<String> addresses = new ArrayList<>();
        if (seeds.isEmpty()) {
            addresses.add("pekko://" + SYSTEM + "@" + host + ":" + port);
        } else {
            seeds.forEach(seed -> addresses.add("pekko://" + SYSTEM + "@" + seed));
        }
        return addresses;
    }

    /**
     * With a shared PostgreSQL journal named in the {@code --cluster-config} file (which every node
     * of the cluster is given, evaluators too), the Split Brain Resolver decides by a lease in that
     * database ({@link JdbcLease}, {@code lease-majority} over the controller role): two
     * controller-role nodes, one dead or cut off, are a tie no member count breaks, and
     * {@code keep-majority} may down the survivor. Every node must decide the same way, so only
     * the shared file switches it on, not a node's own {@code --journal}.
     */
    private static Config leaseDowning(String journalUrl) {
        return ConfigFactory.parseMap(java.util.Map.of(
                "pekko.cluster.split-brain-resolver.active-strategy",
                "lease-majority",
                "pekko.cluster.split-brain-resolver.lease-majority.lease-implementation",
                LEASE_CONFIG,
                "pekko.cluster.split-brain-resolver.lease-majority.role",
                NodeRole.CONTROLLER.id(),
                LEASE_CONFIG + ".url",
                journalUrl));
    }

    /**
     * The {@code --cluster-config} file, parsed (empty without one; its substitutions are resolved
     * with the node's whole configuration, which they may refer to). A file that is not HOCON is
     * the user's input: it is refused naming the file and the line, as bad input is ({@link
     * IllegalArgumentException}, exit 2).
     */
    public Config overridesFile() {
        if (overrides == null) {
            return ConfigFactory.empty();
        }
        try {
            return ConfigFactory.parseFile(
                    overrides.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("--cluster-config " + e.getMessage(), e);
        }
    }

    /** The journal URL the {@code --cluster-config} file names ({@code archipelago.journal.url}), if any. */
    public java.util.Optional<String> configuredJournal() {
        Config file = overridesFile();
        try {
            file = file.resolve(ConfigResolveOptions.defaults().setAllowUnresolved(true));
            return file.hasPath(JOURNAL_URL)
                    ? java.util.Optional.of(file.getString(JOURNAL_URL))
                    : java.util.Optional.empty();
        } catch (ConfigException e) {
            throw new IllegalArgumentException("--cluster-config " + e.getMessage(), e);
        }
    }

    /**
     * The configuration of this node, resolved: command-line values, then {@code overrides}, then
     * {@code fallback} (application settings), then the transport's file from {@code cluster-conf/}.
     *
     * @param aeronDir the embedded media driver's directory (aeron-udp only, else ignored)
     */
    public Config config(Config fallback, Path aeronDir) {
        Config cli = ConfigFactory.empty()
                .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
                .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(port))
                .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seedAddresses()))
                .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(NodeRole.ids(roles)));
        if (transport == Transport.AERON_UDP) {
            cli = cli.withValue(
                    "pekko.remote.artery.advanced.aeron.aeron-dir", ConfigValueFactory.fromAnyRef(aeronDir.toString()));
        }
        Config file = overridesFile();
        Config lease = configuredJournal()
                .filter(url -> url.startsWith("jdbc:postgresql:"))
                .map(ClusterSettings::leaseDowning)
                .orElse(ConfigFactory.empty());
        Config transportConfig = ConfigFactory.parseResourcesAnySyntax(transport.resource());
        if (transportConfig.isEmpty()) {
            throw new IllegalStateException("missing class-path resource " + transport.resource());
        }
        // The transport's file sets the cluster provider and serialization: it must win over
        // application.conf, which is written for the single-node mode.
        try {
            return cli.withFallback(file)
                    .withFallback(lease)
                    .withFallback(transportConfig)
                    .withFallback(fallback)
                    .resolve();
        } catch (ConfigException e) {
            throw new IllegalArgumentException(
                    "--cluster-config " + overrides + " does not fit the node's settings: " + e.getMessage(), e);
        }
    }
}
