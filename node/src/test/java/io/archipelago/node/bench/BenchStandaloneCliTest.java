package io.archipelago.node.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.node.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code archipelago bench standalone} in process on the tiny Fashion-MNIST copy (64 t10k images):
 * C=2, N=1, 16px, 24 training images in batches of 8, one epoch, so a row is a fraction of a second.
 */
class BenchStandaloneCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path TINY = Path.of("../models/src/test/resources/fashion-mnist")
            .toAbsolutePath()
            .normalize();

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Three cells, two seeds, one epoch each, then {@code more}. */
    static String[] tiny(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of(base(out)));
        args.addAll(List.of("--sample", "3", "--epochs", "1"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    static String[] base(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "bench",
                "standalone",
                "--data",
                "fashion-mnist:" + TINY,
                "--channels",
                "2",
                "--cells",
                "1",
                "--image-size",
                "16",
                "--batch",
                "8",
                "--train-images",
                "24",
                "--valid-images",
                "16",
                "--test-images",
                "16",
                "--threads",
                "1",
                "--out",
                out.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void anInterruptedTableContinuesWithoutRedoingARowAndLoadsAsABenchmark(@TempDir Path tmp) throws IOException {
        Path table = tmp.resolve("truth.csv");
        Path progress = tmp.resolve("truth.csv.progress.csv");
        Run first = run(tiny(table, "--stop-after-rows", "2"));
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().contains("stopped after 2 rows"), first.out());
        assertFalse(Files.exists(table), "no table before every row is done");
        List<String> finished = Files.readAllLines(progress);
        assertEquals(3, finished.size(), "header and two rows: " + finished);
        // killed while writing the third row
        Files.writeString(progress, "1,|nor_conv", StandardOpenOption.APPEND);

        Run rest = run(tiny(table));
        assertEquals(0, rest.exit(), rest.err());
        assertTrue(rest.out().contains("2 of 6 rows done"), rest.out());
        assertTrue(rest.out().contains("rows trained now 4 (2 were done)"), rest.out());
        List<String> all = Files.readAllLines(progress);
        assertEquals(7, all.size(), all.toString());
        assertEquals(finished, all.subList(0, 3), "finished rows are kept as they were");

        BenchmarkTable<Nb201Cell> loaded = BenchmarkTable.load(Nb201Space.INSTANCE, table);
        assertEquals(3, loaded.rows());
        assertEquals(3, loaded.size(), "one entry per cell: distinct functions");
        assertTrue(
                loaded.metrics()
                        .containsAll(List.of(
                                "valid_accuracy",
                                "test_accuracy",
                                "params",
                                "valid_accuracy_seed0",
                                "test_accuracy_seed1")),
                loaded.metrics().toString());
        Set<String> keys = new HashSet<>();
        for (String line : Files.readAllLines(table).subList(1, 4)) {
            Nb201Cell cell = Nb201Space.INSTANCE.parse(line.split(",")[1]);
            keys.add(Nb201Space.INSTANCE.canonicalKey(cell));
        }
        assertEquals(3, keys.size(), "distinct functions");

        Run again = run(tiny(table, "--json"));
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("rows trained now 0 (6 were done)"), again.out());
        String[] lines = again.out().strip().split("\n");
        JsonNode summary = JSON.readTree(lines[lines.length - 1]);
        assertEquals(6, summary.get("rows_resumed").asInt());
        assertTrue(summary.has("kendall_tau_seeds"));
    }

    @Test
    void cellsNamedByArchAreTrainedAsTheTableTrainsThemOnAnyNumberOfWorkers(@TempDir Path tmp) throws IOException {
        Path table = tmp.resolve("truth.csv");
        assertEquals(0, run(tiny(table)).exit());
        Map<String, String> truth = rows(tmp.resolve("truth.csv.progress.csv"));
        List<String> archs = truth.keySet().stream()
                .map(key -> key.substring(0, key.lastIndexOf(' ')))
                .distinct()
                .limit(2)
                .toList();

        Path picked = tmp.resolve("picked.csv");
        Run run = run(base(picked, "--epochs", "1", "--workers", "2", "--arch", archs.get(0), "--arch", archs.get(1)));
        assertEquals(0, run.exit(), run.err());
        Map<String, String> trained = rows(tmp.resolve("picked.csv.progress.csv"));
        assertEquals(4, trained.size(), trained.toString());
        trained.forEach((key, accuracies) -> assertEquals(truth.get(key), accuracies, key));
    }

    /** "arch seed" to "valid_accuracy test_accuracy" of a progress file. */
    private static Map<String, String> rows(Path progress) throws IOException {
        Map<String, String> rows = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(progress)
                .subList(1, Files.readAllLines(progress).size())) {
            String[] f = line.split(",");
            rows.put(f[1] + " " + f[2], f[3] + " " + f[4]);
        }
        return rows;
    }

    @Test
    void otherSettingsOnAnExistingTableAreRefusedInOneLine(@TempDir Path tmp) {
        Path table = tmp.resolve("truth.csv");
        assertEquals(0, run(tiny(table, "--stop-after-rows", "1")).exit());
        Run refused = run(base(table, "--sample", "3", "--epochs", "2"));
        assertEquals(2, refused.exit(), refused.err());
        assertOneLine(refused.err(), "other settings (epochs 1, not 2)");
    }

    @Test
    void badInputExitsTwoWithOneLine(@TempDir Path tmp) {
        Run sample = run(base(tmp.resolve("a.csv"), "--sample", "0"));
        assertEquals(2, sample.exit());
        assertOneLine(sample.err(), "--sample must be > 0");
        Run data = run(
                "bench",
                "standalone",
                "--data",
                "mnist",
                "--out",
                tmp.resolve("b.csv").toString());
        assertEquals(2, data.exit());
        assertOneLine(data.err(), "unknown data set 'mnist'");
        assertFalse(Files.exists(tmp.resolve("b.csv.settings.json")), "refused before making any file");
        Run seeds = run(tiny(tmp.resolve("c.csv"), "--seeds", "0"));
        assertEquals(2, seeds.exit());
        assertOneLine(seeds.err(), "--seeds must be > 0");
    }

    static void assertOneLine(String err, String expected) {
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.contains(expected), err);
    }
}
