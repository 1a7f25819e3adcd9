package io.archipelago.controller.journal;

/**
 * A journal that cannot be replayed: an event in a newer format, bytes that do not decode, or
 * events that contradict what the strategy proposes. Recovery stops at it; nothing is written.
 */
public final class JournalReplayException extends IllegalArgumentException {
    public JournalReplayException(String message) {
        super(message);
    }

    public JournalReplayException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The failure's messages from the outermost to the root cause (recovery wraps the journal's own error). */
    public static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message =
                    t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
            if (text.indexOf(message) < 0) {
                text.append(text.length() == 0 ? "" : ": ").append(message);
            }
        }
        return text.toString();
    }
}
