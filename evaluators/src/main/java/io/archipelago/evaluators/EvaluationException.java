package io.archipelago.evaluators;

/** An evaluation that could not produce metrics; the message is the reason users see. */
public final class EvaluationException extends Exception {
    private static final long serialVersionUID = 1L;

    public EvaluationException(String reason) {
        super(reason);
    }

    public EvaluationException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
