package io.archipelago.models.space;

import java.util.List;

/**
 * A space's network cut into blocks whose latencies add up, for a latency lookup table: each
 * block is timed once in isolation on a device, and an architecture's predicted latency is then
 * a sum over its {@link #blocks} instead of a measurement of its whole network.
 *
 * @param <A> the space's architecture type
 */
public interface LatencyBlocks<A> {

    /** The blocks of {@code architecture}'s network at {@code shape}, in network order. */
    List<TimedBlock> blocks(A architecture, NetworkShape shape);

    /**
     * Every distinct block (by key) that any architecture of the space can have at {@code shape}:
     * what a table must time to predict every architecture.
     */
    List<TimedBlock> everyBlock(NetworkShape shape);
}
