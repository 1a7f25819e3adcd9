package io.archipelago.node.setup;

/** Checks of command-line values that picocli's types cannot express, with the error naming the option. */
public final class OptionChecks {
    private OptionChecks() {}

    /** {@code value} must be at least 1, or the command fails naming {@code option} and what it got. */
    public static void positive(String option, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(option + " must be > 0, got " + value);
        }
    }
}
