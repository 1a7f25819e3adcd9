package io.archipelago.controller.strategy;

import static io.archipelago.controller.strategy.StrategyFixtures.CLASSES;
import static io.archipelago.controller.strategy.StrategyFixtures.OBJECTIVE;
import static io.archipelago.controller.strategy.StrategyFixtures.SPACE;
import static io.archipelago.controller.strategy.StrategyFixtures.TABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Cell;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomSearchTest {

    private static List<Trial<Nb201Cell>> askOneByOne(RandomSearch<Nb201Cell> strategy, int n) {
        List<Trial<Nb201Cell>> trials = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Trial<Nb201Cell>> one = strategy.ask(1);
            assertEquals(1, one.size(), "ask(1) number " + i);
            trials.add(one.get(0));
        }
        return trials;
    }

    private static void assertConsecutiveIds(List<Trial<Nb201Cell>> trials) {
        for (int i = 0; i < trials.size(); i++) {
            assertEquals(i, trials.get(i).id(), "trial " + i + " id");
        }
    }

    @Test
    void sameSeedProposesTheSameSequence() {
        List<Trial<Nb201Cell>> a = askOneByOne(new RandomSearch<>(SPACE, OBJECTIVE, 42), 500);
        List<Trial<Nb201Cell>> b = askOneByOne(new RandomSearch<>(SPACE, OBJECTIVE, 42), 500);
        assertEquals(a, b);
    }

    @Test
    void batchSizeOfAsksDoesNotChangeTheSequence() {
        List<Trial<Nb201Cell>> single = askOneByOne(new RandomSearch<>(SPACE, OBJECTIVE, 7), 500);
        RandomSearch<Nb201Cell> batched = new RandomSearch<>(SPACE, OBJECTIVE, 7);
        List<Trial<Nb201Cell>> trials = new ArrayList<>();
        while (trials.size() < 500) {
            trials.addAll(batched.ask(Math.min(37, 500 - trials.size())));
        }
        assertEquals(single, trials);
    }

    @Test
    void tellsDoNotChangeTheSequence() {
        List<Trial<Nb201Cell>> silent = askOneByOne(new RandomSearch<>(SPACE, OBJECTIVE, 11), 200);
        List<Trial<Nb201Cell>> told = StrategyFixtures.run(new RandomSearch<>(SPACE, OBJECTIVE, 11), 200);
        assertEquals(silent, told);
    }

    @Test
    void differentSeedsProposeDifferentSequences() {
        List<Nb201Cell> a = askOneByOne(new RandomSearch<>(SPACE, OBJECTIVE, 1), 500).stream()
                .map(Trial::architecture)
                .toList();
        List<Nb201Cell> b = askOneByOne(new RandomSearch<>(SPACE, OBJECTIVE, 2), 500).stream()
                .map(Trial::architecture)
                .toList();
        assertNotEquals(a, b);
        // Not merely shifted or mostly equal: two independent streams rarely agree position-wise.
        long samePosition = 0;
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).equals(b.get(i))) {
                samePosition++;
            }
        }
        assertTrue(samePosition < 10, "seeds 1 and 2 agree at " + samePosition + " of 500 positions");
    }

    @Test
    void idsAreConsecutiveFromZeroAcrossAsks() {
        RandomSearch<Nb201Cell> strategy = new RandomSearch<>(SPACE, OBJECTIVE, 3);
        List<Trial<Nb201Cell>> trials = new ArrayList<>();
        trials.addAll(strategy.ask(5));
        assertTrue(strategy.ask(0).isEmpty(), "ask(0) proposes nothing");
        trials.addAll(strategy.ask(1));
        trials.addAll(strategy.ask(20));
        assertEquals(26, trials.size());
        assertConsecutiveIds(trials);
    }

    @Test
    void proposesEveryCanonicalClassExactlyOnceThenReportsExhaustion() {
        RandomSearch<Nb201Cell> strategy = new RandomSearch<>(SPACE, OBJECTIVE, 5);
        List<Trial<Nb201Cell>> trials = new ArrayList<>();
        Map<String, Long> firstIdOfKey = new HashMap<>();
        List<Integer> batchSizes = new ArrayList<>();
        // Bounded loop: a strategy that loops or keeps proposing would fail here, not hang.
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int round = 0; round < 20; round++) {
                List<Trial<Nb201Cell>> batch = strategy.ask(1000);
                batchSizes.add(batch.size());
                if (batch.isEmpty()) {
                    break;
                }
                trials.addAll(batch);
            }
        });
        assertEquals(List.of(1000, 1000, 1000, 1000, 1000, 425, 0), batchSizes);
        assertEquals(CLASSES, trials.size());
        assertConsecutiveIds(trials);
        for (Trial<Nb201Cell> trial : trials) {
            Long earlier = firstIdOfKey.putIfAbsent(SPACE.canonicalKey(trial.architecture()), trial.id());
            assertNull(
                    earlier,
                    () -> "trial " + trial.id() + " " + trial.architecture() + " repeats trial "
                            + firstIdOfKey.get(SPACE.canonicalKey(trial.architecture())));
        }
        Set<String> tableKeys = new HashSet<>();
        TABLE.entries().forEach(e -> tableKeys.add(e.canonicalKey()));
        assertEquals(tableKeys, firstIdOfKey.keySet(), "every class of the space was proposed");
        // Exhausted for good, and asking again neither throws nor advances the ids.
        assertTrue(strategy.ask(1).isEmpty());
        assertTrue(strategy.ask(100).isEmpty());
    }

    @Test
    void withRepeatsDrawsWithReplacementPastTheSizeOfTheSpace() {
        RandomSearch<Nb201Cell> strategy = RandomSearch.withRepeats(SPACE, OBJECTIVE, 9);
        List<Trial<Nb201Cell>> trials = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            trials.addAll(strategy.ask(5_000));
        }
        assertEquals(20_000, trials.size(), "repeats allowed: never exhausted");
        assertConsecutiveIds(trials);
        Set<String> keys = new HashSet<>();
        Set<Nb201Cell> cells = new HashSet<>();
        long repeatedKeysInFirst500 = 0;
        for (int i = 0; i < trials.size(); i++) {
            Nb201Cell cell = trials.get(i).architecture();
            cells.add(cell);
            if (!keys.add(SPACE.canonicalKey(cell)) && i < 500) {
                repeatedKeysInFirst500++;
            }
        }
        assertTrue(cells.size() < trials.size(), "identical cells repeat");
        assertTrue(keys.size() <= CLASSES);
        // Uniform over 15,625 cells in 5,425 classes: 500 draws already repeat classes often.
        assertTrue(repeatedKeysInFirst500 > 0, "no canonical repeat in 500 draws with replacement");
    }

    @Test
    void withRepeatsIsDeterministicPerSeed() {
        List<Trial<Nb201Cell>> a =
                RandomSearch.withRepeats(SPACE, OBJECTIVE, 13).ask(1000);
        List<Trial<Nb201Cell>> b =
                RandomSearch.withRepeats(SPACE, OBJECTIVE, 13).ask(1000);
        List<Trial<Nb201Cell>> c =
                RandomSearch.withRepeats(SPACE, OBJECTIVE, 14).ask(1000);
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void bestIsTheTrialWithTheHighestValidationAccuracyAndIgnoresFailures() {
        RandomSearch<Nb201Cell> strategy = new RandomSearch<>(SPACE, OBJECTIVE, 21);
        assertTrue(strategy.best().isEmpty(), "no incumbent before any tell");
        List<Trial<Nb201Cell>> trials = strategy.ask(100);
        Trial<Nb201Cell> expected = null;
        double expectedScore = Double.NEGATIVE_INFINITY;
        for (Trial<Nb201Cell> trial : trials) {
            TrialResult result = StrategyFixtures.evaluate(trial);
            if (trial.id() % 10 == 3) {
                strategy.tell(trial, TrialResult.failed("evaluator crashed"));
                continue;
            }
            double valid = result.metrics().get(StrategyFixtures.VALID);
            if (valid > expectedScore) {
                expectedScore = valid;
                expected = trial;
            }
            strategy.tell(trial, result);
        }
        Observation<Nb201Cell> best = strategy.best().orElseThrow();
        assertEquals(expected, best.trial());
        assertEquals(expectedScore, best.score());
    }
}
