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

    int[] tokens(A architecture);

    /**
     * The architecture of a token sequence.
     *
     * @throws ArchitectureFormatException naming the position when the sequence is not one
     */
    A fromTokens(int[] tokens);
}
