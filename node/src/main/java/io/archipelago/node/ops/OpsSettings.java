package io.archipelago.node.ops;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.archipelago.evaluators.NodeMeters;
import io.archipelago.node.setup.ListenAddress;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A node's operations settings: where it serves Pekko Management ({@code /alive}, {@code /ready},
 * {@code /cluster/members}, {@code /metrics}) and how it finds its cluster's seed nodes.
 * {@link #config()} is what they add to the node's configuration; {@link NodeOps#start} acts on it.
 *
 * @param managementHost the host the management server advertises (its URLs, and Cluster Bootstrap's
 *     contact point); null: no management server
 * @param managementPort its port (0: any free port)
 * @param bindHost the interface it binds (the advertised host, or a wildcard such as 0.0.0.0)
 * @param discovery how the node finds its cluster
 * @param service the Kubernetes label value {@code app=SERVICE} of the cluster's pods (kubernetes-api only)
 */
public record OpsSettings(
        String managementHost, int managementPort, String bindHost, Discovery discovery, String service) {

    /** Whether the node serves management and metrics (archipelago.management.enabled). */
    public static final String ENABLED_KEY = "archipelago.management.enabled";
    /** How the node finds its cluster (archipelago.discovery): seed-nodes or kubernetes-api. */
    public static final String DISCOVERY_KEY = "archipelago.discovery";

    /** The default port of {@code --management PORT}'s host: loopback, as the dashboard's. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    /** A Kubernetes label value: up to 63 characters, alphanumerics with - _ . inside. */
    private static final Pattern LABEL_VALUE = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

    /** How a node finds the cluster it joins. */
    public enum Discovery {
        /** The seed nodes given with --seed-nodes (none: it is its own seed). */
        SEED_NODES("seed-nodes"),
        /**
         * Pekko Management Cluster Bootstrap: the pods labelled {@code app=SERVICE} in the node's
         * namespace, found through the Kubernetes API, agree on who forms the cluster.
         */
        KUBERNETES_API("kubernetes-api");

        private final String id;

        Discovery(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public static Discovery parse(String text) {
            for (Discovery d : values()) {
                if (d.id.equals(text)) {
                    return d;
                }
            }
            throw new IllegalArgumentException("--discovery must be seed-nodes or kubernetes-api, got '" + text + "'");
        }
    }

    public OpsSettings {
        if (discovery == Discovery.KUBERNETES_API) {
            if (managementHost == null) {
                throw new IllegalArgumentException(
                        "--discovery kubernetes-api needs --management [HOST:]PORT (Cluster Bootstrap's nodes talk"
                                + " through it)");
            }
            if (service == null || service.isBlank()) {
                throw new IllegalArgumentException(
                        "--discovery kubernetes-api needs --discovery-service NAME (the pods' label app=NAME)");
            }
        } else if (service != null) {
            throw new IllegalArgumentException("--discovery-service is for --discovery kubernetes-api");
        }
        if (service != null && !LABEL_VALUE.matcher(service).matches()) {
            throw new IllegalArgumentException("--discovery-service must be a Kubernetes label value (letters, digits,"
                    + " - _ . inside, at most 63 characters), got '" + service + "'");
        }
    }

    /** No management server, seed nodes as given. */
    public static OpsSettings off() {
        return new OpsSettings(null, 0, null, Discovery.SEED_NODES, null);
    }

    /**
     * From the command line's values.
     *
     * @param management {@code [HOST:]PORT}, or null for none
     * @param nodeHost the node's own address ({@code --host}): what a wildcard management host advertises
     */
    public static OpsSettings parse(String management, String discovery, String service, String nodeHost) {
        Discovery method = Discovery.parse(discovery);
        if (management == null) {
            return new OpsSettings(null, 0, null, method, service);
        }
        ListenAddress address = ListenAddress.parse("--management", management, DEFAULT_HOST, "127.0.0.1:8558");
        // A wildcard binds every interface; the server advertises the node's own address, which is
        // also what Cluster Bootstrap's discovery returns for this pod.
        return new OpsSettings(
                address.wildcard() ? nodeHost : address.host(), address.port(), address.host(), method, service);
    }

    public boolean managementEnabled() {
        return managementHost != null;
    }

    /** The configuration these settings add to the node's (over --cluster-config and cluster-conf/). */
    public Config config() {
        Config config = ConfigFactory.empty()
                .withValue(ENABLED_KEY, ConfigValueFactory.fromAnyRef(managementEnabled()))
                .withValue(DISCOVERY_KEY, ConfigValueFactory.fromAnyRef(discovery.id()));
        if (managementEnabled()) {
            config = config.withValue("pekko.management.http.hostname", ConfigValueFactory.fromAnyRef(managementHost))
                    .withValue("pekko.management.http.port", ConfigValueFactory.fromAnyRef(managementPort))
                    .withValue("pekko.management.http.bind-hostname", ConfigValueFactory.fromAnyRef(bindHost))
                    .withValue("pekko.management.http.bind-port", ConfigValueFactory.fromAnyRef(managementPort))
                    .withValue(NodeMeters.EXPORT_KEY, ConfigValueFactory.fromAnyRef(PrometheusExport.class.getName()));
        }
        if (discovery == Discovery.KUBERNETES_API) {
            String method = discovery.id();
            config = config
                    // No seed nodes: the node waits for Cluster Bootstrap, which joins it (or forms the
                    // cluster, on the pod of the lowest address once enough contact points agree).
                    .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(List.of()))
                    .withValue("pekko.discovery.method", ConfigValueFactory.fromAnyRef(method))
                    .withValue(
                            "pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method",
                            ConfigValueFactory.fromAnyRef(method))
                    .withValue(
                            "pekko.management.cluster.bootstrap.contact-point-discovery.service-name",
                            ConfigValueFactory.fromAnyRef(service))
                    // The pods' label selector (the plugin's default, stated: the manifests depend on it).
                    .withValue(
                            "pekko.discovery.kubernetes-api.pod-label-selector",
                            ConfigValueFactory.fromAnyRef("app=%s"));
            // No port-name: contact points are probed on this node's management port (the fallback
            // port), so every pod of the service serves management on the same port.
        }
        return config;
    }

    /** Where the management server is reached, e.g. {@code http://127.0.0.1:8558} (null: none). */
    public String managementUrl() {
        if (!managementEnabled()) {
            return null;
        }
        String host = managementHost.contains(":") ? "[" + managementHost + "]" : managementHost;
        return String.format(Locale.ROOT, "http://%s:%d", host, managementPort);
    }
}
