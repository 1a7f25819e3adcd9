package io.archipelago.models.space;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The {@link SpaceNetworks} on the class path by space id, found with {@link ServiceLoader} on first use. */
public final class SpaceNetworksRegistry {
    private SpaceNetworksRegistry() {}

    private static final class Registry {
        static final Map<String, SpaceNetworks<?>> BY_SPACE = load();

        private static Map<String, SpaceNetworks<?>> load() {
            Map<String, SpaceNetworks<?>> map = new TreeMap<>();
            for (SpaceNetworks<?> networks :
                    ServiceLoader.load(SpaceNetworks.class, SpaceNetworksRegistry.class.getClassLoader())) {
                SpaceNetworks<?> earlier = map.putIfAbsent(networks.space().id(), networks);
                if (earlier != null) {
                    throw new IllegalStateException("two network plugins for space '"
                            + networks.space().id() + "': " + earlier.getClass().getName() + " and "
                            + networks.getClass().getName());
                }
            }
            return Collections.unmodifiableMap(map);
        }
    }

    /** The networks of space {@code id}, if a plugin builds them. */
    public static Optional<SpaceNetworks<?>> find(String id) {
        return Optional.ofNullable(Registry.BY_SPACE.get(id));
    }

    /** Ids of the spaces whose networks can be built, sorted. */
    public static List<String> spaces() {
        return List.copyOf(Registry.BY_SPACE.keySet());
    }

    /**
     * The networks of space {@code id}.
     *
     * @param who what needs them, for the message
     * @throws IllegalArgumentException naming the spaces that have networks
     */
    public static SpaceNetworks<?> require(String id, String who) {
        return find(id).orElseThrow(() -> new IllegalArgumentException(who + " builds the networks of spaces "
                + String.join(", ", spaces()) + "; space '" + id + "' has none"));
    }
}
