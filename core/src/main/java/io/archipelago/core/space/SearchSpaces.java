package io.archipelago.core.space;

import io.archipelago.core.nb201.Nb201MixedSpace;
import io.archipelago.core.nb201.Nb201Space;
import java.util.Map;
import java.util.TreeMap;

/** The search spaces Archipelago knows, by id. */
public final class SearchSpaces {
    private static final Map<String, SearchSpace<?>> SPACES = new TreeMap<>(Map.of(
            Nb201Space.ID, Nb201Space.INSTANCE,
            Nb201MixedSpace.ID, Nb201MixedSpace.INSTANCE));

    private SearchSpaces() {}

    /**
     * @throws IllegalArgumentException naming the unknown id and the known ones
     */
    public static SearchSpace<?> byId(String id) {
        SearchSpace<?> space = SPACES.get(id);
        if (space == null) {
            throw new IllegalArgumentException(
                    "unknown search space '" + id + "' (known: " + String.join(", ", SPACES.keySet()) + ")");
        }
        return space;
    }
}
