package io.archipelago.models.space;

import io.archipelago.core.space.SearchSpace;
import io.archipelago.models.nn.Layer;
import io.archipelago.proto.Architecture;
import java.util.Optional;

/**
 * The networks of one search space's architectures, as a plugin beside the space itself: {@link
 * SpaceNetworksRegistry} finds implementations with {@link java.util.ServiceLoader} (listed in
 * {@code META-INF/services/io.archipelago.models.space.SpaceNetworks}; a public no-argument
 * constructor, nothing costly built before it is used). A space with networks gets the
 * training-free (TEG) evaluator and measured latency without either knowing the space.
 *
 * @param <A> the space's architecture type
 */
public interface SpaceNetworks<A> {

    SearchSpace<A> space();

    /** The network of {@code architecture} at {@code shape}, initialised from {@code seed}. */
    Layer network(A architecture, NetworkShape shape, long seed);

    /**
     * The thinnest network of the space, on which TEG counts linear regions (TE-NAS: C=1, N=1,
     * 3x3 inputs for NAS-Bench-201).
     */
    NetworkShape thin();

    /** The size the space's networks are published and costed at (e.g. DARTS: C=36, 20 layers, CIFAR-10). */
    NetworkShape standard();

    /** How this space reads a shape's channels and cells, in one line (for help texts and {@code spaces}). */
    String shapeMeaning();

    /**
     * The space's networks cut into blocks for a latency lookup table, when the space has such a
     * decomposition (NAS-Bench-201 has its own table format, so it has none here).
     */
    default Optional<LatencyBlocks<A>> latencyBlocks() {
        return Optional.empty();
    }

    /** The networks of a wire architecture of this space. */
    default NetworkFactory factory(Architecture architecture) {
        A parsed = space().fromProto(architecture);
        return (shape, seed) -> network(parsed, shape, seed);
    }

    /** The networks of an architecture given in this space's string encoding. */
    default NetworkFactory factory(String encoding) {
        A parsed = space().parse(encoding);
        return (shape, seed) -> network(parsed, shape, seed);
    }
}
