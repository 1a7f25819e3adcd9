package io.archipelago.core.mnasnet;

import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.SearchSpaceProvider;

/** Registers {@link MnasNetSpace} with {@link io.archipelago.core.space.SearchSpaces}. */
public final class MnasNetSpaceProvider implements SearchSpaceProvider {
    @Override
    public SearchSpace<?> space() {
        return MnasNetSpace.INSTANCE;
    }
}
