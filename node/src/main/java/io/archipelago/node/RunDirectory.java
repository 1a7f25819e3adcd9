package io.archipelago.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.node.journal.JournalReader;
import io.archipelago.node.journal.JournalSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A run directory: made for a new search (never over another run's files), and read back to find its search and journal. */
final class RunDirectory {
    private RunDirectory() {}

    /** Refuses a directory that already holds a run, so no earlier result is overwritten. */
    static void prepare(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + dir + " exists and is not a directory");
        }
        for (String file : new String[] {SearchCommand.SUMMARY, SearchCommand.EVALUATIONS}) {
            if (Files.exists(dir.resolve(file))) {
                throw new IllegalArgumentException(
                        "--out " + dir + " already holds a run (" + file + "); choose another directory");
            }
        }
        Files.createDirectories(dir);
    }

    /** The journal of a run directory: its own H2 file, or the shared journal it names. */
    static JournalSettings journalOf(Path dir, String journalUrl) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is not a directory");
        }
        if (journalUrl != null) {
            if (!Files.isRegularFile(dir.resolve(SearchCommand.RUN))) {
                throw new IllegalArgumentException(dir + " is not a run directory: it has no " + SearchCommand.RUN);
            }
            return JournalSettings.parse(journalUrl);
        }
        if (!JournalSettings.hasJournal(dir)) {
            throw new IllegalArgumentException(
                    dir + " is not a run directory with its own journal (" + JournalSettings.H2_FILE
                            + "); if its search was journaled elsewhere, name that journal with --journal URL");
        }
        return JournalSettings.inRunDirectory(dir, true);
    }

    /**
     * The search a run directory holds: what its run.json names, or the only one in its own journal.
     *
     * @throws IllegalArgumentException naming run.json and what is wrong with it (not JSON, no
     *     search_id), or saying that the journal holds no single search
     */
    static String searchIdOf(Path dir, JournalReader reader) throws IOException {
        Path run = dir.resolve(SearchCommand.RUN);
        if (Files.isRegularFile(run)) {
            JsonNode json;
            try {
                json = new ObjectMapper().readTree(run.toFile());
            } catch (JsonProcessingException e) {
                var at = e.getLocation();
                String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
                throw new IllegalArgumentException(
                        run + " is not JSON" + where + ": " + oneLine(e.getOriginalMessage()), e);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + run + ": " + oneLine(e.getMessage()), e);
            }
            JsonNode id = json == null ? null : json.path("search_id");
            if (id == null || !id.isTextual()) {
                throw new IllegalArgumentException(
                        run + " does not name a search_id (expected an object like {\"search_id\": \"...\"})");
            }
            String searchId = id.asText();
            if (searchId.isBlank() || searchId.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException(
                        run + ": its search_id " + new ObjectMapper().valueToTree(searchId) + " is not a search id");
            }
            return searchId;
        }
        List<String> ids = reader.searchIds();
        if (ids.size() != 1) {
            throw new IllegalArgumentException(
                    dir + " is not a run directory: its journal holds " + ids.size() + " searches " + ids);
        }
        return ids.get(0);
    }

    /** A message as one line (Jackson's span several, with a source excerpt). */
    private static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
