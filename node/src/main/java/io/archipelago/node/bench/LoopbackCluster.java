package io.archipelago.node.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.archipelago.controller.router.Router;
import io.archipelago.evaluators.TabularEvaluator;
import io.archipelago.node.bench.BenchClusterThroughputCommand.Bench;
import io.archipelago.node.cluster.ClusterSettings;
import io.archipelago.node.cluster.NodeRole;
import io.archipelago.node.cluster.Transport;
import io.archipelago.node.engine.Engine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster members in this JVM on 127.0.0.1: a controller node (the seed, no slots) on
 * {@code basePort} and evaluator nodes on the following ports. {@link #close} stops the
 * controller first, then the evaluator nodes.
 */
final class LoopbackCluster implements AutoCloseable {
    static final String HOST = "127.0.0.1";
    static final Duration JOIN_TIMEOUT = Duration.ofSeconds(60);
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);
    private static final Logger LOG = LoggerFactory.getLogger(LoopbackCluster.class);

    private final Transport transport;
    private final int basePort;
    private final Config overrides;
    private final Engine controller;
    private final List<Engine> evaluatorNodes = new ArrayList<>();
    private int poolWatches;

    LoopbackCluster(Transport transport, int basePort, Config overrides) {
        this.transport = transport;
        this.basePort = basePort;
        this.overrides = overrides;
        this.controller = Engine.cluster(
                new ClusterSettings(transport, HOST, basePort, List.of(), EnumSet.of(NodeRole.CONTROLLER), null),
                0,
                null,
                overrides);
    }

    /**
     * Settings every node of a benchmark cluster gets over cluster-conf/: warnings only (a
     * node logs its membership at INFO), one JMX bean per member, no hand-back grace at the end.
     */
    static Config overrides(Transport transport, Integer idleCpuLevel) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("pekko.loglevel", "WARNING");
        values.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");
        // Nothing runs when the benchmark stops its nodes: no requests can be on the wire.
        values.put("archipelago.node.hand-back-grace", "0s");
        if (transport == Transport.AERON_UDP) {
            // A node that stops right after a peer has left can have a control-stream message to
            // that peer still being offered to Aeron (not connected); its stream, and with it
            // the node's termination, then waits for give-up-system-message-after (6 h by
            // default; in practice such closes took 60-90 s). Loopback peers acknowledge
            // within milliseconds, so 10 s is ample while the benchmark runs.
            values.put("pekko.remote.artery.advanced.give-up-system-message-after", "10s");
        }
        if (idleCpuLevel != null) {
            if (transport != Transport.AERON_UDP) {
                throw new IllegalArgumentException("--aeron-idle-cpu-level applies to --transport aeron-udp only");
            }
            if (idleCpuLevel < 1 || idleCpuLevel > 10) {
                throw new IllegalArgumentException("--aeron-idle-cpu-level must be in 1..10, got " + idleCpuLevel);
            }
            values.put("pekko.remote.artery.advanced.aeron.idle-cpu-level", idleCpuLevel);
        }
        return ConfigFactory.parseMap(values);
    }

    static Transport transport(String id) {
        try {
            return Transport.parse(id);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--transport: " + e.getMessage(), e);
        }
    }

    static void checkPorts(int basePort, int nodes) {
        if (basePort < 1 || basePort + nodes - 1 > 65535) {
            throw new IllegalArgumentException(
                    "--base-port must leave room for " + nodes + " port(s) in 1..65535, got " + basePort);
        }
    }

    Engine controller() {
        return controller;
    }

    int evaluatorNodes() {
        return evaluatorNodes.size();
    }

    /** Starts the next evaluator node (it joins through the controller). */
    Engine addEvaluatorNode(int slots, Bench bench) {
        int port = basePort + 1 + evaluatorNodes.size();
        ClusterSettings settings = new ClusterSettings(
                transport, HOST, port, List.of(HOST + ":" + basePort), EnumSet.of(NodeRole.EVALUATOR), null);
        Engine node = Engine.cluster(settings, slots, bench.nextNode(), overrides);
        evaluatorNodes.add(node);
        return node;
    }

    /** Waits until every node is an Up member. */
    void awaitJoined() throws InterruptedException {
        List<Engine> all = new ArrayList<>();
        all.add(controller);
        all.addAll(evaluatorNodes);
        long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
        for (Engine node : all) {
            try {
                node.joined()
                        .toCompletableFuture()
                        .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException(
                        "node " + node.address() + " did not join the cluster in " + JOIN_TIMEOUT.toSeconds() + " s");
            } catch (ExecutionException e) {
                throw new IllegalStateException("node " + node.address() + " failed to join", e.getCause());
            }
        }
    }

    /** Waits until a router on the controller node sees {@code slots} tabular evaluator slots. */
    void awaitPool(int slots) throws InterruptedException {
        CompletableFuture<Integer> ready = new CompletableFuture<>();
        Behavior<Router.Event> watcher = Behaviors.setup(context -> {
            ActorRef<Router.Command> router = context.spawn(Router.create(Bench.NO_CACHE), "router");
            router.tell(new Router.WatchCapacity(TabularEvaluator.KIND, context.getSelf()));
            return Behaviors.receive(Router.Event.class)
                    .onMessage(Router.Capacity.class, capacity -> {
                        if (capacity.slots() >= slots) {
                            ready.complete(capacity.slots());
                            return Behaviors.stopped();
                        }
                        return Behaviors.same();
                    })
                    .build();
        });
        controller.system().systemActorOf(watcher, "pool-watch-" + poolWatches++, Props.empty());
        try {
            ready.get(JOIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            // The watcher stays; the caller closes the cluster.
            throw new IllegalStateException("the controller's pool did not reach " + slots + " evaluator slot(s) in "
                    + JOIN_TIMEOUT.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Stops the controller node, then every evaluator node at once. A node that has not
     * terminated after {@link #CLOSE_TIMEOUT} is reported and left to finish in the background,
     * so that a benchmark never hangs on its clean-up.
     */
    @Override
    public void close() {
        stop(List.of(controller));
        stop(evaluatorNodes);
    }

    private static void stop(List<Engine> nodes) {
        for (Engine node : nodes) {
            node.system().terminate();
        }
        long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
        for (Engine node : nodes) {
            try {
                node.system()
                        .getWhenTerminated()
                        .toCompletableFuture()
                        .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                node.close(); // terminated: returns at once
            } catch (TimeoutException e) {
                LOG.warn(
                        "node {} did not terminate within {} s; it goes on shutting down in the background",
                        node.address(),
                        CLOSE_TIMEOUT.toSeconds());
            } catch (ExecutionException e) {
                LOG.warn("node {} failed while terminating", node.address(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
