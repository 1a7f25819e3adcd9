package io.archipelago.core.space;

/**
 * An architecture as a fixed-length sequence of choices (NAO's encoder reads it, its decoder
 * writes it, a REINFORCE policy samples it position by position).
 *
 * @param <A> the space's architecture type
 */
public interface TokenEncoding<A> {

    /** Positions in every sequence. */
    int length();

    /** Choices at each position: tokens are {@code 0 .. vocabulary()-1}. */
    int vocabulary();

    /**
     * Choices at {@code position}: its tokens are {@code 0 .. choices(position)-1}. Spaces whose
     * positions differ (a graph node reading one of the nodes before it) say so here, and policies
     * mask the rest of the vocabulary.
     */
    default int choices(int position) {
        return vocabulary();
    }

    int[] tokens(A architecture);

    /**
     * The architecture of a token sequence.
     *
     * @throws ArchitectureFormatException naming the position when the sequence is not one
     */
    A fromTokens(int[] tokens);
}
