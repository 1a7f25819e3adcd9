package io.archipelago.predictors.gcn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.predictor.PredictorModel;
import io.archipelago.predictors.SyntheticCells;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class GcnPredictorTest {
    /** Short training for the tests that check behaviour rather than accuracy. */
    private static final GcnSettings QUICK = new GcnSettings(2, 16, 16, 20, 0, 1e-2, 1e-4, 1.0);

    private static final List<Nb201Cell> CELLS = SyntheticCells.sample(300, 7);
    private static final List<Nb201Cell> TRAIN = CELLS.subList(0, 150);
    private static final List<Nb201Cell> TEST = CELLS.subList(150, 300);

    @Test
    void learnsTheNumberOfConvolutions() {
        GcnPredictor<Nb201Cell> predictor = new GcnPredictor<>(Nb201Space.INSTANCE::graph);
        PredictorModel<Nb201Cell> model = predictor.fit(TRAIN, SyntheticCells.convolutions(TRAIN), 1);

        double tau = SyntheticCells.tau(model.predict(TEST), SyntheticCells.convolutions(TEST));
        // ties in the target cap tau-b at about 0.87 here; the predictor reaches it
        assertTrue(tau > 0.8, "held-out Kendall tau " + tau);
    }

    @Test
    void theSeedDeterminesTheModel() {
        GcnPredictor<Nb201Cell> predictor = new GcnPredictor<>(Nb201Space.INSTANCE::graph, QUICK);
        double[] targets = SyntheticCells.convolutions(TRAIN);

        double[] first = predictor.fit(TRAIN, targets, 3).predict(TEST);
        double[] again = predictor.fit(TRAIN, targets, 3).predict(TEST);
        double[] other = predictor.fit(TRAIN, targets, 4).predict(TEST);

        assertArrayEquals(first, again);
        assertFalse(Arrays.equals(first, other));
    }

    @Test
    void miniBatchesAreShuffledWithTheSeed() {
        GcnPredictor<Nb201Cell> predictor =
                new GcnPredictor<>(Nb201Space.INSTANCE::graph, new GcnSettings(2, 16, 16, 5, 32, 1e-2, 1e-4, 1.0));
        double[] targets = SyntheticCells.convolutions(TRAIN);

        double[] first = predictor.fit(TRAIN, targets, 3).predict(TEST);

        assertArrayEquals(first, predictor.fit(TRAIN, targets, 3).predict(TEST));
        assertFalse(Arrays.equals(first, predictor.fit(TRAIN, targets, 4).predict(TEST)));
    }

    @Test
    void rejectsBadObservations() {
        GcnPredictor<Nb201Cell> predictor = new GcnPredictor<>(Nb201Space.INSTANCE::graph, QUICK);
        List<Nb201Cell> cells = TRAIN.subList(0, 3);

        IllegalArgumentException sizes =
                assertThrows(IllegalArgumentException.class, () -> predictor.fit(cells, new double[] {1, 2}, 0));
        assertEquals("3 architectures but 2 targets", sizes.getMessage());
        IllegalArgumentException nan = assertThrows(
                IllegalArgumentException.class, () -> predictor.fit(cells, new double[] {1, Double.NaN, 2}, 0));
        assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> predictor.fit(cells.subList(0, 1), new double[] {1}, 0));
    }

    @Test
    void aModelAnswersFromSeveralThreadsWhileTheNextOneFits() {
        GcnPredictor<Nb201Cell> predictor = new GcnPredictor<>(Nb201Space.INSTANCE::graph, QUICK);
        double[] targets = SyntheticCells.convolutions(TRAIN);
        PredictorModel<Nb201Cell> model = predictor.fit(TRAIN, targets, 5);
        double[] expected = model.predict(TEST);

        AtomicBoolean fitting = new AtomicBoolean(true);
        List<CompletableFuture<Integer>> readers = List.of(1, 2).stream()
                .map(r -> CompletableFuture.supplyAsync(() -> {
                    int queries = 0;
                    while (fitting.get() || queries == 0) {
                        assertArrayEquals(expected, model.predict(TEST));
                        queries++;
                    }
                    return queries;
                }))
                .toList();
        try {
            predictor.fit(TRAIN, targets, 6);
        } finally {
            fitting.set(false);
        }
        for (CompletableFuture<Integer> reader : readers) {
            assertTrue(reader.join() > 0);
        }
        assertArrayEquals(expected, model.predict(TEST));
    }

    @Test
    void settingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new GcnSettings(0, 16, 16, 10, 0, 1e-3, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new GcnSettings(1, 16, 16, 10, 0, Double.NaN, 0, 0));
    }
}
