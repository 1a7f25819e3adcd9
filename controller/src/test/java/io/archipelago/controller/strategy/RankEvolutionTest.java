package io.archipelago.controller.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Op;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.objective.RankAggregation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Evolution whose fitness is a combined rank within the population (TEG-NAS style), on synthetic
 * indicators that reward 3x3 convolutions: "cond" falls and "regions" rise with their number.
 */
class RankEvolutionTest {
    private static final List<Objective> METRICS = List.of(Objective.parse("cond:min"), Objective.parse("regions:max"));

    private static TrialResult indicators(Nb201Cell cell) {
        int convs = 0;
        int pools = 0;
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            convs += cell.op(e) == Nb201Op.NOR_CONV_3X3 ? 1 : 0;
            pools += cell.op(e) == Nb201Op.AVG_POOL_3X3 ? 1 : 0;
        }
        return TrialResult.ok(Map.of("cond", 100.0 - 10 * convs - pools, "regions", 10.0 * convs + pools));
    }

    private static List<Trial<Nb201Cell>> run(RegularizedEvolution<Nb201Cell> strategy, int budget) {
        List<Trial<Nb201Cell>> trials = new ArrayList<>();
        while (trials.size() < budget) {
            Trial<Nb201Cell> trial = strategy.ask(1).get(0);
            strategy.tell(trial, indicators(trial.architecture()));
            trials.add(trial);
        }
        return trials;
    }

    @Test
    void climbsTowardsTheBestRankedCellsAndReportsTheBestCombinedRank() {
        RegularizedEvolution<Nb201Cell> evolution =
                RegularizedEvolution.byRanks(Nb201Space.INSTANCE, METRICS, 3, 20, 5);
        List<Trial<Nb201Cell>> trials = run(evolution, 300);
        Nb201Cell best = evolution.best().orElseThrow().trial().architecture();

        // best() is the member of the best combined rank over everything evaluated
        List<Map<String, Double>> all =
                trials.stream().map(t -> indicators(t.architecture()).metrics()).toList();
        double[] ranks = RankAggregation.combinedRanks(all, METRICS);
        double bestRank = Double.MAX_VALUE;
        for (double r : ranks) {
            bestRank = Math.min(bestRank, r);
        }
        int index = trials.indexOf(evolution.best().orElseThrow().trial());
        assertEquals(bestRank, ranks[index], 0.0);
        // with 300 evaluations the all-3x3 cell (the unique optimum here) is reached
        assertEquals(
                Nb201Cell.of(
                        Nb201Op.NOR_CONV_3X3,
                        Nb201Op.NOR_CONV_3X3,
                        Nb201Op.NOR_CONV_3X3,
                        Nb201Op.NOR_CONV_3X3,
                        Nb201Op.NOR_CONV_3X3,
                        Nb201Op.NOR_CONV_3X3),
                best);
        // selection pressure: the later half has more 3x3 convolutions than the random first 20
        double early = trials.subList(0, 20).stream()
                .mapToDouble(t -> indicators(t.architecture()).metrics().get("regions"))
                .average()
                .orElseThrow();
        double late = trials.subList(150, 300).stream()
                .mapToDouble(t -> indicators(t.architecture()).metrics().get("regions"))
                .average()
                .orElseThrow();
        assertTrue(late > early + 15, "early " + early + ", late " + late);
    }

    @Test
    void isDeterministicPerSeed() {
        assertEquals(
                run(RegularizedEvolution.byRanks(Nb201Space.INSTANCE, METRICS, 8, 20, 5), 120),
                run(RegularizedEvolution.byRanks(Nb201Space.INSTANCE, METRICS, 8, 20, 5), 120));
    }

    @Test
    void needsMetricsToRankBy() {
        assertThrows(
                IllegalArgumentException.class,
                () -> RegularizedEvolution.byRanks(Nb201Space.INSTANCE, List.of(), 1, 20, 5));
    }
}
