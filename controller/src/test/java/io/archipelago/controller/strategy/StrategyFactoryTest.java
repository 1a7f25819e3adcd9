package io.archipelago.controller.strategy;

import static io.archipelago.controller.strategy.StrategyFixtures.OBJECTIVE;
import static io.archipelago.controller.strategy.StrategyFixtures.SPACE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.controller.strategy.StrategyFixtures.RecordingSpace;
import io.archipelago.core.nb201.Nb201Cell;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StrategyFactoryTest {
    private static final StrategyFactory.Options DEFAULTS = StrategyFactory.Options.DEFAULTS;

    @Test
    void knownNames() {
        assertTrue(StrategyFactory.NAMES.containsAll(List.of("evolution", "random")), StrategyFactory.NAMES.toString());
        assertEquals(
                StrategyFactory.NAMES.size(), Set.copyOf(StrategyFactory.NAMES).size(), "names are unique");
        for (String name : List.of("evolution", "random")) {
            Strategy<Nb201Cell> strategy = StrategyFactory.create(name, SPACE, OBJECTIVE, 1, DEFAULTS);
            assertEquals(3, strategy.ask(3).size(), name);
        }
    }

    @Test
    void randomIsNoveltyRandomSearchWithTheSeed() {
        Strategy<Nb201Cell> strategy = StrategyFactory.create("random", SPACE, OBJECTIVE, 77, DEFAULTS);
        assertInstanceOf(RandomSearch.class, strategy);
        assertEquals(new RandomSearch<>(SPACE, OBJECTIVE, 77).ask(300), strategy.ask(300));
    }

    @Test
    void evolutionUsesTheSeedAndTheOptions() {
        Strategy<Nb201Cell> strategy = StrategyFactory.create("evolution", SPACE, OBJECTIVE, 5, DEFAULTS);
        assertInstanceOf(RegularizedEvolution.class, strategy);
        assertEquals(DEFAULTS, new StrategyFactory.Options(30, 5));
        assertEquals(
                StrategyFixtures.run(new RegularizedEvolution<>(SPACE, OBJECTIVE, 5, 30, 5), 200),
                StrategyFixtures.run(strategy, 200));

        // A population of 4: the fifth trial is already bred, from the four told.
        RecordingSpace space = new RecordingSpace();
        Strategy<Nb201Cell> small =
                StrategyFactory.create("evolution", space, OBJECTIVE, 5, new StrategyFactory.Options(4, 2));
        StrategyFixtures.run(small, 4);
        assertTrue(space.mutations.isEmpty());
        StrategyFixtures.run(small, 1);
        assertFalse(space.mutations.isEmpty(), "population option ignored");
    }

    @Test
    void invalidOptionsAreRejectedByEvolution() {
        assertThrows(
                IllegalArgumentException.class,
                () -> StrategyFactory.create("evolution", SPACE, OBJECTIVE, 0, new StrategyFactory.Options(5, 6)));
        // Random search has no hyper-parameters, so the same options are fine for it.
        StrategyFactory.create("random", SPACE, OBJECTIVE, 0, new StrategyFactory.Options(5, 6));
    }

    @Test
    void everyListedNameIsKnownToCreate() {
        // A listed name may reject these options or this space, but never as an unknown strategy.
        for (String name : StrategyFactory.NAMES) {
            try {
                StrategyFactory.create(name, SPACE, OBJECTIVE, 1, DEFAULTS);
            } catch (IllegalArgumentException e) {
                assertFalse(e.getMessage().startsWith("unknown strategy"), name + ": " + e.getMessage());
                assertTrue(
                        e.getMessage().contains(name) || e.getMessage().contains(SPACE.id()),
                        name + ": " + e.getMessage());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bayesian", "Random", "EVOLUTION", "", "random "})
    void unknownNameIsRejectedNamingItAndTheKnownOnes(String name) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> StrategyFactory.create(name, SPACE, OBJECTIVE, 0, DEFAULTS));
        String message = e.getMessage();
        assertTrue(message.contains("'" + name + "'"), message);
        for (String known : StrategyFactory.NAMES) {
            assertTrue(message.contains(known), message + " does not list " + known);
        }
    }
}
