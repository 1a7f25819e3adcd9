package io.archipelago.controller.strategy;

import static io.archipelago.controller.strategy.StrategyFixtures.OBJECTIVE;
import static io.archipelago.controller.strategy.StrategyFixtures.SPACE;
import static io.archipelago.controller.strategy.StrategyFixtures.TABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.objective.Constraint;
import io.archipelago.core.objective.Hypervolume;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.objective.Objectives;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Nsga2Test {
    private static final Objective PARAMS = Objective.parse("params:min");
    private static final List<Objective> OBJECTIVES = List.of(OBJECTIVE, PARAMS);

    /** The tabular answer at 12 epochs plus the cell's parameter count, as the tabular evaluator gives them. */
    private static TrialResult evaluate(Trial<Nb201Cell> trial) {
        Map<String, Double> metrics =
                new HashMap<>(TABLE.metricsAt(trial.architecture(), 12).orElseThrow());
        metrics.putAll(SPACE.costs(trial.architecture()));
        return TrialResult.ok(metrics);
    }

    private static List<Map<String, Double>> run(Strategy<Nb201Cell> strategy, int budget) {
        List<Map<String, Double>> results = new ArrayList<>();
        for (int i = 0; i < budget; i++) {
            Trial<Nb201Cell> trial = strategy.ask(1).get(0);
            TrialResult result = evaluate(trial);
            strategy.tell(trial, result);
            results.add(result.metrics());
        }
        return results;
    }

    /** Hypervolume of the results on accuracy over [50, 85] and params over [0, 1.6 M], reference at the worst corner. */
    private static double hypervolume(List<Map<String, Double>> results) {
        double[][] scores = new double[results.size()][];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = Objectives.scores(results.get(i), OBJECTIVES);
        }
        return Hypervolume.of(
                Objectives.normalised(scores, new double[] {50, -1.6e6}, new double[] {85, 0}), new double[2]);
    }

    @Test
    void needsTwoObjectivesAndASensiblePopulation() {
        assertThrows(
                IllegalArgumentException.class, () -> new Nsga2<>(SPACE, List.of(OBJECTIVE), List.of(), 1, 20, 20));
        assertThrows(IllegalArgumentException.class, () -> new Nsga2<>(SPACE, OBJECTIVES, List.of(), 1, 1, 20));
    }

    @Test
    void sameSeedAndResultsGiveTheSameTrials() {
        List<Trial<Nb201Cell>> a = new ArrayList<>();
        List<Trial<Nb201Cell>> b = new ArrayList<>();
        for (List<Trial<Nb201Cell>> trials : List.of(a, b)) {
            Nsga2<Nb201Cell> nsga2 = new Nsga2<>(SPACE, OBJECTIVES, List.of(), 11, 20, 20);
            for (int i = 0; i < 150; i++) {
                Trial<Nb201Cell> trial = nsga2.ask(1).get(0);
                nsga2.tell(trial, evaluate(trial));
                trials.add(trial);
            }
        }
        assertEquals(a, b);
    }

    @Test
    void breedsWithoutWaitingForAGenerationAndKeepsItsPopulationBounded() {
        Nsga2<Nb201Cell> nsga2 = new Nsga2<>(SPACE, OBJECTIVES, List.of(), 3, 10, 10);
        List<Trial<Nb201Cell>> first = nsga2.ask(10);
        assertEquals(10, first.size());
        // Only two results back, eight still out: the next ask already breeds from those two.
        nsga2.tell(first.get(0), evaluate(first.get(0)));
        nsga2.tell(first.get(1), evaluate(first.get(1)));
        Trial<Nb201Cell> child = nsga2.ask(1).get(0);
        assertEquals(10, child.id());
        for (Trial<Nb201Cell> trial : first.subList(2, 10)) {
            nsga2.tell(trial, evaluate(trial));
        }
        run(nsga2, 100);
        assertEquals(10, nsga2.populationSize());
        // A failure or a result without an objective's metric does not enter the population.
        Trial<Nb201Cell> failed = nsga2.ask(1).get(0);
        nsga2.tell(failed, TrialResult.failed("crashed"));
        Trial<Nb201Cell> partial = nsga2.ask(1).get(0);
        nsga2.tell(partial, TrialResult.ok(Map.of("cifar10_valid_12", 99.0)));
        assertTrue(nsga2.best().orElseThrow().metrics().get("cifar10_valid_12") < 99.0);
    }

    @Test
    void findsMoreOfTheFrontThanRandomSearchOnTheSameBudget() {
        double nsga2 = 0;
        double random = 0;
        for (long seed = 1; seed <= 6; seed++) {
            nsga2 += hypervolume(run(new Nsga2<>(SPACE, OBJECTIVES, List.of(), seed, 20, 20), 300));
            random += hypervolume(run(new RandomSearch<>(SPACE, OBJECTIVE, seed), 300));
        }
        assertTrue(nsga2 > random * 1.02, "nsga2 " + nsga2 / 6 + " vs random " + random / 6);
    }

    @Test
    void aConstraintSteersTheSearchIntoTheFeasibleRegion() {
        // At most 0.2 M parameters: cells without a 3x3 conv and with at most four 1x1 convs (about a quarter of the
        // space).
        Constraint small = Constraint.parse("params<=200000");
        Nsga2<Nb201Cell> nsga2 = new Nsga2<>(SPACE, OBJECTIVES, List.of(small), 5, 20, 20);
        List<Map<String, Double>> results = run(nsga2, 300);
        long feasibleLate =
                results.subList(200, 300).stream().filter(small::feasible).count();
        long feasibleEarly =
                results.subList(0, 20).stream().filter(small::feasible).count();
        assertTrue(
                feasibleLate > 60 && feasibleLate > 3 * feasibleEarly,
                "feasible: first 20 " + feasibleEarly + ", last 100 " + feasibleLate);
        assertTrue(small.feasible(nsga2.best().orElseThrow().metrics()), "the incumbent is feasible");
    }
}
