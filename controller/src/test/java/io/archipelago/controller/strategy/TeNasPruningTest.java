package io.archipelago.controller.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.MixedCell;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Op;
import io.archipelago.core.objective.Objective;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Pruning against synthetic indicators whose answer is known: each op has an importance, a
 * supernet's "regions" are the sum of its ops' importances and its "condition number" falls as
 * they grow, so every round must remove the least important op of each edge.
 */
class TeNasPruningTest {
    private static final List<Objective> INDICATORS =
            List.of(Objective.parse("cond:min"), Objective.parse("regions:max"));
    private static final Map<Nb201Op, Double> IMPORTANCE = Map.of(
            Nb201Op.NONE,
            1.0,
            Nb201Op.SKIP_CONNECT,
            2.0,
            Nb201Op.AVG_POOL_3X3,
            3.0,
            Nb201Op.NOR_CONV_1X1,
            4.0,
            Nb201Op.NOR_CONV_3X3,
            5.0);

    private static TrialResult indicators(MixedCell cell) {
        double total = 0;
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            for (Nb201Op op : cell.ops(e)) {
                total += IMPORTANCE.get(op);
            }
        }
        return TrialResult.ok(Map.of("cond", 1000.0 / total, "regions", total));
    }

    /** Runs pruning to the end, asking {@code batch} at a time and telling in shuffled order. */
    private static List<Trial<MixedCell>> run(
            TeNasPruning pruning, int batch, long shuffleSeed, Function<MixedCell, TrialResult> evaluate) {
        List<Trial<MixedCell>> all = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(shuffleSeed);
        for (List<Trial<MixedCell>> asked = pruning.ask(batch); !asked.isEmpty(); asked = pruning.ask(batch)) {
            List<Trial<MixedCell>> order = new ArrayList<>(asked);
            Collections.shuffle(order, new java.util.Random(random.nextLong()));
            for (Trial<MixedCell> trial : order) {
                pruning.tell(trial, evaluate.apply(trial.architecture()));
            }
            all.addAll(asked);
        }
        return all;
    }

    @Test
    void removesTheLeastImportantOpOfEveryEdgeEachRound() {
        TeNasPruning pruning = new TeNasPruning(INDICATORS);
        List<Trial<MixedCell>> trials = run(pruning, 7, 1, TeNasPruningTest::indicators);

        // none is gone from the start; 6 edges x (4 + 3 + 2) removals, then the final cell once
        assertEquals(6 * (4 + 3 + 2) + 1, trials.size());
        assertEquals(3, pruning.rounds());
        MixedCell expected = MixedCell.of(Nb201Cell.of(
                Nb201Op.NOR_CONV_3X3,
                Nb201Op.NOR_CONV_3X3,
                Nb201Op.NOR_CONV_3X3,
                Nb201Op.NOR_CONV_3X3,
                Nb201Op.NOR_CONV_3X3,
                Nb201Op.NOR_CONV_3X3));
        assertEquals(expected, pruning.supernet());
        Observation<MixedCell> best = pruning.best().orElseThrow();
        assertEquals(expected, best.trial().architecture());
        assertTrue(best.trial().architecture().isPlain());
        // The first round removes each op of the starting supernet (6 x 4 ops) once.
        for (int i = 0; i < 24; i++) {
            MixedCell removal = trials.get(i).architecture();
            int ops = 0;
            for (int e = 0; e < Nb201Cell.EDGES; e++) {
                ops += removal.ops(e).size();
            }
            assertEquals(23, ops, removal.toString());
        }
        // ids are consecutive
        for (int i = 0; i < trials.size(); i++) {
            assertEquals(i, trials.get(i).id());
        }
    }

    @Test
    void prunesFromAnotherStartingSupernet() {
        TeNasPruning pruning = new TeNasPruning(INDICATORS, MixedCell.full());
        List<Trial<MixedCell>> trials = run(pruning, 7, 2, TeNasPruningTest::indicators);
        assertEquals(6 * (5 + 4 + 3 + 2) + 1, trials.size());
        assertEquals(4, pruning.rounds());
        assertTrue(trials.get(0).architecture().ops(0).size() == 4
                && trials.get(0).architecture().ops(1).size() == 5);
    }

    @Test
    void theResultDoesNotDependOnBatchingOrTellOrder() {
        MixedCell a = runToEnd(1, 3);
        MixedCell b = runToEnd(30, 11);
        MixedCell c = runToEnd(100, 5);
        assertEquals(a, b);
        assertEquals(a, c);
    }

    private static MixedCell runToEnd(int batch, long shuffle) {
        TeNasPruning pruning = new TeNasPruning(INDICATORS);
        run(pruning, batch, shuffle, TeNasPruningTest::indicators);
        return pruning.best().orElseThrow().trial().architecture();
    }

    /** A removal whose evaluation fails ranks worst, so the op it would remove stays. */
    @Test
    void aFailedRemovalKeepsItsOp() {
        TeNasPruning pruning = new TeNasPruning(INDICATORS);
        List<Trial<MixedCell>> roundOne = pruning.ask(100);
        assertEquals(24, roundOne.size());
        for (Trial<MixedCell> trial : roundOne) {
            boolean removesSkipFromEdge0 = !trial.architecture().ops(0).contains(Nb201Op.SKIP_CONNECT);
            pruning.tell(
                    trial,
                    removesSkipFromEdge0 ? TrialResult.failed("singular NTK") : indicators(trial.architecture()));
        }
        assertEquals(1, pruning.rounds());
        // edge 0 kept 'skip_connect' (its removal failed) and lost the next least important op instead
        assertEquals(
                java.util.EnumSet.of(Nb201Op.SKIP_CONNECT, Nb201Op.NOR_CONV_1X1, Nb201Op.NOR_CONV_3X3),
                pruning.supernet().ops(0));
        // the other edges lost 'skip_connect'
        for (int e = 1; e < Nb201Cell.EDGES; e++) {
            assertEquals(
                    java.util.EnumSet.of(Nb201Op.AVG_POOL_3X3, Nb201Op.NOR_CONV_1X1, Nb201Op.NOR_CONV_3X3),
                    pruning.supernet().ops(e),
                    "edge " + e);
        }
    }

    @Test
    void aFailedFinalEvaluationLeavesNoResultAndAsksNothingMore() {
        TeNasPruning pruning = new TeNasPruning(INDICATORS);
        run(pruning, 50, 4, cell -> cell.isPlain() ? TrialResult.failed("NaN") : indicators(cell));
        assertTrue(pruning.best().isEmpty());
        assertTrue(pruning.ask(10).isEmpty());
    }
}
