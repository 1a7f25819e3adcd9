package io.archipelago.predictors.nao;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.predictors.SyntheticCells;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.commons.math3.stat.correlation.KendallsCorrelation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NaoPredictorTest {
    private static final NaoPredictor<Nb201Cell> PREDICTOR = new NaoPredictor<>(Nb201Space.INSTANCE);
    /** Enough to tell seeds apart and check the plumbing; far from a trained model. */
    private static final NaoPredictor<Nb201Cell> QUICK =
            new NaoPredictor<>(Nb201Space.INSTANCE, NaoSettings.DEFAULTS.withEpochs(10));

    private static List<Nb201Cell> train;
    private static List<Nb201Cell> test;
    private static NaoModel<Nb201Cell> model;

    /** One model of the number of convolutions, a target NAO must be able to learn, shared by the tests. */
    @BeforeAll
    static void fitSyntheticModel() {
        List<Nb201Cell> cells = SyntheticCells.sample(500, 7);
        train = cells.subList(0, 100);
        test = cells.subList(100, 500);
        model = PREDICTOR.fit(train, SyntheticCells.convolutions(train), 7);
    }

    @Test
    void learnsTheNumberOfConvolutions() {
        double tau = new KendallsCorrelation().correlation(model.predict(test), SyntheticCells.convolutions(test));
        assertTrue(tau >= 0.75, "held-out Kendall tau " + tau);
    }

    @Test
    void decoderReconstructsItsTrainingCells() {
        long exact = train.stream()
                .filter(cell -> cell.equals(model.reconstruct(cell)))
                .count();
        assertTrue(exact >= 95, exact + " of 100 training cells reconstructed exactly");
    }

    @Test
    void proposalsAreNewValidAndBetterOnAverage() {
        Set<Nb201Cell> seen = new HashSet<>(train);
        List<Nb201Cell> starts = test.stream()
                .filter(cell -> SyntheticCells.convolutions(List.of(cell))[0] <= 3)
                .limit(20)
                .toList();
        double predictedGain = 0;
        double trueGain = 0;
        int proposals = 0;
        for (Nb201Cell start : starts) {
            seen.add(start);
            double startPredicted = model.predict(List.of(start))[0];
            double startTrue = SyntheticCells.convolutions(List.of(start))[0];
            for (Nb201Cell proposal : model.propose(start, 2, seen::contains)) {
                assertNotEquals(start, proposal);
                assertFalse(seen.contains(proposal), proposal + " was excluded");
                assertEquals(proposal, Nb201Space.INSTANCE.fromTokens(Nb201Space.INSTANCE.tokens(proposal)));
                predictedGain += model.predict(List.of(proposal))[0] - startPredicted;
                trueGain += SyntheticCells.convolutions(List.of(proposal))[0] - startTrue;
                proposals++;
            }
        }
        assertTrue(proposals >= starts.size(), proposals + " proposals from " + starts.size() + " starts");
        assertTrue(predictedGain / proposals > 0, "mean predicted gain " + predictedGain / proposals);
        assertTrue(trueGain / proposals > 0, "mean true gain " + trueGain / proposals);
    }

    @Test
    void proposeNeverReturnsExcludedCells() {
        Nb201Cell start = test.get(0);
        List<Nb201Cell> first = model.propose(start, 3, cell -> false);
        assertFalse(first.isEmpty());
        Set<Nb201Cell> excluded = new HashSet<>(first);
        List<Nb201Cell> second = model.propose(start, 3, excluded::contains);
        assertTrue(second.stream().noneMatch(excluded::contains), first + " then " + second);
        assertThrows(IllegalArgumentException.class, () -> model.propose(start, 0, cell -> false));
    }

    @Test
    void embeddingGradientMatchesFiniteDifferences() {
        SplittableRandom random = new SplittableRandom(3);
        double h = 1e-6;
        for (Nb201Cell cell : test.subList(0, 5)) {
            double[] e = model.embed(cell);
            // Off the encoder's image too: propose() queries the predictor at moved embeddings.
            double[] moved = e.clone();
            for (int i = 0; i < moved.length; i++) {
                moved[i] += 0.1 * (2 * random.nextDouble() - 1);
            }
            for (double[] point : List.of(e, moved)) {
                double[] gradient = model.predictorGradient(point);
                for (int i = 0; i < point.length; i++) {
                    double[] plus = point.clone();
                    double[] minus = point.clone();
                    plus[i] += h;
                    minus[i] -= h;
                    double numeric = (model.predictEmbedding(plus) - model.predictEmbedding(minus)) / (2 * h);
                    assertEquals(
                            numeric, gradient[i], 1e-6 + 1e-5 * Math.abs(numeric), "component " + i + " at " + cell);
                }
            }
        }
    }

    @Test
    void predictionsAreTheEmbeddingScores() {
        Nb201Cell cell = test.get(1);
        assertEquals(model.predictEmbedding(model.embed(cell)), model.predict(List.of(cell))[0]);
    }

    @Test
    void sameSeedSameModel() {
        List<Nb201Cell> cells = train.subList(0, 30);
        double[] targets = SyntheticCells.convolutions(cells);
        double[] first = QUICK.fit(cells, targets, 11).predict(test);
        double[] second = QUICK.fit(cells, targets, 11).predict(test);
        double[] otherSeed = QUICK.fit(cells, targets, 12).predict(test);
        assertArrayEquals(first, second);
        assertFalse(Arrays.equals(first, otherSeed));
    }

    @Test
    void rejectsBadObservations() {
        List<Nb201Cell> cells = train.subList(0, 3);
        IllegalArgumentException sizes =
                assertThrows(IllegalArgumentException.class, () -> PREDICTOR.fit(cells, new double[] {1, 2}, 0));
        assertTrue(sizes.getMessage().contains("3 architectures but 2 targets"), sizes.getMessage());
        IllegalArgumentException nan = assertThrows(
                IllegalArgumentException.class, () -> PREDICTOR.fit(cells, new double[] {1, Double.NaN, 2}, 0));
        assertTrue(nan.getMessage().contains("target 1") && nan.getMessage().contains("NaN"), nan.getMessage());
    }

    @Test
    void rankScoresAreCentredAndShareTies() {
        double[] scores = NaoPredictor.rankScores(new double[] {10, 93, 91, 93});
        assertEquals(0, Arrays.stream(scores).sum(), 1e-12);
        assertEquals(scores[1], scores[3]);
        assertTrue(scores[0] < scores[2] && scores[2] < scores[1]);
    }

    @Test
    void answersQueriesFromTwoThreadsWhileAnotherFitRuns() throws Exception {
        double[] expected = model.predict(test);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<NaoModel<Nb201Cell>> fit =
                    pool.submit(() -> QUICK.fit(train, SyntheticCells.convolutions(train), 5));
            List<Future<Boolean>> queries = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                queries.add(pool.submit(() -> {
                    boolean same = true;
                    do {
                        same &= Arrays.equals(expected, model.predict(test));
                    } while (!fit.isDone());
                    return same;
                }));
            }
            for (Future<Boolean> query : queries) {
                assertTrue(query.get(60, TimeUnit.SECONDS), "a concurrent query disagreed");
            }
            assertEquals(test.size(), fit.get(60, TimeUnit.SECONDS).predict(test).length);
        } finally {
            pool.shutdownNow();
        }
    }
}
