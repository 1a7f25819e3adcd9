package io.archipelago.models.supernet;

/** A SPOS checkpoint that cannot be read or used: bad magic or version, truncated, corrupt, or for other data. */
public final class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
