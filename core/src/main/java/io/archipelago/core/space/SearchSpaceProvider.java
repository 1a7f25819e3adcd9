package io.archipelago.core.space;

/**
 * A search space as a plugin: {@link SearchSpaces} finds implementations with {@link
 * java.util.ServiceLoader} (list them in {@code META-INF/services/io.archipelago.core.space.SearchSpaceProvider}).
 * Implementations need a public no-argument constructor, and should construct nothing costly
 * before {@link #space()} is called.
 */
public interface SearchSpaceProvider {
    SearchSpace<?> space();
}
