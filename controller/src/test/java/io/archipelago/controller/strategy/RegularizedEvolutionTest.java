package io.archipelago.controller.strategy;

import static io.archipelago.controller.strategy.StrategyFixtures.CLASSES;
import static io.archipelago.controller.strategy.StrategyFixtures.OBJECTIVE;
import static io.archipelago.controller.strategy.StrategyFixtures.SPACE;
import static io.archipelago.controller.strategy.StrategyFixtures.TABLE;
import static io.archipelago.controller.strategy.StrategyFixtures.TEST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.controller.strategy.StrategyFixtures.RecordingSpace;
import io.archipelago.core.nb201.Nb201Cell;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RegularizedEvolutionTest {
    private static final int POPULATION = 30;
    private static final int SAMPLE = 5;

    private static RegularizedEvolution<Nb201Cell> evolution(long seed) {
        return new RegularizedEvolution<>(SPACE, OBJECTIVE, seed, POPULATION, SAMPLE);
    }

    private static int differingEdges(Nb201Cell a, Nb201Cell b) {
        int n = 0;
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            if (a.op(e) != b.op(e)) {
                n++;
            }
        }
        return n;
    }

    private static void assertNoCanonicalRepeats(List<Trial<Nb201Cell>> trials) {
        Map<String, Long> firstId = new HashMap<>();
        for (Trial<Nb201Cell> trial : trials) {
            Long earlier = firstId.putIfAbsent(SPACE.canonicalKey(trial.architecture()), trial.id());
            assertNull(
                    earlier,
                    () -> "trial " + trial.id() + " " + trial.architecture() + " is equivalent to an earlier trial");
        }
    }

    @Test
    void sameSeedSameSearch() {
        List<Trial<Nb201Cell>> a = StrategyFixtures.run(evolution(17), 300);
        List<Trial<Nb201Cell>> b = StrategyFixtures.run(evolution(17), 300);
        assertEquals(300, a.size());
        assertEquals(a, b);
        assertEquals(
                evolution(17).ask(POPULATION), a.subList(0, POPULATION), "the random seeding depends only on the seed");
    }

    @Test
    void differentSeedsDiffer() {
        List<Trial<Nb201Cell>> a = StrategyFixtures.run(evolution(1), 300);
        List<Trial<Nb201Cell>> b = StrategyFixtures.run(evolution(2), 300);
        assertNotEquals(
                a.stream().map(Trial::architecture).toList(),
                b.stream().map(Trial::architecture).toList());
    }

    @Test
    void idsAreConsecutiveAndNoFunctionIsProposedTwice() {
        List<Trial<Nb201Cell>> trials = StrategyFixtures.run(evolution(3), 1500);
        assertEquals(1500, trials.size());
        for (int i = 0; i < trials.size(); i++) {
            assertEquals(i, trials.get(i).id());
        }
        assertNoCanonicalRepeats(trials);
    }

    @Test
    void firstPopulationIsRandomThenChildrenAreOneEditMutationsOfLiveMembers() {
        int population = 10;
        RecordingSpace space = new RecordingSpace();
        RegularizedEvolution<Nb201Cell> strategy = new RegularizedEvolution<>(space, OBJECTIVE, 5, population, 3);
        Deque<Nb201Cell> window = new ArrayDeque<>(); // the last `population` successful tells
        List<Trial<Nb201Cell>> trials = new ArrayList<>();
        int children = 0;
        int mutatedChildren = 0;
        for (int i = 0; i < 400; i++) {
            int before = space.mutations.size();
            Trial<Nb201Cell> trial = strategy.ask(1).get(0);
            trials.add(trial);
            List<RecordingSpace.Mutation> made = space.mutations.subList(before, space.mutations.size());
            if (i < population) {
                assertTrue(made.isEmpty(), "trial " + i + " of the initial population came from a mutation");
            } else {
                children++;
                assertFalse(made.isEmpty(), "child " + i + " was not bred");
                for (RecordingSpace.Mutation m : made) {
                    // Aging: parents come from the population, which holds only the last `population` results.
                    assertTrue(
                            window.contains(m.parent()),
                            "trial " + i + ": parent " + m.parent() + " is not in the live population " + window);
                }
                RecordingSpace.Mutation last = made.get(made.size() - 1);
                if (last.child().equals(trial.architecture())) {
                    mutatedChildren++;
                    assertEquals(1, differingEdges(last.parent(), trial.architecture()));
                }
            }
            // Every third trial fails: failures never enter the population.
            if (i % 3 == 2) {
                strategy.tell(trial, TrialResult.failed("out of memory"));
            } else {
                strategy.tell(trial, StrategyFixtures.evaluate(trial));
                window.addLast(trial.architecture());
                if (window.size() > population) {
                    window.removeFirst();
                }
            }
        }
        // Children only fall back to a scan of the space when mutation keeps hitting old functions.
        assertTrue(mutatedChildren >= children * 0.95, mutatedChildren + " of " + children + " children are mutations");
        assertNoCanonicalRepeats(trials);
    }

    @Test
    void tournamentFavoursTheBetterMembers() {
        // With the whole population in every tournament (sample == population, drawn with
        // replacement), parents are mostly the best member of the population.
        int population = 8;
        RecordingSpace space = new RecordingSpace();
        RegularizedEvolution<Nb201Cell> strategy =
                new RegularizedEvolution<>(space, OBJECTIVE, 8, population, population);
        Map<Nb201Cell, Double> score = new HashMap<>();
        Deque<Nb201Cell> window = new ArrayDeque<>();
        int parents = 0;
        int aboveMedian = 0;
        for (int i = 0; i < 200; i++) {
            int before = space.mutations.size();
            Trial<Nb201Cell> trial = strategy.ask(1).get(0);
            for (RecordingSpace.Mutation m : space.mutations.subList(before, space.mutations.size())) {
                List<Double> scores = window.stream().map(score::get).sorted().toList();
                double median = scores.get(scores.size() / 2);
                parents++;
                if (score.get(m.parent()) >= median) {
                    aboveMedian++;
                }
            }
            TrialResult result = StrategyFixtures.evaluate(trial);
            score.put(trial.architecture(), OBJECTIVE.score(result.metrics()));
            strategy.tell(trial, result);
            window.addLast(trial.architecture());
            if (window.size() > population) {
                window.removeFirst();
            }
        }
        assertTrue(parents > 150);
        assertTrue(
                aboveMedian > parents * 0.9,
                aboveMedian + " of " + parents + " parents at or above the population median");
    }

    @Test
    void failedTellsLeaveThePopulationEmptySoAsksStayRandom() {
        RecordingSpace space = new RecordingSpace();
        RegularizedEvolution<Nb201Cell> strategy = new RegularizedEvolution<>(space, OBJECTIVE, 6, 10, 3);
        for (int i = 0; i < 50; i++) {
            Trial<Nb201Cell> trial = strategy.ask(1).get(0);
            assertEquals(i, trial.id());
            strategy.tell(trial, TrialResult.failed("node lost"));
        }
        assertTrue(space.mutations.isEmpty(), "bred from an empty population");
        assertTrue(strategy.best().isEmpty());
    }

    @Test
    void asynchronousAsksBeforeTellsAndOutOfOrderTells() {
        RecordingSpace space = new RecordingSpace();
        RegularizedEvolution<Nb201Cell> strategy = new RegularizedEvolution<>(space, OBJECTIVE, 4, 20, 5);
        List<Trial<Nb201Cell>> all = new ArrayList<>();

        // 50 out at once: the population is empty until something comes back, so all are random.
        List<Trial<Nb201Cell>> first = strategy.ask(50);
        assertEquals(50, first.size());
        assertTrue(space.mutations.isEmpty());
        all.addAll(first);

        // Five come back, in reverse order; the next asks breed only from those five.
        List<Trial<Nb201Cell>> back = new ArrayList<>(first.subList(10, 15));
        Collections.reverse(back);
        Set<Nb201Cell> told = new HashSet<>();
        for (Trial<Nb201Cell> trial : back) {
            strategy.tell(trial, StrategyFixtures.evaluate(trial));
            told.add(trial.architecture());
        }
        List<Trial<Nb201Cell>> second = strategy.ask(10);
        assertEquals(10, second.size());
        assertFalse(space.mutations.isEmpty());
        for (RecordingSpace.Mutation m : space.mutations) {
            assertTrue(told.contains(m.parent()), "parent " + m.parent() + " has not been told");
        }
        all.addAll(second);

        // The rest come back shuffled, interleaved with more asks.
        List<Trial<Nb201Cell>> pending = new ArrayList<>(all);
        pending.removeAll(back);
        Collections.shuffle(pending, new Random(99));
        Trial<Nb201Cell> best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Trial<Nb201Cell> trial : back) {
            double s = OBJECTIVE.score(StrategyFixtures.evaluate(trial).metrics());
            if (s > bestScore) {
                bestScore = s;
                best = trial;
            }
        }
        while (!pending.isEmpty()) {
            Trial<Nb201Cell> trial = pending.remove(pending.size() - 1);
            TrialResult result = StrategyFixtures.evaluate(trial);
            if (OBJECTIVE.score(result.metrics()) > bestScore) {
                bestScore = OBJECTIVE.score(result.metrics());
                best = trial;
            }
            strategy.tell(trial, result);
            if (all.size() < 200) {
                List<Trial<Nb201Cell>> more = strategy.ask(2);
                assertEquals(2, more.size());
                all.addAll(more);
                pending.addAll(more);
                Collections.shuffle(pending, new Random(all.size()));
            }
        }
        assertEquals(200, all.size());
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i, all.get(i).id(), "ids are consecutive over interleaved asks");
        }
        assertNoCanonicalRepeats(all);
        assertEquals(best, strategy.best().orElseThrow().trial());
    }

    @Test
    void asynchronousRunIsDeterministicForTheSameAsksAndTells() {
        List<Long> a = asyncRun(31);
        List<Long> b = asyncRun(31);
        assertEquals(a, b);
        assertNotEquals(a, asyncRun(32));
    }

    /** Eight trials out at a time, results back in a seeded shuffled order; returns the cell codes. */
    private static List<Long> asyncRun(long seed) {
        RegularizedEvolution<Nb201Cell> strategy = evolution(seed);
        Random order = new Random(1234);
        List<Trial<Nb201Cell>> out = new ArrayList<>(strategy.ask(8));
        List<Long> codes = new ArrayList<>();
        out.forEach(t -> codes.add((long) t.architecture().code()));
        while (codes.size() < 300) {
            Trial<Nb201Cell> done = out.remove(order.nextInt(out.size()));
            strategy.tell(done, StrategyFixtures.evaluate(done));
            Trial<Nb201Cell> next = strategy.ask(1).get(0);
            out.add(next);
            codes.add((long) next.architecture().code());
        }
        return codes;
    }

    @Test
    void exhaustsTheSpaceWithoutRepeatingThenProposesNothing() {
        RegularizedEvolution<Nb201Cell> strategy = evolution(12);
        List<Trial<Nb201Cell>> trials = new ArrayList<>();
        assertTimeoutPreemptively(
                Duration.ofSeconds(60), () -> trials.addAll(StrategyFixtures.run(strategy, CLASSES + 100)));
        assertEquals(CLASSES, trials.size());
        assertNoCanonicalRepeats(trials);
        assertTrue(strategy.ask(5).isEmpty());
        // The incumbent is then the best class of the whole table by validation accuracy.
        double bestValid = TABLE.entries().stream()
                .mapToDouble(e -> e.values()[TABLE.metricIndex(StrategyFixtures.VALID)])
                .max()
                .orElseThrow();
        assertEquals(bestValid, strategy.best().orElseThrow().score(), 1e-9);
    }

    @Test
    void rejectsBadHyperParameters() {
        assertThrows(IllegalArgumentException.class, () -> new RegularizedEvolution<>(SPACE, OBJECTIVE, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new RegularizedEvolution<>(SPACE, OBJECTIVE, 0, 10, 0));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new RegularizedEvolution<>(SPACE, OBJECTIVE, 0, 10, 11));
        assertTrue(e.getMessage().contains("population=10") && e.getMessage().contains("sample=11"), e.getMessage());
    }

    @Test
    void beatsRandomSearchOnNb201() {
        int seeds = 20;
        int budget = 300;
        double evolutionSum = 0;
        double randomSum = 0;
        for (long seed = 0; seed < seeds; seed++) {
            RegularizedEvolution<Nb201Cell> evolution = evolution(seed);
            StrategyFixtures.run(evolution, budget);
            evolutionSum += StrategyFixtures.incumbentTestAccuracy(evolution);
            RandomSearch<Nb201Cell> random = new RandomSearch<>(SPACE, OBJECTIVE, seed);
            StrategyFixtures.run(random, budget);
            randomSum += StrategyFixtures.incumbentTestAccuracy(random);
        }
        double evolutionMean = evolutionSum / seeds;
        double randomMean = randomSum / seeds;
        double bestTest = TABLE.entries().stream()
                .mapToDouble(e -> e.values()[TABLE.metricIndex(TEST)])
                .max()
                .orElseThrow();
        System.out.printf(
                "NB201 cifar10, budget %d, %d seeds: evolution %.4f, random %.4f (best %.4f)%n",
                budget, seeds, evolutionMean, randomMean, bestTest);
        assertEquals(94.3733, bestTest, 1e-4);
        assertTrue(evolutionMean >= 94.20, "evolution mean test accuracy " + evolutionMean);
        assertTrue(evolutionMean > randomMean, "evolution " + evolutionMean + " vs random " + randomMean);
    }
}
