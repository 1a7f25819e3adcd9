package io.archipelago.node.setup;

import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.evaluators.Evaluator;
import io.archipelago.evaluators.SimulatedTime;
import io.archipelago.evaluators.TabularEvaluator;
import io.archipelago.evaluators.teg.TegEvaluator;
import io.archipelago.models.data.ImageDataset;
import io.archipelago.models.teg.TegIndicators;
import io.archipelago.models.teg.TegSettings;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The evaluators of a node's slots, checked from the command line before anything starts: a
 * search's own slots ({@code search}) and a worker node's ({@code node --roles evaluator}) are
 * made the same way.
 */
public final class EvaluatorSetup {
    public static final List<String> KINDS = List.of(TabularEvaluator.KIND, TegEvaluator.KIND);

    public final String kind;
    public final BenchmarkTable<?> table;
    public final SimulatedTime evalTime; // null: none
    private final TegOptions teg;
    private final ImageDataset tegData; // loaded once, shared read-only by every slot

    /**
     * @param kind tabular or teg
     * @param table what the tabular evaluator answers from
     * @param evalTime simulated time of the tabular evaluator (null: none)
     * @throws IllegalArgumentException naming the bad option
     */
    public EvaluatorSetup(String kind, BenchmarkTable<?> table, String evalTime, TegOptions teg) {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException(
                    "unknown evaluator '" + kind + "' (known: " + String.join(", ", KINDS) + ")");
        }
        this.kind = kind;
        this.table = table;
        this.evalTime = evalTime == null ? null : SimulatedTime.parse(evalTime);
        this.teg = teg;
        if (isTeg()) {
            if (evalTime != null) {
                throw new IllegalArgumentException(
                        "--eval-time simulates the tabular evaluator's cost; the teg evaluator's cost is real");
            }
            teg.settings(0); // checks the TEG options before the data set is read
            this.tegData = teg.dataset();
        } else {
            this.tegData = null;
        }
    }

    public boolean isTeg() {
        return TegEvaluator.KIND.equals(kind);
    }

    /** Makes slot i's evaluator; the seed fixes simulated times and TEG initialisations. */
    public IntFunction<Evaluator> factory(long seed) {
        if (isTeg()) {
            TegSettings settings = teg.settings(seed);
            return slot -> new TegEvaluator(new TegIndicators(settings, tegData));
        }
        return slot -> new TabularEvaluator<>(table, evalTime, seed * 1_000_003L + slot);
    }
}
