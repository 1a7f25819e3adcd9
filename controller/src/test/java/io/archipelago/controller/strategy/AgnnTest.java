package io.archipelago.controller.strategy;

import static io.archipelago.controller.strategy.StrategyFixtures.OBJECTIVE;
import static io.archipelago.controller.strategy.StrategyFixtures.SPACE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Op;
import io.archipelago.core.objective.Objective;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AgnnTest {
    private static final int WARMUP = 10;
    private static final Objective CONVS = Objective.maximize("convs");
    private static final int CONV = Nb201Op.NOR_CONV_3X3.ordinal();

    private static Agnn<Nb201Cell> agnn(long seed) {
        return new Agnn<>(SPACE, OBJECTIVE, seed, WARMUP, 0.2, 0.9);
    }

    /** How many edges carry a 3x3 convolution. */
    private static TrialResult convs(Nb201Cell cell) {
        int[] tokens = SPACE.tokens(cell);
        double convs = 0;
        for (int token : tokens) {
            convs += token == CONV ? 1 : 0;
        }
        return TrialResult.ok(Map.of("convs", convs));
    }

    private static List<String> keys(List<Trial<Nb201Cell>> trials) {
        return trials.stream().map(t -> SPACE.canonicalKey(t.architecture())).toList();
    }

    @Test
    void deterministicPerSeedAndNeverRepeatsACell() {
        List<Trial<Nb201Cell>> a = StrategyFixtures.run(agnn(5), 150);
        List<Trial<Nb201Cell>> b = StrategyFixtures.run(agnn(5), 150);
        List<Trial<Nb201Cell>> c = StrategyFixtures.run(agnn(6), 150);
        assertEquals(150, a.size());
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertEquals(a.size(), new HashSet<>(keys(a)).size(), "a canonical key was proposed twice");
    }

    @Test
    void afterWarmupChildrenChangeOneTokenOfTheIncumbentThenOfTheRunnersUp() {
        Agnn<Nb201Cell> strategy = agnn(3);
        Set<String> proposed = new HashSet<>();
        Map<Long, Observation<Nb201Cell>> observed = new HashMap<>();
        int children = 0;
        int ofRunnersUp = 0;
        for (int i = 0; i < 120; i++) {
            Optional<Observation<Nb201Cell>> incumbent = strategy.best();
            Trial<Nb201Cell> trial = strategy.ask(1).get(0);
            Optional<Agnn.Decision> decision = strategy.decision(trial.id());
            if (i < WARMUP) {
                assertTrue(decision.isEmpty(), "warmup trial " + i + " is a child");
            } else if (decision.isPresent()) {
                children++;
                Observation<Nb201Cell> parent = observed.get(decision.get().parent());
                assertEquals(parent.score(), decision.get().parentScore());
                int[] from = SPACE.tokens(parent.trial().architecture());
                int[] to = SPACE.tokens(trial.architecture());
                int changed = 0;
                for (int p = 0; p < from.length; p++) {
                    if (from[p] != to[p]) {
                        changed++;
                        assertEquals(decision.get().position(), p);
                        assertEquals(decision.get().from(), from[p]);
                        assertEquals(decision.get().to(), to[p]);
                    }
                }
                assertEquals(1, changed, "trial " + i + " changes " + changed + " positions");
                if (parent.trial().id() != incumbent.orElseThrow().trial().id()) {
                    // A runner-up is a parent only once every one-token neighbour of the incumbent was proposed.
                    ofRunnersUp++;
                    assertTrue(parent.score() <= incumbent.get().score());
                    assertNeighboursProposed(incumbent.get(), proposed, i);
                }
            } else {
                for (Observation<Nb201Cell> o : observed.values()) {
                    assertNeighboursProposed(o, proposed, i); // a random fallback: no parent has an unseen neighbour
                }
            }
            assertTrue(proposed.add(SPACE.canonicalKey(trial.architecture())));
            TrialResult result = StrategyFixtures.evaluate(trial);
            strategy.tell(trial, result);
            if (result.ok()) {
                observed.put(trial.id(), new Observation<>(trial, result.metrics(), OBJECTIVE.score(result.metrics())));
            }
            assertEquals(0, strategy.pending(), "decisions are forgotten on tell");
        }
        assertTrue(children >= 100, "only " + children + " of 110 trials after warmup were children");
        assertTrue(ofRunnersUp > 0, "no runner-up was ever a parent: the test shows nothing");
    }

    private static void assertNeighboursProposed(Observation<Nb201Cell> parent, Set<String> proposed, int trial) {
        int[] base = SPACE.tokens(parent.trial().architecture());
        for (int p = 0; p < base.length; p++) {
            for (int t = 0; t < SPACE.choices(p); t++) {
                int[] tokens = base.clone();
                tokens[p] = t;
                String key = SPACE.canonicalKey(SPACE.fromTokens(tokens));
                assertTrue(
                        proposed.contains(key),
                        "trial " + trial + ": " + key + " next to trial "
                                + parent.trial().id() + " is unseen");
            }
        }
    }

    @Test
    void thePolicyLearnsTheTokenThatAlwaysImproves() {
        // Changing any edge to a 3x3 convolution improves the incumbent by one; anything else does not.
        Agnn<Nb201Cell> strategy = new Agnn<>(SPACE, CONVS, 7, 5, 0.2, 0.9);
        for (int i = 0; i < 60; i++) {
            Trial<Nb201Cell> trial = strategy.ask(1).get(0);
            strategy.tell(trial, convs(trial.architecture()));
        }
        assertEquals(6.0, strategy.best().orElseThrow().score());
        double mean = 0;
        for (int p = 0; p < Nb201Cell.EDGES; p++) {
            mean += strategy.tokenProbability(p, CONV) / Nb201Cell.EDGES;
        }
        double[] means = new double[Nb201Cell.OPS];
        for (int t = 0; t < Nb201Cell.OPS; t++) {
            for (int p = 0; p < Nb201Cell.EDGES; p++) {
                means[t] += strategy.tokenProbability(p, t) / Nb201Cell.EDGES;
            }
        }
        for (int t = 0; t < Nb201Cell.OPS; t++) {
            if (t != CONV) {
                assertTrue(means[t] < means[CONV], "mean token probabilities " + Arrays.toString(means));
            }
        }
        assertTrue(mean > 0.25, "mean probability of the 3x3 convolution " + mean + " (uniform: 0.2)");
    }

    @Test
    void thePolicyLearnsThePositionThatAlwaysImproves() {
        // A synthetic objective told by hand: after a warmup scored by 3x3 convolutions (so the
        // incumbent is a connected cell with many distinct neighbours), changes at edge 2 gain one
        // and changes elsewhere lose one.
        int warmup = 20;
        Agnn<Nb201Cell> strategy = new Agnn<>(SPACE, CONVS, 11, warmup, 0.2, 0.9);
        for (int i = 0; i < warmup; i++) {
            Trial<Nb201Cell> trial = strategy.ask(1).get(0);
            strategy.tell(trial, convs(trial.architecture()));
        }
        int edge2Changes = 0;
        for (int i = 0; i < 40; i++) {
            Trial<Nb201Cell> trial = strategy.ask(1).get(0);
            Optional<Agnn.Decision> decision = strategy.decision(trial.id());
            double parent = strategy.best().orElseThrow().score();
            boolean edge2 = decision.isPresent() && decision.get().position() == 2;
            edge2Changes += edge2 ? 1 : 0;
            double score = decision.isEmpty() ? -100 : parent + (edge2 ? 1 : -1);
            strategy.tell(trial, TrialResult.ok(Map.of("convs", score)));
        }
        double probability = strategy.positionProbability(2);
        System.out.printf("edge 2: probability %.3f, %d of 40 changes%n", probability, edge2Changes);
        assertTrue(probability > 0.4, "probability of changing edge 2: " + probability + " (uniform: 1/6)");
    }

    @Test
    void asynchronousTellsInAnyOrder() {
        List<String> first = asynchronous(21);
        assertEquals(first, asynchronous(21));
        assertNotEquals(first, asynchronous(22));
    }

    /** Four slots, results told in a shuffled order, older trials' tells arriving after newer asks. */
    private static List<String> asynchronous(long seed) {
        Agnn<Nb201Cell> strategy = agnn(seed);
        Random finishing = new Random(seed);
        List<Trial<Nb201Cell>> inFlight = new ArrayList<>();
        List<String> log = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        double bestTold = Double.NEGATIVE_INFINITY;
        int children = 0;
        for (int round = 0; round < 40; round++) {
            List<Trial<Nb201Cell>> asked = strategy.ask(4 - inFlight.size());
            for (Trial<Nb201Cell> t : asked) {
                assertTrue(keys.add(SPACE.canonicalKey(t.architecture())), "repeated " + t);
                children += strategy.decision(t.id()).isPresent() ? 1 : 0;
                log.add("ask " + t.id() + " " + t.architecture());
            }
            inFlight.addAll(asked);
            Collections.shuffle(inFlight, finishing);
            int done = 1 + finishing.nextInt(inFlight.size());
            for (int i = 0; i < done; i++) {
                Trial<Nb201Cell> t = inFlight.remove(inFlight.size() - 1);
                TrialResult result = t.id() % 9 == 4 ? TrialResult.failed("crashed") : StrategyFixtures.evaluate(t);
                if (result.ok()) {
                    bestTold = Math.max(bestTold, OBJECTIVE.score(result.metrics()));
                }
                strategy.tell(t, result);
                log.add("tell " + t.id());
            }
        }
        for (Trial<Nb201Cell> t : inFlight) {
            strategy.tell(t, StrategyFixtures.evaluate(t));
            bestTold = Math.max(
                    bestTold, OBJECTIVE.score(StrategyFixtures.evaluate(t).metrics()));
        }
        assertEquals(0, strategy.pending(), "every decision is forgotten once told");
        assertTrue(children > 40, "children " + children);
        assertEquals(bestTold, strategy.best().orElseThrow().score());
        return log;
    }

    @Test
    void beatsRandomSearchOnNb201() {
        int seeds = 10;
        int budget = 100;
        double agnnSum = 0;
        double randomSum = 0;
        for (long seed = 0; seed < seeds; seed++) {
            Agnn<Nb201Cell> agnn = agnn(seed);
            StrategyFixtures.run(agnn, budget);
            agnnSum += StrategyFixtures.incumbentTestAccuracy(agnn);
            RandomSearch<Nb201Cell> random = new RandomSearch<>(SPACE, OBJECTIVE, seed);
            StrategyFixtures.run(random, budget);
            randomSum += StrategyFixtures.incumbentTestAccuracy(random);
        }
        double agnnMean = agnnSum / seeds;
        double randomMean = randomSum / seeds;
        System.out.printf(
                "NB201 cifar10, budget %d, %d seeds: agnn %.4f, random %.4f%n", budget, seeds, agnnMean, randomMean);
        assertTrue(agnnMean > randomMean, "agnn " + agnnMean + " vs random " + randomMean);
    }

    @Test
    void theFactoryBuildsItAsAgnn() {
        Strategy<Nb201Cell> strategy =
                StrategyFactory.create("agnn", SPACE, OBJECTIVE, 9, StrategyFactory.Options.DEFAULTS);
        assertInstanceOf(Agnn.class, strategy);
        assertEquals(
                StrategyFixtures.run(
                        new Agnn<>(
                                SPACE,
                                OBJECTIVE,
                                9,
                                StrategyFactory.AGNN_WARMUP,
                                StrategyFactory.AGNN_LEARNING_RATE,
                                StrategyFactory.AGNN_BASELINE_DECAY),
                        60),
                StrategyFixtures.run(strategy, 60));
    }

    @Test
    void badHyperParametersAreNamed() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new Agnn<>(SPACE, OBJECTIVE, 1, 10, 0, 0.9));
        assertTrue(e.getMessage().contains("learning rate"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Agnn<>(SPACE, OBJECTIVE, 1, 10, 0.1, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new Agnn<>(SPACE, OBJECTIVE, 1, -1, 0.1, 0.9));
    }
}
