package io.archipelago.core.space;

import java.util.Map;

/**
 * A space whose architectures have analytic costs (parameters, FLOPs) of the network the
 * benchmark trains, known without building or training it. Evaluators add these to the metrics
 * they report, so size can be an objective of a search on any evaluator.
 *
 * @param <A> the space's architecture type
 */
public interface CostModel<A> {
    /** Metric names of the costs, e.g. {@code params}, {@code flops}. */
    String PARAMS = "params";

    String FLOPS = "flops";

    /** The architecture's costs by metric name. */
    Map<String, Double> costs(A architecture);
}
