package io.archipelago.predictors.nac;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.predictors.SyntheticCells;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class NacComparatorTest {
    /** Short training for the tests that check behaviour rather than accuracy. */
    private static final NacSettings QUICK = new NacSettings(2, 16, 16, 20, 0, 1e-2, 1e-4);

    private static final List<Nb201Cell> CELLS = SyntheticCells.sample(300, 11);
    private static final List<Nb201Cell> TRAIN = CELLS.subList(0, 150);
    private static final List<Nb201Cell> TEST = CELLS.subList(150, 300);

    @Test
    void learnsToCompareByTheNumberOfConvolutions() {
        NacModel<Nb201Cell> model = new NacComparator<Nb201Cell>(Nb201Space.INSTANCE::graph)
                .fit(TRAIN, SyntheticCells.convolutions(TRAIN), 1);
        double[] truth = SyntheticCells.convolutions(TEST);

        double[][] p = model.probabilities(TEST, TEST);
        int right = 0;
        int pairs = 0;
        for (int i = 0; i < truth.length; i++) {
            for (int j = 0; j < truth.length; j++) {
                if (truth[i] != truth[j]) {
                    pairs++;
                    right += (p[i][j] > 0.5) == (truth[i] > truth[j]) ? 1 : 0;
                }
            }
        }
        assertTrue(right > 0.95 * pairs, "pairwise accuracy " + (double) right / pairs);
        double tau = SyntheticCells.tau(model.predict(TEST), truth);
        // ties in the target cap tau-b at about 0.87 here
        assertTrue(tau > 0.8, "held-out Kendall tau of the mean win probability " + tau);
    }

    @Test
    void compareIsAProbabilityAndAntisymmetric() {
        NacModel<Nb201Cell> model = new NacComparator<Nb201Cell>(Nb201Space.INSTANCE::graph, QUICK)
                .fit(TRAIN, SyntheticCells.convolutions(TRAIN), 2);

        for (int i = 0; i + 1 < 20; i++) {
            Nb201Cell a = TEST.get(i);
            Nb201Cell b = TEST.get(i + 1);
            double ab = model.compare(a, b);
            assertTrue(ab >= 0 && ab <= 1, "compare gave " + ab);
            assertEquals(1, ab + model.compare(b, a), 1e-6);
            assertEquals(0.5, model.compare(a, a), 1e-6);
        }
    }

    @Test
    void theSeedDeterminesTheModel() {
        NacComparator<Nb201Cell> comparator = new NacComparator<>(Nb201Space.INSTANCE::graph, QUICK);
        double[] targets = SyntheticCells.convolutions(TRAIN);

        double[] first = comparator.fit(TRAIN, targets, 3).predict(TEST);
        double[] again = comparator.fit(TRAIN, targets, 3).predict(TEST);
        double[] other = comparator.fit(TRAIN, targets, 4).predict(TEST);

        assertArrayEquals(first, again);
        assertFalse(Arrays.equals(first, other));
    }

    @Test
    void rejectsBadObservations() {
        NacComparator<Nb201Cell> comparator = new NacComparator<>(Nb201Space.INSTANCE::graph, QUICK);
        List<Nb201Cell> cells = TRAIN.subList(0, 3);

        IllegalArgumentException sizes =
                assertThrows(IllegalArgumentException.class, () -> comparator.fit(cells, new double[] {1, 2}, 0));
        assertEquals("3 architectures but 2 targets", sizes.getMessage());
        IllegalArgumentException nan = assertThrows(
                IllegalArgumentException.class, () -> comparator.fit(cells, new double[] {1, 2, Double.NaN}, 0));
        assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
    }

    @Test
    void aModelAnswersFromSeveralThreadsWhileTheNextOneFits() {
        NacComparator<Nb201Cell> comparator = new NacComparator<>(Nb201Space.INSTANCE::graph, QUICK);
        double[] targets = SyntheticCells.convolutions(TRAIN);
        NacModel<Nb201Cell> model = comparator.fit(TRAIN, targets, 5);
        double[] expected = model.predict(TEST);
        double expectedPair = model.compare(TEST.get(0), TEST.get(1));

        AtomicBoolean fitting = new AtomicBoolean(true);
        List<CompletableFuture<Integer>> readers = List.of(1, 2).stream()
                .map(r -> CompletableFuture.supplyAsync(() -> {
                    int queries = 0;
                    while (fitting.get() || queries == 0) {
                        assertArrayEquals(expected, model.predict(TEST));
                        assertEquals(expectedPair, model.compare(TEST.get(0), TEST.get(1)));
                        queries++;
                    }
                    return queries;
                }))
                .toList();
        try {
            comparator.fit(TRAIN, targets, 6);
        } finally {
            fitting.set(false);
        }
        for (CompletableFuture<Integer> reader : readers) {
            assertTrue(reader.join() > 0);
        }
    }
}
