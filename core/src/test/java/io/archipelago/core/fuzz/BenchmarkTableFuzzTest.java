package io.archipelago.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.SearchSpaces;
import io.archipelago.core.table.BenchmarkFormatException;
import io.archipelago.core.table.BenchmarkTable;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target: benchmark CSV files. Any bytes either read as a table whose every entry is
 * finite and found again by its representative, or are refused with a
 * {@link BenchmarkFormatException} that names the source (and the line, where there is one);
 * never another exception, never a hang. Inputs: random bytes, random lines, and the first 50
 * lines of the shipped nb201 and nbgraph tables with random edits. Runs {@value #TRIES} tries
 * per target from a fixed seed; {@code -Darchipelago.fuzz.seconds=N} runs each for N seconds from
 * a random one (see {@link Fuzz}).
 */
class BenchmarkTableFuzzTest {
    static final int TRIES = 200;
    private static final String SOURCE = "fuzz.csv";
    /** A read that takes more CPU time than this is taken for a hang (the first reads, which load classes, are done before). */
    private static final long SLOW_NANOS = 5_000_000_000L;

    private static final Map<String, String> SAMPLES = Map.of(
            "nb201", head("nb201-cifar10.csv", 50),
            "nbgraph", head("nbgraph-cora.csv", 50));
    /** What an edit writes: CSV's own characters, numbers' and the grammars'. */
    private static final String ALPHABET = ",\"\n\r|+~ -.eE0123456789aNnIfinity_\t\u0000é";

    private static final String[] WORDS = {"NaN", "Infinity", "-Infinity", "1e999", "arch", "index", "\"", "\"\"", ",,"
    };

    static {
        for (var sample : SAMPLES.entrySet()) { // warm up: load the spaces, their canonical keys and Jackson
            check(SearchSpaces.byId(sample.getKey()), sample.getValue().getBytes(StandardCharsets.UTF_8));
            check(SearchSpaces.byId(sample.getKey()), new byte[] {(byte) 0xff, '"'});
        }
    }

    /** A CSV input: the space it is read for, and its bytes. */
    record Input(String space, byte[] bytes) {
        @Override
        public String toString() {
            String text = new String(bytes, StandardCharsets.UTF_8);
            return Arrays.equals(bytes, text.getBytes(StandardCharsets.UTF_8))
                    ? "input(" + Fuzz.show(space) + ", " + Fuzz.show(text) + ")"
                    : "new Input(" + Fuzz.show(space) + ", " + Fuzz.show(bytes) + ")";
        }
    }

    /** Inputs found by fuzzing or written by hand, kept so that they stay answered well. */
    static final List<Input> REGRESSIONS = List.of(
            input("nb201", ""),
            input("nb201", "arch"),
            // Found by anyBytes: not UTF-8 (Jackson's CharConversionException came out of read as an IOException).
            new Input("nbgraph", new byte[] {(byte) 0xff}),
            new Input("nbgraph", "arch,x\ngcn~0|gin~1|cheb~1|fc~2,\u00e9\n".getBytes(StandardCharsets.ISO_8859_1)),
            input("nb201", "arch,x\n\"unterminated"),
            input("nbgraph", "arch,x\ngcn~0|gin~1|cheb~1|fc~2,\"1\"2\n"),
            input("nbgraph", "arch,x\ngcn~0|gin~1|cheb~1|fc~2,NaN\n"),
            input("nbgraph", "\"arch\",\"x\"\n\"gcn~0|gin~1|cheb~1|fc~2\",1\n\"a"),
            input("nbgraph", "arch,x\r\ngcn~0|gin~1|cheb~1|fc~2,1\r\n\r\n"));

    static Input input(String space, String text) {
        return new Input(space, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void regressions() {
        for (Input input : REGRESSIONS) {
            readsOrRefuses(input);
        }
    }

    @Test
    void theSamplesAreTables() throws IOException {
        for (var sample : SAMPLES.entrySet()) {
            BenchmarkTable<?> table = BenchmarkTable.read(
                    SearchSpaces.byId(sample.getKey()),
                    new ByteArrayInputStream(sample.getValue().getBytes(StandardCharsets.UTF_8)),
                    SOURCE);
            assertEquals(49, table.rows(), sample.getKey());
        }
    }

    @Test
    void anyBytes() {
        Fuzz.check(
                "benchmark CSV bytes",
                201,
                TRIES,
                BenchmarkTableFuzzTest::anyBytesInputs,
                BenchmarkTableFuzzTest::readsOrRefuses);
    }

    @Test
    void anyLines() {
        Fuzz.check(
                "benchmark CSV lines",
                202,
                TRIES,
                BenchmarkTableFuzzTest::anyLinesInputs,
                BenchmarkTableFuzzTest::readsOrRefuses);
    }

    @Test
    void mutatedTable() {
        Fuzz.check(
                "mutated benchmark tables",
                203,
                TRIES,
                BenchmarkTableFuzzTest::mutatedTables,
                BenchmarkTableFuzzTest::readsOrRefuses);
    }

    private static final List<String> SPACE_IDS = List.copyOf(new java.util.TreeSet<>(SAMPLES.keySet()));
    private static final List<String> HEADERS = List.of("arch,x", "index,arch,a,b", "arch,valid_acc,test_acc");

    /** Up to 300 random bytes. */
    static Input anyBytesInputs(SplittableRandom random) {
        return new Input(Fuzz.pick(random, SPACE_IDS), Fuzz.anyBytes(random, 300));
    }

    /** Up to 8 lines, each random characters, a word, a header or a sample's first row. */
    static Input anyLinesInputs(SplittableRandom random) {
        String space = Fuzz.pick(random, SPACE_IDS);
        int count = Fuzz.size(random, 8);
        List<String> lines = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            lines.add(
                    switch (random.nextInt(4)) {
                        case 0 -> Fuzz.string(random, ALPHABET + "abcdefghijklmnopqrstuvwxyz", 60);
                        case 1 -> WORDS[random.nextInt(WORDS.length)];
                        case 2 -> Fuzz.pick(random, HEADERS);
                        default ->
                            SAMPLES.get(Fuzz.pick(random, SPACE_IDS))
                                    .lines()
                                    .skip(1)
                                    .findFirst()
                                    .orElseThrow();
                    });
        }
        return input(space, String.join("\n", lines));
    }

    /** A sample table with 1 to 6 edits: characters inserted, deleted or replaced, lines dropped or repeated. */
    static Input mutatedTables(SplittableRandom random) {
        String space = Fuzz.pick(random, SPACE_IDS);
        return input(space, mutated(SAMPLES.get(space), random.nextLong(), 1 + random.nextInt(6)));
    }

    static String mutated(String sample, long seed, int edits) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder text = new StringBuilder(sample);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(text.length() + 1);
            switch (random.nextInt(6)) {
                case 0 -> text.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                case 1 -> text.insert(at, WORDS[random.nextInt(WORDS.length)]);
                case 2 -> {
                    if (at < text.length()) {
                        text.deleteCharAt(at);
                    }
                }
                case 3 -> {
                    if (at < text.length()) {
                        text.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                    }
                }
                default -> {
                    List<String> lines = new ArrayList<>(text.toString().lines().toList());
                    if (!lines.isEmpty()) {
                        int line = random.nextInt(lines.size());
                        if (random.nextBoolean()) {
                            lines.remove(line);
                        } else {
                            lines.add(random.nextInt(lines.size() + 1), lines.get(line));
                        }
                    }
                    text.setLength(0);
                    text.append(String.join("\n", lines));
                }
            }
        }
        return text.toString();
    }

    static void readsOrRefuses(Input input) {
        check(SearchSpaces.byId(input.space()), input.bytes());
    }

    private static <A> void check(SearchSpace<A> space, byte[] bytes) {
        long start = Fuzz.cpuNanos();
        BenchmarkTable<A> table;
        try {
            table = BenchmarkTable.read(space, new ByteArrayInputStream(bytes), SOURCE);
        } catch (BenchmarkFormatException refused) {
            String message = refused.getMessage();
            assertTrue(message.startsWith(SOURCE + ": "), "the refusal names the source: " + message);
            assertFalse(message.contains("Exception"), "a refusal is no exception's text: " + message);
            return;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            assertTrue(Fuzz.cpuNanos() - start < SLOW_NANOS, "read took over five seconds of CPU time");
        }
        long lines = new String(bytes, StandardCharsets.UTF_8).lines().count();
        assertTrue(table.rows() >= 1 && table.rows() < lines, "rows " + table.rows() + " of " + lines + " lines");
        assertTrue(table.size() <= table.rows());
        assertFalse(table.metrics().isEmpty());
        int rows = 0;
        for (BenchmarkTable.Entry<A> entry : table.entries()) {
            for (double value : entry.values()) {
                assertTrue(Double.isFinite(value), "metric " + value);
            }
            assertEquals(entry, table.entry(entry.representative()).orElseThrow());
            rows += entry.rows();
        }
        assertEquals(table.rows(), rows, "every row is in one entry");
    }

    private static String head(String resource, int lines) {
        try (InputStream in = BenchmarkTable.class.getResourceAsStream(resource)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return String.join("\n", text.lines().limit(lines).toList()) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
