package io.archipelago.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.controller.journal.JournalSerializer;
import io.archipelago.node.journal.JournalReader;
import io.archipelago.node.journal.JournalSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable searches through the command line, in real JVMs and on real databases: kill -9 of a
 * search's JVM, then {@code archipelago resume DIR}; journals that must not replay. H2 (the run
 * directory's own journal) always; PostgreSQL when {@code ARCHIPELAGO_TEST_POSTGRES_URL} names
 * a server (CI starts one with {@code scripts/test-postgres.sh}).
 */
class JournalCliTest {
    static final String POSTGRES = System.getenv("ARCHIPELAGO_TEST_POSTGRES_URL");
    private static final int BUDGET = 150;

    record Result(int exit, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString(), err.toString());
    }

    private static List<String[]> okRows(Path csv) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line :
                Files.readAllLines(csv).subList(1, Files.readAllLines(csv).size())) {
            String[] cells = line.split(",");
            if (cells[2].equals("ok")) {
                rows.add(cells);
            }
        }
        return rows;
    }

    static int rowsSoFar(Path csv) {
        try {
            return Files.exists(csv) ? (int) Files.lines(csv).count() - 1 : 0;
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /** Starts a search in its own JVM, kills it with -9 once it has written some rows, and resumes it here. */
    private static void killAndResume(Path tmp, Path dir, String... journal) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "search",
                "--budget",
                Integer.toString(BUDGET),
                "--eval-time",
                "40ms",
                "--slots",
                "2",
                "--seed",
                "5",
                "--out",
                dir.toString(),
                "--quiet"));
        args.addAll(List.of(journal));
        try (ChildJvm search = ChildJvm.start(tmp, "search", args.toArray(String[]::new))) {
            ChildJvm.await(
                    () -> rowsSoFar(dir.resolve(SearchCommand.EVALUATIONS)) >= 40,
                    Duration.ofSeconds(90),
                    "the search did not get going: " + search.tail());
            search.process.destroyForcibly(); // kill -9
            search.process.waitFor();
        }
        assertTrue(rowsSoFar(dir.resolve(SearchCommand.EVALUATIONS)) < BUDGET, "killed before the end");
        assertTrue(!Files.exists(dir.resolve(SearchCommand.SUMMARY)), "no summary before the end");

        List<String> resume = new ArrayList<>(List.of("resume", dir.toString(), "--quiet"));
        resume.addAll(List.of(journal));
        Result resumed = run(resume.toArray(String[]::new));
        assertEquals(0, resumed.exit(), resumed.err());
        assertTrue(resumed.err().contains("resuming"), resumed.err());

        JsonNode summary =
                new ObjectMapper().readTree(dir.resolve(SearchCommand.SUMMARY).toFile());
        assertEquals(BUDGET, summary.get("evaluations").asInt());
        assertTrue(summary.get("stop_reason").asText().contains("budget"), summary.toString());
        List<String[]> ok = okRows(dir.resolve(SearchCommand.EVALUATIONS));
        Set<String> ids = new HashSet<>();
        for (String[] row : ok) {
            assertTrue(ids.add(row[0]), "candidate_id " + row[0] + " twice among ok rows");
        }
        assertEquals(BUDGET, ok.size(), "evaluations.csv was rebuilt whole from the journal");

        List<String> show = new ArrayList<>(List.of("runs", "show", dir.toString(), "--json"));
        if (journal.length > 0) {
            show = new ArrayList<>(
                    List.of("runs", "show", summary.get("search_id").asText(), "--json", journal[0], journal[1]));
        }
        Result shown = run(show.toArray(String[]::new));
        assertEquals(0, shown.exit(), shown.err());
        JsonNode record = new ObjectMapper().readTree(shown.out());
        assertEquals("finished", record.get("state").asText());
        assertEquals(1, record.get("resumes").asInt());
        assertEquals(BUDGET, record.get("evaluations").asInt());
    }

    @Test
    @Timeout(180)
    void aKilledSearchResumesFromItsH2JournalToItsBudget(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        killAndResume(tmp, dir);
        Result list = run("runs", "list", tmp.toString());
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().contains("finished") && list.out().contains(BUDGET + "/" + BUDGET), list.out());
    }

    /**
     * A run made by the build before journals held typed specs (format 2, the spec as command-line
     * arguments: {@code search --budget 120 --eval-time 40ms --slots 2 --seed 7 --population 12
     * --sample-size 3}, killed with -9 after about 50 evaluations), resumed by this one.
     */
    @Test
    @Timeout(180)
    void aRunWhoseSpecIsArgumentsResumesToItsBudget(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("legacy-format2");
        Files.createDirectories(dir);
        for (String file : List.of("journal.mv.db", "run.json", "evaluations.csv")) {
            try (var in = JournalCliTest.class.getResourceAsStream("/journals/legacy-format2/" + file)) {
                Files.copy(in, dir.resolve(file));
            }
        }
        Result resumed = run("resume", dir.toString(), "--quiet");
        assertEquals(0, resumed.exit(), resumed.err());
        JsonNode summary =
                new ObjectMapper().readTree(dir.resolve(SearchCommand.SUMMARY).toFile());
        assertEquals(120, summary.get("evaluations").asInt(), summary.toString());
        assertEquals(120, okRows(dir.resolve(SearchCommand.EVALUATIONS)).size());
        Result shown = run("runs", "show", dir.toString(), "--json");
        assertEquals(0, shown.exit(), shown.err());
        String args = new ObjectMapper().readTree(shown.out()).get("args").asText();
        assertTrue(
                args.contains("--population 12") && args.contains("--sample-size 3") && args.contains("--seed 7"),
                args);
    }

    @Test
    @Timeout(180)
    void aKilledSearchResumesFromAPostgresJournalToItsBudget(@TempDir Path tmp) throws Exception {
        assumeTrue(
                POSTGRES != null,
                "ARCHIPELAGO_TEST_POSTGRES_URL is not set (scripts/test-postgres.sh start gives one)");
        Path dir = tmp.resolve("pg-run-" + UUID.randomUUID().toString().substring(0, 8));
        killAndResume(tmp, dir, "--journal", POSTGRES);
        assertTrue(
                !Files.exists(dir.resolve(JournalSettings.H2_FILE)),
                "the search journaled to PostgreSQL, not to the run directory");
        Result list = run("runs", "list", "--journal", POSTGRES);
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().contains(dir.getFileName().toString()), list.out());
    }

    @Test
    @Timeout(120)
    void aSearchsHeadIsItsSpecAndWhetherItFinished(@TempDir Path tmp) throws Exception {
        // What the cluster's search host reads of each search when it starts: the first and last events, not the steps.
        Path dir = tmp.resolve("run");
        Result search = run("search", "--budget", "30", "--out", dir.toString(), "--quiet");
        assertEquals(0, search.exit(), search.err());
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve(JournalSettings.H2_NAME);
        String id;
        try (JournalReader reader = new JournalReader(url + ";IFEXISTS=TRUE", "test")) {
            id = reader.searchIds().get(0);
            JournalReader.SearchHead head = reader.head(id).orElseThrow();
            assertEquals(reader.search(id).orElseThrow().spec(), head.spec());
            assertTrue(head.finished());
            assertTrue(reader.head("no-such-search").isEmpty());
        }
        try (Connection db = DriverManager.getConnection(url)) { // as if it had been killed before its end
            db.createStatement()
                    .executeUpdate("DELETE FROM \"event_journal\" WHERE \"sequence_number\" = "
                            + "(SELECT MAX(\"sequence_number\") FROM \"event_journal\")");
        }
        try (JournalReader reader = new JournalReader(url + ";IFEXISTS=TRUE", "test")) {
            assertEquals(false, reader.head(id).orElseThrow().finished());
            assertEquals("unfinished", reader.search(id).orElseThrow().state());
        }
        try (Connection db = DriverManager.getConnection(url)) {
            db.createStatement().executeUpdate("DELETE FROM \"event_journal\" WHERE \"sequence_number\" = 1");
        }
        try (JournalReader reader = new JournalReader(url + ";IFEXISTS=TRUE", "test")) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> reader.head(id));
            assertTrue(e.getMessage().contains("no search-created event"), e.getMessage());
        }
    }

    /** A finished run, then its journal damaged in one way; resume must refuse it (exit 2) and change nothing. */
    private static void refusesToResume(Path tmp, String sql, String expected) throws Exception {
        Path dir = tmp.resolve("run");
        Result search = run("search", "--budget", "30", "--out", dir.toString(), "--quiet");
        assertEquals(0, search.exit(), search.err());
        Files.delete(dir.resolve(SearchCommand.SUMMARY)); // as if the search had been killed before its end
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve(JournalSettings.H2_NAME);
        try (Connection db = DriverManager.getConnection(url)) {
            db.createStatement().executeUpdate(sql);
        }
        byte[] csvBefore = Files.readAllBytes(dir.resolve(SearchCommand.EVALUATIONS));
        List<String> rowsBefore = journalRows(url);

        Result resumed = run("resume", dir.toString(), "--quiet");
        assertEquals(Main.USAGE, resumed.exit(), resumed.out() + resumed.err());
        assertTrue(resumed.err().contains(expected), resumed.err());
        assertEquals(rowsBefore, journalRows(url), "the journal is left as it was");
        assertArrayEquals(
                csvBefore,
                Files.readAllBytes(dir.resolve(SearchCommand.EVALUATIONS)),
                "evaluations.csv is left as it was");
        assertTrue(!Files.exists(dir.resolve(SearchCommand.SUMMARY)));
    }

    private static List<String> journalRows(String url) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection db = DriverManager.getConnection(url);
                PreparedStatement query =
                        db.prepareStatement("SELECT \"sequence_number\", \"event_ser_manifest\", \"event_payload\" "
                                + "FROM \"event_journal\" ORDER BY \"ordering\"");
                ResultSet r = query.executeQuery()) {
            while (r.next()) {
                rows.add(r.getLong(1) + " " + r.getString(2) + " "
                        + java.util.HexFormat.of().formatHex(r.getBytes(3)));
            }
        }
        return rows;
    }

    @Test
    @Timeout(120)
    void aJournalInANewerFormatIsRefused(@TempDir Path tmp) throws Exception {
        refusesToResume(
                tmp,
                "UPDATE \"event_journal\" SET \"event_ser_manifest\" = 'event-v" + (JournalSerializer.FORMAT + 1)
                        + "' WHERE \"sequence_number\" = 3",
                "newer than this Archipelago reads");
    }

    @Test
    @Timeout(120)
    void aCorruptedEventIsRefused(@TempDir Path tmp) throws Exception {
        refusesToResume(
                tmp,
                "UPDATE \"event_journal\" SET \"event_payload\" = X'0aff01' WHERE \"sequence_number\" = 2",
                "corrupted journal event");
    }

    @Test
    @Timeout(120)
    void aJournalWithoutItsSnapshotTableIsRefused(@TempDir Path tmp) throws Exception {
        // What a damaged H2 file can open as (found by ResumeFuzzTest): the search would fail on its first snapshot
        // read.
        refusesToResume(tmp, "DROP TABLE \"snapshot\"", "has no table 'snapshot'");
    }

    @Test
    void aDirectoryThatIsNotARunIsRefused(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("notes.txt"), "not a run");
        Result resumed = run("resume", tmp.toString());
        assertEquals(Main.USAGE, resumed.exit());
        assertTrue(resumed.err().contains("is not a run directory"), resumed.err());
        assertEquals(
                List.of("notes.txt"),
                Files.list(tmp).map(p -> p.getFileName().toString()).toList(),
                "nothing was created");
        Result missing = run("resume", tmp.resolve("nope").toString());
        assertEquals(Main.USAGE, missing.exit());
        Result shown = run("runs", "show", tmp.toString());
        assertEquals(Main.USAGE, shown.exit());
    }

    @Test
    @Timeout(120)
    void aNewRunWhoseSearchIdTheSharedJournalHoldsIsRefusedAndWritesNothing(@TempDir Path tmp) throws Exception {
        String shared = "jdbc:h2:file:" + tmp.resolve("shared");
        Result first = run(
                "search",
                "--budget",
                "20",
                "--quiet",
                "--out",
                tmp.resolve("a/same").toString(),
                "--journal",
                shared);
        assertEquals(0, first.exit(), first.err());
        Result second = run(
                "search",
                "--budget",
                "20",
                "--quiet",
                "--out",
                tmp.resolve("b/same").toString(),
                "--journal",
                shared);
        assertEquals(Main.USAGE, second.exit(), second.err());
        assertTrue(second.err().contains("already holds search same-evolution-0"), second.err());
        assertTrue(!Files.exists(tmp.resolve("b/same")), "nothing of the refused run was written");
    }
}
