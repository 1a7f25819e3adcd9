package io.archipelago.node.dashboard;

import io.archipelago.node.journal.JournalReader;
import io.archipelago.node.journal.SearchRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * How run directories are found and read: {@code runs list}'s own code (the command gives it to
 * the dashboard, which does not depend on the commands' package).
 */
public interface RunDirectories {
    /** The run directories at {@code root}: itself if it is one, else its sub-directories that are. */
    List<Path> under(Path root) throws IOException;

    /** A finished run's search, from its journal (opened read-only, closed at once). */
    SearchRecord read(Path dir) throws IOException;

    /** The search a run directory holds: its run.json's, else the only one of {@code reader}'s journal. */
    String searchIdOf(Path dir, JournalReader reader) throws IOException;

    /** summary.json: written once, when the search has ended. */
    Path summaryOf(Path dir);

    /** evaluations.csv: a row appended (and flushed) as each evaluation comes back. */
    Path evaluationsOf(Path dir);
}
