package io.archipelago.core.darts;

import java.util.Objects;

/**
 * A DARTS genotype: the normal cell, repeated at constant resolution, and the reduction cell,
 * whose ops on the two previous cells' outputs have stride 2. Both concatenate nodes 2..5.
 */
public record DartsGenotype(DartsCell normal, DartsCell reduce) {
    public DartsGenotype {
        Objects.requireNonNull(normal, "normal");
        Objects.requireNonNull(reduce, "reduce");
    }

    /** The cell at {@code index}: 0 is the normal cell, 1 the reduction cell. */
    public DartsCell cell(int index) {
        return index == 0 ? normal : reduce;
    }

    /** The compact form ({@link DartsSpace#format}). */
    @Override
    public String toString() {
        return normal + "/" + reduce;
    }
}
