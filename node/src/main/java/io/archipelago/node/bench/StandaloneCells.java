package io.archipelago.node.bench;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.models.supernet.SposSupernet;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The cells of a standalone truth table: distinct functions, each equally likely. The NB201 cells
 * are grouped by canonical key (cells computing the same function are one class); classes whose
 * cell has no input-to-output path of non-{@code none} edges (a constant network, at chance) are
 * left out; the classes are ordered by key and shuffled with the seed, and the first
 * {@code count} taken, each as its cell with the smallest code. A larger count extends a smaller
 * one's list.
 */
final class StandaloneCells {
    private StandaloneCells() {}

    static List<Nb201Cell> draw(int count, long seed) {
        TreeMap<String, Nb201Cell> classes = new TreeMap<>();
        Nb201Space.INSTANCE.enumerate().forEach(cell -> {
            if (SposSupernet.liveEdges(cell).length > 0) {
                classes.putIfAbsent(Nb201Space.INSTANCE.canonicalKey(cell), cell);
            }
        });
        List<Nb201Cell> all = new ArrayList<>(classes.values());
        if (count > all.size()) {
            throw new IllegalArgumentException(
                    "--sample " + count + " but NAS-Bench-201 has only " + all.size() + " distinct cells with a path");
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(all.size() - i);
            Nb201Cell t = all.get(i);
            all.set(i, all.get(j));
            all.set(j, t);
        }
        return List.copyOf(all.subList(0, count));
    }
}
