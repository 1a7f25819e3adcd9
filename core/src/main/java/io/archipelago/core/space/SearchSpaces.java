package io.archipelago.core.space;

import java.util.Collections;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The search spaces Archipelago knows, by id: every {@link SearchSpaceProvider} on the class
 * path (found with {@link ServiceLoader} on first use).
 */
public final class SearchSpaces {
    private SearchSpaces() {}

    private static final class Registry {
        static final Map<String, SearchSpace<?>> SPACES = load();

        private static Map<String, SearchSpace<?>> load() {
            Map<String, SearchSpace<?>> spaces = new TreeMap<>();
            for (SearchSpaceProvider provider :
                    ServiceLoader.load(SearchSpaceProvider.class, SearchSpaces.class.getClassLoader())) {
                SearchSpace<?> space = provider.space();
                SearchSpace<?> earlier = spaces.putIfAbsent(space.id(), space);
                if (earlier != null && earlier != space) {
                    throw new IllegalStateException("two search spaces have the id '" + space.id() + "': "
                            + earlier.getClass().getName() + " and "
                            + space.getClass().getName());
                }
            }
            return Collections.unmodifiableMap(spaces);
        }
    }

    /** Every known space, by id (sorted). */
    public static Map<String, SearchSpace<?>> all() {
        return Registry.SPACES;
    }

    /**
     * @throws IllegalArgumentException naming the unknown id and the known ones
     */
    public static SearchSpace<?> byId(String id) {
        SearchSpace<?> space = Registry.SPACES.get(id);
        if (space == null) {
            throw new IllegalArgumentException(
                    "unknown search space '" + id + "' (known: " + String.join(", ", Registry.SPACES.keySet()) + ")");
        }
        return space;
    }
}
