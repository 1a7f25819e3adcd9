package io.archipelago.core.nbgraph;

import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.SearchSpaceProvider;

/** Registers {@link NbGraphSpace} with {@link io.archipelago.core.space.SearchSpaces}. */
public final class NbGraphSpaceProvider implements SearchSpaceProvider {
    @Override
    public SearchSpace<?> space() {
        return NbGraphSpace.INSTANCE;
    }
}
