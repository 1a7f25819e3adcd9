package io.archipelago.core.space;

import io.archipelago.proto.Architecture;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * A search space: what architectures exist, how they are written down, sampled, mutated and
 * compared. Plain Java and free of execution concerns, so strategies, evaluators and predictors
 * share one definition.
 *
 * @param <A> the space's own architecture type (immutable)
 */
public interface SearchSpace<A> {

    /** Short identifier used on the wire and in files, e.g. {@code nb201}. */
    String id();

    /**
     * Parses the space's string encoding.
     *
     * @throws ArchitectureFormatException naming what is wrong and where
     */
    A parse(String encoding);

    /** The string encoding; {@code parse(format(a)).equals(a)}. */
    String format(A architecture);

    /**
     * How the string encoding reads, in one line (for {@code archipelago spaces} and help texts):
     * what each part is and which choices it has.
     */
    String encoding();

    /** A uniformly random architecture. */
    A sample(RandomGenerator random);

    /** A random neighbour that differs from {@code architecture} in exactly one choice. */
    A mutate(A architecture, RandomGenerator random);

    /** Every architecture of the space, in a fixed order. */
    Stream<A> enumerate();

    /** Number of architectures {@link #enumerate()} yields. */
    long size();

    /**
     * A key under which architectures that compute the same function are one (e.g. ops on edges
     * that cannot reach the output do not matter). Equal keys mean interchangeable results.
     */
    String canonicalKey(A architecture);

    /** Node-labelled DAG view for graph predictors. */
    GraphEncoding graph(A architecture);

    default Architecture toProto(A architecture) {
        return Architecture.newBuilder()
                .setSpace(id())
                .setEncoding(format(architecture))
                .build();
    }

    /** Decodes a wire architecture of this space. */
    default A fromProto(Architecture architecture) {
        if (!id().equals(architecture.getSpace())) {
            throw new ArchitectureFormatException(
                    "architecture belongs to space '" + architecture.getSpace() + "', not '" + id() + "'");
        }
        return parse(architecture.getEncoding());
    }
}
