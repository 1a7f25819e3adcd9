package io.archipelago.controller.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.predictors.nao.NaoPredictor;
import io.archipelago.predictors.nao.NaoSettings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The versioned fit schedule of model-guided strategies, and predictor-guided evolution on it. */
class ModelGuidedStrategyTest {
    private static final BenchmarkTable<Nb201Cell> TABLE = BenchmarkTable.embeddedNb201Cifar10();
    private static final String METRIC = "cifar10_valid_12";
    private static final Objective OBJECTIVE = Objective.maximize(METRIC);
    private static final ModelGuidedStrategy.Schedule SCHEDULE = new ModelGuidedStrategy.Schedule(10, 10, 2);

    private static PredictorEvolution<Nb201Cell> evolution(OraclePredictor predictor, long seed) {
        return new PredictorEvolution<>(Nb201Space.INSTANCE, OBJECTIVE, predictor, SCHEDULE, seed, 10, 100);
    }

    private static TrialResult evaluate(Trial<Nb201Cell> trial) {
        return TrialResult.ok(TABLE.metricsOf(trial.architecture()).orElseThrow());
    }

    @Test
    void fitsAreRequestedOnceTheirTrialsAreToldWhileTheLagKeepsSlotsBusy() {
        OraclePredictor predictor = new OraclePredictor(TABLE, METRIC, 0);
        PredictorEvolution<Nb201Cell> strategy = evolution(predictor, 1);
        List<Trial<Nb201Cell>> initial = strategy.ask(50);
        assertEquals(10, initial.size(), "only the random trials before the first model");
        assertTrue(strategy.awaitingModel());
        for (int i = 0; i < 9; i++) {
            strategy.tell(initial.get(i), evaluate(initial.get(i)));
        }
        assertTrue(strategy.takeFitRequest().isEmpty(), "trial 9 is still out");
        strategy.tell(initial.get(9), evaluate(initial.get(9)));
        ModelGuidedStrategy.FitRequest<Nb201Cell> first =
                strategy.takeFitRequest().orElseThrow();
        assertEquals(10, first.version());
        assertEquals(10, first.architectures().size());
        assertTrue(strategy.takeFitRequest().isEmpty(), "each request is handed out once");

        strategy.modelReady(first.version(), predictor.fit(first.architectures(), first.targets(), first.seed()));
        List<Trial<Nb201Cell>> second = strategy.ask(50);
        // ids 10..21 use model 10: its 10 proposals plus the lag of 2
        assertEquals(12, second.size());
        assertEquals(10, second.get(0).id());
        assertTrue(strategy.awaitingModel());
        for (int i = 0; i < 10; i++) { // ids 10..19 back, 20 and 21 still out
            strategy.tell(second.get(i), evaluate(second.get(i)));
        }
        ModelGuidedStrategy.FitRequest<Nb201Cell> next =
                strategy.takeFitRequest().orElseThrow();
        assertEquals(20, next.version());
        assertEquals(20, next.architectures().size(), "trials 0..19, not the 2 still out");
        // A failed fit: that version's proposals are random, and the search goes on.
        strategy.modelReady(next.version(), null);
        assertEquals(10, strategy.ask(50).size());
    }

    /** Runs a search of {@code budget} with at most {@code slots} trials out, telling in a seeded random order. */
    private static Map<Long, Nb201Cell> run(
            ModelGuidedStrategy<Nb201Cell> strategy, int budget, int slots, long tellOrder) {
        Map<Long, Nb201Cell> proposed = new LinkedHashMap<>();
        List<Trial<Nb201Cell>> out = new ArrayList<>();
        Random order = new Random(tellOrder);
        while (proposed.size() < budget || !out.isEmpty()) {
            int room = Math.min(slots - out.size(), budget - proposed.size());
            for (Trial<Nb201Cell> t : room > 0 ? strategy.ask(room) : List.<Trial<Nb201Cell>>of()) {
                proposed.put(t.id(), t.architecture());
                out.add(t);
            }
            if (out.isEmpty()) {
                strategy.fitPending();
                continue;
            }
            Trial<Nb201Cell> done = out.remove(order.nextInt(out.size()));
            strategy.tell(done, evaluate(done));
            if (order.nextBoolean()) {
                strategy.fitPending(); // models arrive sooner or later
            }
        }
        return proposed;
    }

    @Test
    void proposalsDependOnTheSeedNotOnTimingOrTellOrder() {
        Map<Long, Nb201Cell> a = run(evolution(new OraclePredictor(TABLE, METRIC, 0), 7), 60, 1, 1);
        Map<Long, Nb201Cell> b = run(evolution(new OraclePredictor(TABLE, METRIC, 0), 7), 60, 3, 2);
        Map<Long, Nb201Cell> c = run(evolution(new OraclePredictor(TABLE, METRIC, 0), 8), 60, 3, 2);
        assertEquals(a, b);
        assertFalse(a.equals(c), "another seed searches otherwise");
        Set<String> keys = new HashSet<>();
        a.values()
                .forEach(cell ->
                        assertTrue(keys.add(Nb201Space.INSTANCE.canonicalKey(cell)), "proposed twice: " + cell));
    }

    private static Ctnas<Nb201Cell> ctnas(long seed) {
        return new Ctnas<>(
                Nb201Space.INSTANCE, OBJECTIVE, new OraclePredictor(TABLE, METRIC, 0), SCHEDULE, seed, 0.2, 200, 50);
    }

    @Test
    void ctnasIsDeterministicPerSeed() {
        Map<Long, Nb201Cell> a = run(ctnas(3), 40, 1, 1);
        assertEquals(a, run(ctnas(3), 40, 3, 9));
        assertFalse(a.equals(run(ctnas(4), 40, 1, 1)));
    }

    /** NAO with its real encoder-predictor-decoder (short fits): same seed, same search. */
    @Test
    void naoIsDeterministicPerSeedAndNeverProposesACellTwice() {
        Map<Long, Nb201Cell> a = run(nao(5), 30, 1, 1);
        assertEquals(a, run(nao(5), 30, 3, 4));
        assertEquals(
                30,
                a.values().stream()
                        .map(Nb201Space.INSTANCE::canonicalKey)
                        .distinct()
                        .count());
    }

    private static NaoSearch<Nb201Cell> nao(long seed) {
        NaoPredictor<Nb201Cell> predictor =
                new NaoPredictor<>(Nb201Space.INSTANCE, NaoSettings.DEFAULTS.withEpochs(100));
        return new NaoSearch<>(Nb201Space.INSTANCE, OBJECTIVE, predictor, SCHEDULE, seed, 5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"predictor-evolution", "ctnas"})
    void aGoodPredictorFindsBetterCellsThanRandomSearch(String name) {
        double guided = 0;
        double random = 0;
        for (long seed = 1; seed <= 5; seed++) {
            ModelGuidedStrategy<Nb201Cell> strategy =
                    name.equals("ctnas") ? ctnas(seed) : evolution(new OraclePredictor(TABLE, METRIC, 0), seed);
            run(strategy, 50, 2, seed);
            guided += strategy.best().orElseThrow().score();
            RandomSearch<Nb201Cell> baseline = new RandomSearch<>(Nb201Space.INSTANCE, OBJECTIVE, seed);
            for (Trial<Nb201Cell> t : baseline.ask(50)) {
                baseline.tell(t, evaluate(t));
            }
            random += baseline.best().orElseThrow().score();
        }
        assertTrue(guided / 5 > random / 5 + 0.5, "guided " + guided / 5 + " vs random " + random / 5);
    }
}
