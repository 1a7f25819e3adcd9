package io.archipelago.core.space;

/** A string that does not encode an architecture of a space; the message says what and where. */
public final class ArchitectureFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ArchitectureFormatException(String message) {
        super(message);
    }
}
