package io.archipelago.evaluators.teg;

import io.archipelago.core.nb201.MixedCell;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Cost;
import io.archipelago.core.nb201.Nb201MixedSpace;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.Evaluator;
import io.archipelago.models.nb201.NetworkShape;
import io.archipelago.models.teg.IndicatorException;
import io.archipelago.models.teg.TegIndicators;
import io.archipelago.proto.Architecture;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training-free evaluation (TEG-NAS): the NTK condition number, linear regions and NTK
 * regression error of the cell's network at initialisation, plus its analytic parameter and FLOP
 * counts. No benchmark is consulted. An indicator that is undefined for a cell (e.g. a network
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
        MixedCell cell;
        try {
            cell = switch (architecture.getSpace()) {
                case Nb201Space.ID -> MixedCell.of(Nb201Space.INSTANCE.parse(architecture.getEncoding()));
                case Nb201MixedSpace.ID -> Nb201MixedSpace.INSTANCE.parse(architecture.getEncoding());
                default ->
                    throw new EvaluationException(
                            "the teg evaluator builds NAS-Bench-201 networks (spaces " + Nb201Space.ID + ", "
                                    + Nb201MixedSpace.ID + "); got space '" + architecture.getSpace() + "'");
            };
        } catch (IllegalArgumentException e) {
            throw new EvaluationException(e.getMessage(), e);
        }
        return new Evaluation(metrics(cell), (System.nanoTime() - start) / 1e9);
    }

    /** The indicators of a (plain or mixed) cell, and the costs of a plain one. */
    public Map<String, Double> metrics(MixedCell cell) throws EvaluationException {
        TegIndicators.Measurement m;
        try {
            m = indicators.measure(cell);
        } catch (IndicatorException e) {
            throw new EvaluationException(e.getMessage(), e);
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(TegIndicators.NTK_COND, m.ntkCond());
        metrics.put(TegIndicators.LINEAR_REGIONS, m.linearRegions());
        metrics.put(TegIndicators.NTK_MSE, m.ntkMse());
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
