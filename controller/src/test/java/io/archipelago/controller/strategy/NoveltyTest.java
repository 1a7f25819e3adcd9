package io.archipelago.controller.strategy;

import static io.archipelago.controller.strategy.StrategyFixtures.CLASSES;
import static io.archipelago.controller.strategy.StrategyFixtures.SPACE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Op;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class NoveltyTest {
    private static final Nb201Op N = Nb201Op.NONE;
    private static final Nb201Op S = Nb201Op.SKIP_CONNECT;
    private static final Nb201Op C3 = Nb201Op.NOR_CONV_3X3;

    @Test
    void claimRejectsTheSameCellAndCellsComputingTheSameFunction() {
        Novelty<Nb201Cell> novelty = new Novelty<>(SPACE);
        // Edges 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2.
        Nb201Cell conv = Nb201Cell.of(N, N, N, C3, N, N); // out = conv(x)
        Nb201Cell viaSkips = Nb201Cell.of(S, N, N, N, C3, N); // out = conv(skip(x)) = conv(x)
        Nb201Cell deadBranch = Nb201Cell.of(C3, N, N, C3, N, N); // node 1 never reaches the output
        Nb201Cell different = Nb201Cell.of(N, N, N, Nb201Op.NOR_CONV_1X1, N, N);
        assertTrue(novelty.claim(conv));
        assertFalse(novelty.claim(conv));
        assertFalse(novelty.claim(viaSkips));
        assertFalse(novelty.claim(deadBranch));
        assertTrue(novelty.claim(different));
    }

    @Test
    void drawReturnsTheFirstNewCandidateOfTheGenerator() {
        Novelty<Nb201Cell> novelty = new Novelty<>(SPACE);
        Nb201Cell seen = Nb201Cell.of(N, N, N, C3, N, N);
        Nb201Cell fresh = Nb201Cell.of(N, N, N, S, N, N);
        novelty.claim(seen);
        List<Nb201Cell> stream = List.of(seen, Nb201Cell.of(S, N, N, N, C3, N), fresh, seen);
        AtomicInteger calls = new AtomicInteger();
        Optional<Nb201Cell> drawn = novelty.draw(() -> stream.get(calls.getAndIncrement()), 10);
        assertEquals(Optional.of(fresh), drawn);
        assertEquals(3, calls.get(), "stops drawing at the first new candidate");
        assertFalse(novelty.claim(fresh), "a drawn candidate is claimed");
    }

    @Test
    void fallsBackToScanningTheSpaceInOrderAfterTheTriesAreSpent() {
        Novelty<Nb201Cell> novelty = new Novelty<>(SPACE);
        Nb201Cell zero = new Nb201Cell(0); // all edges none: the zero function
        novelty.claim(zero);
        AtomicInteger calls = new AtomicInteger();
        Optional<Nb201Cell> drawn = novelty.draw(
                () -> {
                    calls.incrementAndGet();
                    return zero;
                },
                25);
        assertEquals(25, calls.get(), "exactly `tries` draws before the scan");
        // The scan yields the first cell, in enumeration order, that is not the zero function.
        Nb201Cell expected = SPACE.enumerate()
                .filter(c -> !SPACE.canonicalKey(c).equals(SPACE.canonicalKey(zero)))
                .findFirst()
                .orElseThrow();
        assertEquals(Optional.of(expected), drawn);
        assertNotEquals(SPACE.canonicalKey(zero), SPACE.canonicalKey(drawn.get()));
    }

    @Test
    void yieldsEveryCanonicalClassOnceThenNothing() {
        Novelty<Nb201Cell> novelty = new Novelty<>(SPACE);
        Nb201Cell zero = new Nb201Cell(0);
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < CLASSES; i++) {
            Nb201Cell cell = novelty.draw(() -> zero, 0).orElseThrow(() -> new AssertionError("ran out early"));
            assertTrue(keys.add(SPACE.canonicalKey(cell)), "repeated class " + cell);
        }
        Map<String, Long> classes =
                SPACE.enumerate().collect(Collectors.groupingBy(SPACE::canonicalKey, Collectors.counting()));
        assertEquals(CLASSES, classes.size());
        assertEquals(classes.keySet(), keys);
        assertTrue(novelty.draw(() -> zero, 3).isEmpty());
        assertTrue(
                novelty.draw(() -> SPACE.sample(new SplittableRandom(1)), 100).isEmpty());
    }
}
