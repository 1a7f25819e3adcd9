package io.archipelago.core.nb201;

import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.SearchSpaceProvider;

/** Registers {@link Nb201MixedSpace} with {@link io.archipelago.core.space.SearchSpaces}. */
public final class Nb201MixedSpaceProvider implements SearchSpaceProvider {
    @Override
    public SearchSpace<?> space() {
        return Nb201MixedSpace.INSTANCE;
    }
}
