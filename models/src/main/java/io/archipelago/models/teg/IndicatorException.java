package io.archipelago.models.teg;

/** An indicator has no meaningful value for this network (singular kernel, non-finite numbers). */
public final class IndicatorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IndicatorException(String message) {
        super(message);
    }
}
