package io.archipelago.node.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;

/**
 * The registry a node with {@code --management} exports on {@code /metrics}: named in
 * {@code archipelago.metrics.export-registry} ({@link OpsSettings#config()}), made by the node's
 * {@code NodeMeters} before any meter is registered.
 */
public final class PrometheusExport implements Supplier<MeterRegistry> {
    @Override
    public MeterRegistry get() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }
}
