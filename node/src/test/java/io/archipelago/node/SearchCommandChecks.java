package io.archipelago.node;

/** For tests outside this package: what {@code search} checks and builds before it writes or starts anything. */
public final class SearchCommandChecks {
    private SearchCommandChecks() {}

    /** {@code command}'s checks, then its strategy and settings as the run builds them; bad input throws IllegalArgumentException. */
    public static void check(Object command) {
        SearchCommand.Checked checked = ((SearchCommand) command).checked();
        checked.setup().strategy(checked.definition().seed());
        checked.setup().settings("fuzz", checked.definition().budget());
    }
}
