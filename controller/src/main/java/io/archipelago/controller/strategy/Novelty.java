package io.archipelago.controller.strategy;

import io.archipelago.core.space.SearchSpace;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * Remembers which architectures (by canonical key) a strategy has proposed, so it spends its
 * budget on new functions: isomorphic or already-proposed cells are drawn again.
 */
final class Novelty<A> {
    /** Spaces up to this size are scanned for a last unseen architecture once draws keep failing. */
    private static final long SCAN_LIMIT = 1_000_000;

    private final SearchSpace<A> space;
    private final Set<String> proposed = new HashSet<>();

    Novelty(SearchSpace<A> space) {
        this.space = space;
    }

    /** Whether an equivalent of {@code architecture} has been proposed. */
    boolean seen(A architecture) {
        return proposed.contains(space.canonicalKey(architecture));
    }

    /** Marks {@code architecture} proposed; false when an equivalent one already was. */
    boolean claim(A architecture) {
        return proposed.add(space.canonicalKey(architecture));
    }

    /**
     * Draws from {@code generator} until it yields something new (up to {@code tries} draws), then
     * falls back to a scan of a small space. Empty when the space has nothing new left.
     */
    Optional<A> draw(Supplier<A> generator, int tries) {
        for (int i = 0; i < tries; i++) {
            A candidate = generator.get();
            if (claim(candidate)) {
                return Optional.of(candidate);
            }
        }
        if (space.size() <= SCAN_LIMIT) {
            for (Iterator<A> all = space.enumerate().iterator(); all.hasNext(); ) {
                A candidate = all.next();
                if (claim(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Up to {@code n} novel trials numbered consecutively from {@code firstId}, each drawn from
     * {@code generator} given the id it will get (so a strategy can seed its first ids at random
     * and breed the rest); fewer when the space runs out.
     */
    List<Trial<A>> trials(int n, long firstId, LongFunction<A> generator, int tries) {
        List<Trial<A>> trials = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long id = firstId + i;
            Optional<A> next = draw(() -> generator.apply(id), tries);
            if (next.isEmpty()) {
                break;
            }
            trials.add(new Trial<>(id, next.get()));
        }
        return trials;
    }
}
