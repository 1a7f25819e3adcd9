package io.archipelago.node.ops;

import io.archipelago.evaluators.NodeMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * Starts a node's operations endpoints (its settings are already in the actor system's
 * configuration, from {@link OpsSettings#config()}): a Prometheus registry behind the node's
 * meters with the JVM's own (memory, GC, threads, processor, class loading), Pekko Management's
 * HTTP server ({@code /alive}; {@code /ready}, true once this node is an Up member of the cluster;
 * {@code /cluster/members}; {@code /metrics}) and, with {@code --discovery kubernetes-api}, Cluster
 * Bootstrap.
 */
public final class NodeOps {
    private NodeOps() {}

    /** How long the management server may take to bind before the node gives up, naming why. */
    private static final long BIND_SECONDS = 30;

    /**
     * @return the management server's URL, or null when the settings ask for none
     * @throws IllegalArgumentException when the server cannot bind (the port is taken, the host is not this machine's)
     */
    public static String start(ActorSystem<?> system, OpsSettings settings) {
        if (!settings.managementEnabled()) {
            return null;
        }
        PrometheusMeterRegistry prometheus = prometheus(NodeMeters.get(system));
        if (prometheus == null) {
            throw new IllegalStateException("the node's meters export nothing: its configuration lacks "
                    + NodeMeters.EXPORT_KEY + " (OpsSettings.config())");
        }
        JvmGcMetrics gc = new JvmGcMetrics();
        bindJvm(prometheus, gc);
        String url;
        try {
            url = PekkoManagement.get(system)
                    .start()
                    .toCompletableFuture()
                    .get(BIND_SECONDS, TimeUnit.SECONDS)
                    .toString();
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException(
                    "--management " + settings.bindHost() + ":" + settings.managementPort() + ": cannot serve there ("
                            + cause.getMessage() + ")",
                    cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the management server started", e);
        }
        if (settings.discovery() == OpsSettings.Discovery.KUBERNETES_API) {
            try {
                ClusterBootstrap.get(system).start();
            } catch (RuntimeException e) { // outside a pod: no service account (its CA certificate, its token)
                throw new IllegalStateException(
                        "--discovery kubernetes-api cannot use the Kubernetes API here (" + e
                                + "): the node must run in"
                                + " a pod whose service account may get, list and watch pods",
                        e);
            }
        }
        system.getWhenTerminated().thenRun(() -> {
            gc.close();
            prometheus.close();
        });
        return url;
    }

    /** The JVM's meters (Micrometer's binders), straight into the exported registry. */
    static void bindJvm(MeterRegistry registry, JvmGcMetrics gc) {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
    }

    /** The Prometheus registry {@link #start} added to {@code meters}, or null. */
    static PrometheusMeterRegistry prometheus(NodeMeters meters) {
        for (MeterRegistry registry : meters.registry().getRegistries()) {
            if (registry instanceof PrometheusMeterRegistry prometheus) {
                return prometheus;
            }
        }
        return null;
    }
}
