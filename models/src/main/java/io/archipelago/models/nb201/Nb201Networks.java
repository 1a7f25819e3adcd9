package io.archipelago.models.nb201;

import io.archipelago.core.nb201.MixedCell;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201MixedSpace;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.models.nn.Layer;
import io.archipelago.models.space.NetworkShape;
import io.archipelago.models.space.SpaceNetworks;

/** NAS-Bench-201's networks, of plain cells ({@code nb201}) and of cells with op sets ({@code nb201-mixed}). */
public final class Nb201Networks {
    static final String SHAPE_MEANING = "channels = C (stages of C, 2C, 4C), cells = N per stage";

    private Nb201Networks() {}

    /** What both read alike: NAS-Bench-201's sizes. */
    private abstract static class Nb201Sizes<C> implements SpaceNetworks<C> {
        @Override
        public NetworkShape thin() {
            return NetworkShape.THIN;
        }

        @Override
        public NetworkShape standard() {
            return NetworkShape.STANDARD;
        }

        @Override
        public String shapeMeaning() {
            return SHAPE_MEANING;
        }
    }

    /** {@code nb201}: the benchmark's network of one cell. */
    public static final class Plain extends Nb201Sizes<Nb201Cell> {
        @Override
        public SearchSpace<Nb201Cell> space() {
            return Nb201Space.INSTANCE;
        }

        @Override
        public Layer network(Nb201Cell cell, NetworkShape shape, long seed) {
            return Nb201Network.of(cell, shape, seed);
        }
    }

    /** {@code nb201-mixed}: every edge sums the ops of its set (TE-NAS's pruning supernet). */
    public static final class Mixed extends Nb201Sizes<MixedCell> {
        @Override
        public SearchSpace<MixedCell> space() {
            return Nb201MixedSpace.INSTANCE;
        }

        @Override
        public Layer network(MixedCell cell, NetworkShape shape, long seed) {
            return Nb201Network.of(cell, shape, seed);
        }
    }
}
