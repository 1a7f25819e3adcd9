package io.archipelago.models.data;

/** A data-set file that is missing, unreadable or not in the expected format. */
public class DatasetFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public DatasetFormatException(String message) {
        super(message);
    }

    public DatasetFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
