package io.archipelago.node.ops;

import picocli.CommandLine.Option;

/** {@code archipelago node}'s options of health, metrics and discovery (see {@link OpsSettings}). */
public final class OpsOptions {
    @Option(
            names = "--management",
            paramLabel = "[HOST:]PORT",
            description =
                    "Serve Pekko Management there: /alive, /ready (this node is an Up member), /cluster/members and "
                            + "/metrics (Prometheus). HOST defaults to 127.0.0.1; 0.0.0.0 binds every interface and advertises"
                            + " --host (default: off).")
    public String management;

    @Option(
            names = "--discovery",
            defaultValue = "seed-nodes",
            description =
                    "How the node finds its cluster: seed-nodes (--seed-nodes) or kubernetes-api (Cluster Bootstrap"
                            + " over the pods labelled app=--discovery-service; needs --management) (default: ${DEFAULT-VALUE}).")
    public String discovery;

    @Option(
            names = "--discovery-service",
            paramLabel = "NAME",
            description = "--discovery kubernetes-api: the value of the app label of the cluster's pods.")
    public String service;

    /**
     * @param nodeHost the node's {@code --host} (what a wildcard management host advertises)
     * @param seedNodesGiven whether {@code --seed-nodes} was given (refused with kubernetes-api)
     */
    public OpsSettings settings(String nodeHost, boolean seedNodesGiven) {
        OpsSettings settings = OpsSettings.parse(management, discovery, service, nodeHost);
        if (settings.discovery() == OpsSettings.Discovery.KUBERNETES_API && seedNodesGiven) {
            throw new IllegalArgumentException(
                    "--seed-nodes cannot be used with --discovery kubernetes-api: Cluster Bootstrap finds the cluster's"
                            + " nodes through the Kubernetes API");
        }
        return settings;
    }
}
