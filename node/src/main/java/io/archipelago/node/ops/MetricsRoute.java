package io.archipelago.node.ops;

import io.archipelago.evaluators.NodeMeters;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.ExtensionId;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * {@code GET /metrics} on the node's Pekko Management server: the node's meters in Prometheus's
 * text format. Pekko Management loads it by name from {@code pekko.management.http.routes.metrics}
 * (node's application.conf), so it needs a public no-argument constructor and returns the one
 * {@link ExtensionId} from {@link #lookup()}.
 */
public final class MetricsRoute extends AbstractExtensionId<MetricsRoute.Provider> implements ExtensionIdProvider {
    public static final MetricsRoute INSTANCE = new MetricsRoute();

    /** The path it serves, under the management server's root. */
    public static final String PATH = "metrics";

    public MetricsRoute() {}

    @Override
    public ExtensionId<? extends org.apache.pekko.actor.Extension> lookup() {
        return INSTANCE;
    }

    @Override
    public Provider createExtension(ExtendedActorSystem system) {
        return new Provider(NodeMeters.get(Adapter.toTyped(system)));
    }

    /** The route, scraping the Prometheus registry that {@link NodeOps#start} added to the node's meters. */
    public static final class Provider implements ManagementRouteProvider {
        private final NodeMeters meters;

        Provider(NodeMeters meters) {
            this.meters = meters;
        }

        @Override
        public Route routes(ManagementRouteProviderSettings settings) {
            return Directives.path(
                    PATH,
                    () -> Directives.get(() -> Directives.extractRequest(request -> {
                        PrometheusMeterRegistry prometheus = NodeOps.prometheus(meters);
                        meters.refresh();
                        return prometheus == null
                                ? Directives.complete(
                                        StatusCodes.SERVICE_UNAVAILABLE, "metrics are not exported on this node")
                                : Directives.complete(HttpResponse.create()
                                        .withEntity(ContentTypes.TEXT_PLAIN_UTF8, prometheus.scrape()));
                    })));
        }
    }
}
