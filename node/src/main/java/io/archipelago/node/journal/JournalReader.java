package io.archipelago.node.journal;

import io.archipelago.controller.journal.JournalReplayException;
import io.archipelago.controller.journal.JournalSerializer;
import io.archipelago.proto.JournalEvent;
import io.archipelago.proto.SearchSpec;
import java.io.NotSerializableException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads searches out of a journal, read-only, without an actor system: {@code runs list|show},
 * and {@code resume} (which needs a search's spec before it can build the node that resumes it).
 * It reads the event table of {@code pekko-persistence-jdbc}'s schema directly (names quoted, as
 * its H2 schema creates them lower-case), in write order,
 * and decodes events with the controller's {@link JournalSerializer}, so a newer format or a
 * corrupted event fails here with the same message as in recovery.
 */
public final class JournalReader implements AutoCloseable {
    private static final String PREFIX = "search|";

    private final Connection connection;
    private final String source;
    private final JournalSerializer serializer = new JournalSerializer();

    /** @param url a JDBC URL of a journal that exists (an H2 URL must carry {@code IFEXISTS=TRUE}) */
    public JournalReader(String url, String source) {
        this.source = source;
        try {
            this.connection = DriverManager.getConnection(url);
            this.connection.setReadOnly(true);
        } catch (SQLException e) {
            throw new IllegalArgumentException("cannot open the journal " + source + ": " + openFailure(e), e);
        }
    }

    /**
     * Why a journal did not open. H2's messages for a file it cannot read (damaged, cut short,
     * not a database) say only "IO Exception" or "General error" and the path: say what that means.
     */
    private static String openFailure(SQLException e) {
        return switch (e.getErrorCode()) {
            case 90028, 90030, 90031, 90048, 50000 ->
                "its file cannot be read as an H2 database (damaged, cut short or "
                        + "not one, or unreadable: H2 error " + e.getErrorCode() + ")";
            default -> firstLine(e.getMessage());
        };
    }

    public static JournalReader open(JournalSettings settings) {
        if (!settings.durable()) {
            throw new IllegalArgumentException("the in-memory journal (none) cannot be read");
        }
        // Reading never creates: an H2 URL naming no file would otherwise leave an empty journal behind.
        String url = settings.url().startsWith("jdbc:h2:") && !settings.url().contains("IFEXISTS=")
                ? settings.url() + ";IFEXISTS=TRUE"
                : settings.url();
        return new JournalReader(url, settings.describe());
    }

    /** The searches in this journal, in the order they were created. */
    public List<String> searchIds() {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT \"persistence_id\", MIN(\"ordering\") FROM \"event_journal\" WHERE \"persistence_id\" LIKE ? "
                        + "GROUP BY \"persistence_id\" ORDER BY 2")) {
            query.setString(1, PREFIX + "%");
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1).substring(PREFIX.length()));
                }
            }
        } catch (SQLException e) {
            throw notAJournal(e);
        }
        return ids;
    }

    /** Every event of a search, in order; empty when the journal has no such search. */
    public List<Timed> events(String searchId) {
        return events(searchId, 0);
    }

    /** The events of a search after sequence number {@code after}, in order (to follow a running search). */
    public List<Timed> events(String searchId, long after) {
        return query(searchId, after, "ORDER BY \"sequence_number\"");
    }

    /**
     * A search's spec and whether it has finished, from its first and last events only: what the
     * cluster's search host needs of every search in a shared journal when it starts (after a
     * fail-over too), without reading every step of every search.
     */
    public Optional<SearchHead> head(String searchId) {
        List<Timed> first = query(searchId, 0, "ORDER BY \"sequence_number\" FETCH FIRST 1 ROWS ONLY");
        if (first.isEmpty()) {
            return Optional.empty();
        }
        if (!first.get(0).event().hasCreated()) {
            throw new IllegalArgumentException(SearchRecord.noSpec(searchId));
        }
        List<Timed> last = query(searchId, 0, "ORDER BY \"sequence_number\" DESC FETCH FIRST 1 ROWS ONLY");
        return Optional.of(new SearchHead(
                first.get(0).event().getCreated(), last.get(0).event().hasFinished()));
    }

    /** Whether this journal holds any event of the search (false too for a database whose journal tables are not made yet). */
    public boolean holds(String searchId) {
        try (ResultSet tables = connection.getMetaData().getTables(null, null, "event_journal", null)) {
            if (!tables.next()) {
                return false;
            }
        } catch (SQLException e) {
            throw notAJournal(e);
        }
        return !query(searchId, 0, "ORDER BY \"sequence_number\" FETCH FIRST 1 ROWS ONLY")
                .isEmpty();
    }

    /**
     * Checks that the tables a resumed search reads are there: its events and its snapshots (a
     * damaged file can open as a database that lacks one; without this check the search would
     * start and fail on its first snapshot read).
     *
     * @throws IllegalArgumentException naming the table that is missing
     */
    public void requireSearchTables() {
        for (String table : List.of("event_journal", "snapshot")) {
            try (ResultSet found = connection.getMetaData().getTables(null, null, table, null)) {
                if (!found.next()) {
                    throw new IllegalArgumentException("the journal " + source + " has no table '" + table
                            + "': it is damaged, or not an Archipelago journal");
                }
            } catch (SQLException e) {
                throw notAJournal(e);
            }
        }
    }

    /** A search's spec, and whether its journal ends with the search-finished event. */
    public record SearchHead(SearchSpec spec, boolean finished) {}

    private List<Timed> query(String searchId, long after, String order) {
        List<Timed> events = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement("SELECT \"sequence_number\", \"write_timestamp\", "
                + "\"event_ser_id\", \"event_ser_manifest\", \"event_payload\" FROM \"event_journal\" WHERE \"persistence_id\" = ? "
                + "AND \"deleted\" = FALSE AND \"sequence_number\" > ? " + order)) {
            query.setString(1, PREFIX + searchId);
            query.setLong(2, after);
            query.setFetchSize(1000);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    long sequenceNr = rows.getLong(1);
                    if (rows.getInt(3) != JournalSerializer.IDENTIFIER) {
                        throw new JournalReplayException("event " + sequenceNr + " of search " + searchId + " in "
                                + source + " was not written by Archipelago's journal serializer (serializer id "
                                + rows.getInt(3) + ")");
                    }
                    try {
                        events.add(new Timed(sequenceNr, rows.getLong(2), (JournalEvent)
                                serializer.fromBinary(rows.getBytes(5), rows.getString(4))));
                    } catch (NotSerializableException e) {
                        throw new JournalReplayException(
                                "event " + sequenceNr + " of search " + searchId + " in " + source + ": "
                                        + e.getMessage(),
                                e);
                    }
                }
            }
        } catch (SQLException e) {
            throw notAJournal(e);
        }
        return events;
    }

    /** A search summarised from its events. */
    public Optional<SearchRecord> search(String searchId) {
        List<Timed> events = events(searchId);
        return events.isEmpty() ? Optional.empty() : Optional.of(SearchRecord.of(searchId, events));
    }

    /** An event with its sequence number and when it was written (epoch ms). */
    public record Timed(long sequenceNr, long writtenAtMs, JournalEvent event) {}

    private IllegalArgumentException notAJournal(SQLException e) {
        return new IllegalArgumentException(
                source + " is not an Archipelago journal (" + firstLine(e.getMessage()) + ")", e);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // read-only: nothing to lose
        }
    }
}
