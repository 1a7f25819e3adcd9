package io.archipelago.core.darts;

import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.SearchSpaceProvider;

/** Registers {@link DartsSpace} with {@link io.archipelago.core.space.SearchSpaces}. */
public final class DartsSpaceProvider implements SearchSpaceProvider {
    @Override
    public SearchSpace<?> space() {
        return DartsSpace.INSTANCE;
    }
}
