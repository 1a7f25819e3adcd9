package io.archipelago.evaluators.teg;

import io.archipelago.core.nb201.MixedCell;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Cost;
import io.archipelago.core.nb201.Nb201MixedSpace;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.space.CostModel;
import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.Evaluator;
import io.archipelago.models.nb201.Nb201Network;
import io.archipelago.models.space.NetworkFactory;
import io.archipelago.models.space.NetworkShape;
import io.archipelago.models.space.SpaceNetworks;
import io.archipelago.models.space.SpaceNetworksRegistry;
import io.archipelago.models.teg.IndicatorException;
import io.archipelago.models.teg.TegIndicators;
import io.archipelago.proto.Architecture;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training-free evaluation (TEG-NAS): the NTK condition number, linear regions and NTK
 * regression error of the architecture's network at initialisation, plus its analytic parameter and
 * FLOP counts. Any space whose networks a {@link SpaceNetworks} plugin builds is measured at the
 * settings' size; NAS-Bench-201's costs are those of that size (as TE-NAS reports them), other
 * spaces' those of their standard, published size (their {@link CostModel}). No benchmark is
 * consulted. An indicator that is undefined for a cell (e.g. a network
 * whose output does not depend on its weights has a singular NTK) fails the evaluation with the
 * reason; it never crashes the slot.
 */
public final class TegEvaluator implements Evaluator {
    public static final String KIND = "teg";
    public static final String PARAMS = "params";
    public static final String FLOPS = "flops";

    private final TegIndicators indicators;
    private final Nb201Cost cost;

    public TegEvaluator(TegIndicators indicators) {
        this.indicators = indicators;
        NetworkShape n = indicators.settings().network();
        this.cost = new Nb201Cost(n.channels(), n.cellsPerStage(), n.height(), n.classes());
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** The fidelity is ignored: the indicators are computed at initialisation. */
    @Override
    public Evaluation evaluate(Architecture architecture, int fidelity) throws EvaluationException {
        long start = System.nanoTime();
        try {
            Map<String, Double> metrics = switch (architecture.getSpace()) {
                case Nb201Space.ID -> metrics(MixedCell.of(Nb201Space.INSTANCE.parse(architecture.getEncoding())));
                case Nb201MixedSpace.ID -> metrics(Nb201MixedSpace.INSTANCE.parse(architecture.getEncoding()));
                default ->
                    metrics(SpaceNetworksRegistry.require(architecture.getSpace(), "the teg evaluator"), architecture);
            };
            return new Evaluation(metrics, (System.nanoTime() - start) / 1e9);
        } catch (IllegalArgumentException e) {
            throw new EvaluationException(e.getMessage(), e);
        }
    }

    private <A> Map<String, Double> metrics(SpaceNetworks<A> networks, Architecture architecture)
            throws EvaluationException {
        A parsed = networks.space().fromProto(architecture);
        Map<String, Double> metrics =
                indicators((shape, seed) -> networks.network(parsed, shape, seed), networks.thin());
        if (networks.space() instanceof CostModel<?>) {
            @SuppressWarnings("unchecked")
            CostModel<A> costs = (CostModel<A>) networks.space();
            metrics.putAll(costs.costs(parsed));
        }
        return metrics;
    }

    private Map<String, Double> indicators(NetworkFactory factory, NetworkShape thin) throws EvaluationException {
        TegIndicators.Measurement m;
        try {
            m = indicators.measure(factory, thin);
        } catch (IndicatorException e) {
            throw new EvaluationException(e.getMessage(), e);
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(TegIndicators.NTK_COND, m.ntkCond());
        metrics.put(TegIndicators.LINEAR_REGIONS, m.linearRegions());
        metrics.put(TegIndicators.NTK_MSE, m.ntkMse());
        return metrics;
    }

    /** The indicators of a (plain or mixed) cell, and the costs of a plain one. */
    public Map<String, Double> metrics(MixedCell cell) throws EvaluationException {
        Map<String, Double> metrics = indicators(
                (shape, seed) -> Nb201Network.of(cell, shape, seed),
                indicators.settings().regionsNetwork());
        if (cell.isPlain()) {
            metrics.putAll(costs(cell.toCell()));
        }
        return metrics;
    }

    /**
     * {@code params} and {@code flops} of a cell's network as this evaluator builds it (its
     * configured C and N), known even when the indicators are not.
     */
    public Map<String, Double> costs(Nb201Cell cell) {
        return Map.of(PARAMS, (double) cost.params(cell), FLOPS, cost.flops(cell));
    }
}
