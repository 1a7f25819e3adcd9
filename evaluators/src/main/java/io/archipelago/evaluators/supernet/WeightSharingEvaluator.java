package io.archipelago.evaluators.supernet;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.Evaluator;
import io.archipelago.proto.Architecture;
import java.util.Map;

/**
 * Scores a cell with a supernet's inherited weights (single-path one-shot): its accuracy and mean
 * loss on the {@link SharedSupernet}'s fixed images, batch norm on each batch's statistics. No
 * training happens, so a score costs one forward pass per image batch. The result is the same on
 * every node for the same supernet, images and thread count (within 1e-6 across thread counts).
 *
 * <p>Labels {@value #HASH} and {@value #STEP} say which weights produced the score; the router pins
 * a search to one {@value #HASH}.
 */
public final class WeightSharingEvaluator implements Evaluator {
    public static final String KIND = "supernet";
    /** Accuracy with inherited weights, in percent (as the benchmark tables' accuracies). */
    public static final String ACCURACY = "supernet_accuracy";
    /** Mean cross-entropy with inherited weights. */
    public static final String LOSS = "supernet_loss";
    /** Parameters of the cell's network standing alone. */
    public static final String PARAMS = "params";

    public static final String HASH = "supernet_hash";
    public static final String STEP = "supernet_step";

    private final SharedSupernet supernet;

    public WeightSharingEvaluator(SharedSupernet supernet) {
        this.supernet = supernet;
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** The fidelity is ignored: the supernet was trained once, before the search. */
    @Override
    public Evaluation evaluate(Architecture architecture, int fidelity) throws EvaluationException {
        if (!Nb201Space.ID.equals(architecture.getSpace())) {
            throw new EvaluationException("the supernet evaluator scores NAS-Bench-201 cells (space " + Nb201Space.ID
                    + "); got space '" + architecture.getSpace() + "'");
        }
        Nb201Cell cell;
        try {
            cell = Nb201Space.INSTANCE.parse(architecture.getEncoding());
        } catch (IllegalArgumentException e) {
            throw new EvaluationException(e.getMessage(), e);
        }
        long start = System.nanoTime();
        var scored = supernet.scorer().evaluate(cell, supernet.images());
        return new Evaluation(
                Map.of(ACCURACY, 100 * scored.accuracy(), LOSS, scored.meanLoss(), PARAMS, (double)
                        scored.childParameters()),
                (System.nanoTime() - start) / 1e9,
                Map.of(HASH, supernet.hash(), STEP, Long.toString(supernet.step())));
    }
}
