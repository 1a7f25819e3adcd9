package io.archipelago.core.table;

/** A benchmark file that cannot be read as a table; the message names the file, line and column. */
public final class BenchmarkFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public BenchmarkFormatException(String message) {
        super(message);
    }

    public BenchmarkFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
