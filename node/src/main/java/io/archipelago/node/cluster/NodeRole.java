package io.archipelago.node.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** What a cluster node does; a node may hold several roles. They become Pekko Cluster roles. */
public enum NodeRole {
    /** Runs searches (controller and router); the Split Brain Resolver keeps the side with most of them. */
    CONTROLLER,
    /** Offers evaluator slots of one evaluator kind. */
    EVALUATOR,
    /** Measures latency on one attached device (its pool is {@code latency:DEVICE}). */
    LATENCY,
    /** Accepts worker processes on {@code --worker-port}: their slots are the pools {@code worker:KIND}. */
    GATEWAY;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code evaluator,latency}; an empty list is a node that only holds membership (e.g. a seed). */
    public static Set<NodeRole> parseList(String list) {
        Set<NodeRole> roles = new LinkedHashSet<>();
        for (String part : list.split(",")) {
            String id = part.trim();
            if (id.isEmpty() || id.equals("none")) {
                continue;
            }
            roles.add(Arrays.stream(values())
                    .filter(r -> r.id().equals(id))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown role '" + id + "' (known: "
                            + Arrays.stream(values()).map(NodeRole::id).collect(Collectors.joining(", "))
                            + ", none)")));
        }
        return roles;
    }

    public static List<String> ids(Set<NodeRole> roles) {
        List<String> ids = new ArrayList<>();
        roles.forEach(role -> ids.add(role.id()));
        return ids;
    }
}
