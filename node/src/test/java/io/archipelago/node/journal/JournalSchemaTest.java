package io.archipelago.node.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's tables come from the DDL that pekko-persistence-jdbc ships, run over plain JDBC:
 * created in a new database, left as they are (and their rows with them) in one that has them.
 * H2 always; PostgreSQL when {@code ARCHIPELAGO_TEST_POSTGRES_URL} names a server
 * ({@code scripts/test-postgres.sh start} gives one).
 */
class JournalSchemaTest {
    private static final String POSTGRES = System.getenv("ARCHIPELAGO_TEST_POSTGRES_URL");
    private static final List<String> TABLES = List.of("event_journal", "event_tag", "snapshot", "durable_state");

    @Test
    void everyShippedStatementCanRunAgain() {
        for (String resource : List.of(JournalSettings.DDL_H2, JournalSettings.DDL_POSTGRES)) {
            List<String> statements = JournalSettings.schemaStatements(resource);
            assertFalse(statements.isEmpty(), resource);
            for (String sql : statements) {
                String upper = sql.toUpperCase(Locale.ROOT);
                assertFalse(upper.contains(";"), sql);
                assertFalse(upper.contains("CONCURRENTLY"), sql);
                if (upper.startsWith("CREATE")) {
                    assertTrue(upper.contains("IF NOT EXISTS"), resource + ": " + sql);
                }
            }
        }
    }

    @Test
    void h2TablesAreCreatedOnceAndKept(@TempDir Path dir) throws SQLException {
        JournalSettings settings = JournalSettings.inRunDirectory(dir, false);
        settings.createSchema();
        assertEquals(TABLES, existingTables(settings.url()));
        try (Connection connection = DriverManager.getConnection(settings.url());
                Statement statement = connection.createStatement()) {
            statement.execute(
                    "INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\", \"writer\", \"write_timestamp\","
                            + " \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\") VALUES ('p', 1, 'w', 0, '', X'01', 1, '')");
        }
        // A resumed run: the same journal again, opened only if it exists.
        JournalSettings.inRunDirectory(dir, true).createSchema();
        assertEquals(TABLES, existingTables(settings.url()));
        assertEquals(1, count(settings.url(), "SELECT COUNT(*) FROM \"event_journal\""));
    }

    @Test
    void postgresTablesAreCreatedByNodesStartingTogether() throws Exception {
        assumeTrue(
                POSTGRES != null,
                "ARCHIPELAGO_TEST_POSTGRES_URL is not set (scripts/test-postgres.sh start gives one)");
        JournalSettings settings = JournalSettings.parse(POSTGRES);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Object>> nodes = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                nodes.add(pool.submit((Callable<Object>) () -> {
                    settings.createSchema();
                    return null;
                }));
            }
            for (Future<Object> node : nodes) {
                node.get();
            }
        } finally {
            pool.shutdownNow();
        }
        settings.createSchema();
        assertEquals(TABLES, existingTables(POSTGRES));
    }

    /** Those of {@link #TABLES} the database has, in that order. */
    private static List<String> existingTables(String url) throws SQLException {
        List<String> found = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(url)) {
            for (String table : TABLES) {
                try (ResultSet rows = connection.getMetaData().getTables(null, null, table, null)) {
                    if (rows.next()) {
                        found.add(table);
                    }
                }
            }
        }
        return found;
    }

    private static long count(String url, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
