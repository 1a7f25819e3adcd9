package io.archipelago.node.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.core.fuzz.Fuzz;
import io.archipelago.node.Main;
import io.archipelago.node.SearchCommand;
import io.archipelago.node.journal.JournalSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target: a run directory's run.json, read by {@code archipelago resume DIR}. A finished
 * run is made once; each try writes garbage, random bytes or an edited copy of its run.json and
 * resumes it in process. Unless the edit left the same search_id, resume must exit 2 with exactly
 * one line on stderr that names run.json, print no stack trace, and leave the run's files as
 * they were. Its H2 journal is damaged too: resume then runs (the damage did not matter) or
 * refuses the same way. Runs {@value #TRIES} tries per target ({@value #JOURNAL_TRIES} for the
 * journal) from a fixed seed; {@code -Darchipelago.fuzz.seconds=N} runs each for N seconds from a
 * random one (see {@link Fuzz}).
 */
class ResumeFuzzTest {
    static final int TRIES = 10;
    /** A damaged journal costs more (H2 may recover it, and resume then rebuilds the run's files). */
    static final int JOURNAL_TRIES = 3;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JOURNAL = JournalSettings.H2_FILE;
    private static final String ALPHABET = "{}[]\":,\\ \n\t0123456789abcdefnrstu_-+.eE\u0000é\u2028\uffff";
    private static final String[] WORDS = {
        "null", "true", "\"search_id\"", "\"\"", "\"\\u0000\"", "\"\\n\"", "[", "{", "1e999", "\"x\""
    };

    /** A finished run: its directory, run.json as search wrote it, and the files a refused resume must not change. */
    private record Template(Path dir, String runJson, String searchId, byte[] evaluations, byte[] summary) {}

    private static Template template;

    private static synchronized Template template() {
        if (template == null) {
            try {
                Path root = Files.createDirectories(Path.of("target", "fuzz-resume"));
                Path dir = Files.createTempDirectory(root, "run");
                Result search = run("search", "--budget", "10", "--seed", "1", "--out", dir.toString(), "--quiet");
                assertEquals(0, search.exit(), search.err());
                String runJson = Files.readString(dir.resolve(SearchCommand.RUN));
                template = new Template(
                        dir,
                        runJson,
                        JSON.readTree(runJson).get("search_id").asText(),
                        Files.readAllBytes(dir.resolve(SearchCommand.EVALUATIONS)),
                        Files.readAllBytes(dir.resolve(SearchCommand.SUMMARY)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return template;
    }

    record Result(int exit, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** Contents of run.json found by fuzzing or written by hand, kept so that they stay answered well. */
    static final List<String> REGRESSIONS = List.of(
            // The issue's: a raw Jackson stack trace (exit 1), not one line naming run.json.
            "garbage",
            "",
            "{",
            "[]",
            "null",
            "{\"search_id\": 7}",
            "{\"search_id\": \"\"}",
            "{\"search_id\": \"other\"}",
            "{\"search_id\": \"a\\nb\"}",
            "{\"search_id\": \"\\u0000\"}",
            "{\"search_id\": \"x\"",
            "\u00ff\u00fe");

    /** Contents of run.json that are no UTF-8 text, kept likewise. */
    static final List<byte[]> BYTE_REGRESSIONS = List.of(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 0});

    @Test
    void regressions() {
        for (String runJson : REGRESSIONS) {
            resumeRefuses(runJson.getBytes(StandardCharsets.UTF_8));
        }
        for (byte[] runJson : BYTE_REGRESSIONS) {
            resumeRefuses(runJson);
        }
        for (long seed : JOURNAL_REGRESSIONS) {
            resumeOfDamagedJournal(seed);
        }
    }

    /**
     * Seeds of {@link #damaged} found by fuzzing, kept (-118516: H2 said only "IO Exception" and the
     * path). The template journal differs a little from run to run, so a seed replays the kind of
     * damage, not the same bytes.
     */
    static final long[] JOURNAL_REGRESSIONS = {-118516L, 0L, 1L};

    @Test
    void anyBytes() {
        template(); // made before the clock starts: a search of its own
        Fuzz.check("run.json bytes", 401, TRIES, ResumeFuzzTest::anyBytesFiles, ResumeFuzzTest::resumeRefuses);
    }

    @Test
    void mutatedRunJson() {
        String valid = template().runJson();
        Fuzz.check(
                "mutated run.json",
                402,
                TRIES,
                random -> mutated(valid, random.nextLong(), 1 + random.nextInt(5)),
                runJson -> resumeRefuses(runJson.getBytes(StandardCharsets.UTF_8)));
    }

    /** The run's H2 journal with a few bytes overwritten, a block zeroed or its tail cut off. */
    @Test
    void damagedJournal() {
        template();
        Fuzz.check(
                "damaged journal",
                403,
                JOURNAL_TRIES,
                SplittableRandom::nextLong,
                ResumeFuzzTest::resumeOfDamagedJournal);
    }

    static byte[] damaged(byte[] journal, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] out = journal.clone();
        switch (random.nextInt(4)) {
            case 0 -> {
                return java.util.Arrays.copyOf(out, random.nextInt(out.length));
            }
            case 1 -> {
                int block = random.nextInt(out.length / 4096 + 1) * 4096;
                java.util.Arrays.fill(out, Math.min(block, out.length), Math.min(block + 4096, out.length), (byte) 0);
            }
            default -> {
                for (int n = 1 + random.nextInt(8); n > 0; n--) {
                    out[random.nextInt(out.length)] = (byte) random.nextInt(256);
                }
            }
        }
        return out;
    }

    /**
     * Resumes a copy of the run whose journal is damaged: either the damage does not matter (exit
     * 0), or resume refuses with exit 2 and one line, leaving the run's files as they were.
     */
    static void resumeOfDamagedJournal(long seed) {
        Template run = template();
        try {
            Path dir = Files.createTempDirectory(run.dir().getParent(), "damaged");
            for (String name : List.of(SearchCommand.RUN, SearchCommand.EVALUATIONS, SearchCommand.SUMMARY)) {
                Files.write(dir.resolve(name), Files.readAllBytes(run.dir().resolve(name)));
            }
            Files.writeString(dir.resolve(SearchCommand.RUN), run.runJson());
            Files.write(
                    dir.resolve(JOURNAL), damaged(Files.readAllBytes(run.dir().resolve(JOURNAL)), seed));
            Result resumed = run("resume", dir.toString(), "--quiet");
            String shown = resumed.out() + resumed.err();
            assertFalse(shown.contains("Exception") || shown.contains("\tat "), "no stack trace: " + shown);
            if (resumed.exit() != 0) {
                assertEquals(Main.USAGE, resumed.exit(), shown);
                List<String> lines = resumed.err().strip().lines().toList();
                assertEquals(1, lines.size(), "one line on stderr: " + resumed.err());
                assertTrue(lines.get(0).contains("journal"), "the line names the journal: " + lines.get(0));
                assertArrayEquals(run.evaluations(), Files.readAllBytes(dir.resolve(SearchCommand.EVALUATIONS)));
                assertArrayEquals(run.summary(), Files.readAllBytes(dir.resolve(SearchCommand.SUMMARY)));
            }
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Up to 200 random bytes, or any string of up to 100 characters as UTF-8. */
    static byte[] anyBytesFiles(SplittableRandom random) {
        return random.nextBoolean()
                ? Fuzz.anyBytes(random, 200)
                : Fuzz.anyString(random, 100).getBytes(StandardCharsets.UTF_8);
    }

    /** run.json as search wrote it, with 1 to 5 edits: characters or JSON words inserted, deleted or replaced. */
    static String mutated(String valid, long seed, int edits) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder text = new StringBuilder(valid);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(text.length() + 1);
            switch (random.nextInt(4)) {
                case 0 -> text.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                case 1 -> text.insert(at, WORDS[random.nextInt(WORDS.length)]);
                case 2 -> {
                    if (at < text.length()) {
                        text.delete(at, Math.min(text.length(), at + 1 + random.nextInt(4)));
                    }
                }
                default -> {
                    if (at < text.length()) {
                        text.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                    }
                }
            }
        }
        return text.toString();
    }

    /** Whether {@code runJson} still names the run's search (then resume would rightly run it). */
    private static boolean namesTheSearch(byte[] runJson, String searchId) {
        try {
            JsonNode json = JSON.readTree(runJson);
            return json != null && searchId.equals(json.path("search_id").asText(null));
        } catch (IOException e) {
            return false;
        }
    }

    static void resumeRefuses(byte[] runJson) {
        Template run = template();
        if (namesTheSearch(runJson, run.searchId())) {
            return;
        }
        Path file = run.dir().resolve(SearchCommand.RUN);
        try {
            Files.write(file, runJson);
            Result resumed = run("resume", run.dir().toString(), "--quiet");
            String shown = resumed.out() + resumed.err();
            assertEquals(Main.USAGE, resumed.exit(), shown);
            assertEquals("", resumed.out());
            List<String> lines = resumed.err().strip().lines().toList();
            assertEquals(1, lines.size(), "one line on stderr: " + resumed.err());
            assertTrue(lines.get(0).contains(file.toString()), "the line names run.json: " + lines.get(0));
            assertFalse(shown.contains("Exception") || shown.contains("\tat "), "no stack trace: " + shown);
            assertArrayEquals(run.evaluations(), Files.readAllBytes(run.dir().resolve(SearchCommand.EVALUATIONS)));
            assertArrayEquals(run.summary(), Files.readAllBytes(run.dir().resolve(SearchCommand.SUMMARY)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
