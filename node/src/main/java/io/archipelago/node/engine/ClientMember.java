package io.archipelago.node.engine;

import com.typesafe.config.ConfigFactory;
import io.archipelago.node.cluster.ClusterOptions;
import io.archipelago.node.cluster.ClusterSettings;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A short-lived cluster member without roles and on any free port: a command that asks the cluster
 * something ({@code cluster status}, {@code runs list --seed-nodes}, {@code search --detach}) joins,
 * asks and leaves.
 */
public final class ClientMember {
    private ClientMember() {}

    /** Joins through {@code options}' seed nodes; one that cannot within {@code timeout} is refused (exit 2). */
    public static Engine join(ClusterOptions options, Duration timeout) throws Exception {
        if (options.seedNodes == null || options.seedNodes.isBlank()) {
            throw new IllegalArgumentException("--seed-nodes is required: the cluster to ask");
        }
        options.port = 0;
        ClusterSettings settings = options.settings(Set.of());
        // A one-shot query: when the seeds do not answer, Pekko's warnings about each refused
        // connection would come before (and say less than) the one line the command prints.
        Engine engine = Engine.cluster(settings, 0, null, ConfigFactory.parseString("pekko.loglevel = ERROR"));
        try {
            engine.joined().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return engine;
        } catch (TimeoutException e) {
            engine.close();
            throw new IllegalArgumentException("could not join the cluster through " + settings.seedAddresses()
                    + " within " + timeout.toSeconds() + " s; are the seed nodes running, with --transport "
                    + settings.transport().id() + "?");
        } catch (Exception e) {
            engine.close();
            throw e;
        }
    }
}
