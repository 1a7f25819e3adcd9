package io.archipelago.node.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.models.supernet.SposCheckpoint;
import io.archipelago.node.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code archipelago bench supernet} in process on the models module's 64 tiny Fashion-MNIST
 * images: C=2, N=1, 32 training images in batches of 8 (4 steps, so a checkpoint at each quarter),
 * 8 sampled NB201 cells and a 5-cell truth table made here, scored on 16 images.
 */
class BenchSupernetCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TINY = Path.of("../models/src/test/resources/fashion-mnist")
            .toAbsolutePath()
            .normalize();
    private static final List<String> TRUTH_CELLS = List.of(
            "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|",
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
            "|avg_pool_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|",
            "|avg_pool_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|skip_connect~2|",
            "|skip_connect~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|skip_connect~1|nor_conv_1x1~2|");

    record Run(int exit, String out, String err) {
        JsonNode json() throws IOException {
            List<String> lines = out.strip().lines().toList();
            return JSON.readTree(lines.get(lines.size() - 1));
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static String[] tiny(Path out, Path truth, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "bench",
                "supernet",
                "--out",
                out.toString(),
                "--data",
                "fashion-mnist:" + TINY,
                "--channels",
                "2",
                "--cells",
                "1",
                "--batch",
                "8",
                "--train-images",
                "32",
                "--epochs",
                "1",
                "--sample",
                "8",
                "--eval-images",
                "16",
                "--eval-batch",
                "8",
                "--threads",
                "1",
                "--truth",
                truth.toString(),
                "--quiet"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static Path truthFile(Path dir) throws IOException {
        List<String> lines = new ArrayList<>(List.of("index,arch,valid_accuracy,test_accuracy"));
        for (int i = 0; i < TRUTH_CELLS.size(); i++) {
            lines.add(i + "," + TRUTH_CELLS.get(i) + "," + (80 + 3 * i % 7) + "," + (81 + i));
        }
        Path file = dir.resolve("truth.csv");
        Files.write(file, lines);
        return file;
    }

    @Test
    void benchesSeedsResumesAStoppedOneAndRedoesNothingTheSecondTime(@TempDir Path tmp) throws IOException {
        Path truth = truthFile(tmp);
        Path bench = tmp.resolve("bench");

        Run stopped = run(tiny(bench, truth, "--seeds", "1", "--stop-after", "2"));
        assertEquals(0, stopped.exit(), stopped.err());
        assertTrue(stopped.out().contains("seed 0: stopped at step 2 of 4"), stopped.out());

        // Two seeds now: seed 0 goes on from its checkpoint, seed 1 is new.
        Run first = run(tiny(bench, truth, "--seeds", "2", "--json"));
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().contains("seed 0: resuming at step 2 of 4"), first.out());
        assertTrue(first.out().contains("seed 1: training"), first.out());
        JsonNode json = first.json();
        for (String key : List.of("truth", "table")) {
            for (String measure : List.of("kendall", "spearman")) {
                for (String of : List.of("supernet_accuracy", "params")) {
                    assertTrue(json.get(key).get(measure).has(of), key + "." + measure + "." + of);
                }
            }
        }
        assertEquals(5, json.get("truth").get("cells").asInt());
        assertEquals(8, json.get("table").get("cells").asInt());
        assertTrue(json.get("train_images_per_second").asDouble() > 0);
        assertTrue(json.get("seconds_per_cell").asDouble() > 0);
        assertEquals(4, json.get("curve").size());
        assertEquals(0.25, json.get("curve").get(0).get("fraction").asDouble());
        assertEquals(1, json.get("curve").get(0).get("step").asInt());
        assertEquals(4, json.get("curve").get(3).get("step").asInt());
        assertNotNull(json.get("picked").get("value"));
        assertEquals(2, json.get("per_seed").size());
        JsonNode seed1 = json.get("per_seed").get(1);
        assertEquals(1, seed1.get("seed").asInt());
        assertEquals(4, seed1.get("curve").get(3).get("step").asInt());
        assertTrue(seed1.get("table").get("kendall").has("supernet_accuracy"));
        Path scores = bench.resolve("seed-0/eval-step-00000004.csv");
        assertEquals(1 + 8 + 5, Files.readAllLines(scores).size()); // header, the sample, the truth cells

        // The same bench again: trained and scored already, the same figures read back.
        Map<Path, FileTime> before = modified(bench);
        Run again = run(tiny(bench, truth, "--seeds", "2", "--json"));
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("seed 0: trained already"), again.out());
        assertTrue(again.out().contains("seed 1: trained already"), again.out());
        assertFalse(again.out().contains("supernet train:"), again.out());
        assertEquals(json, again.json());
        assertEquals(before, modified(bench));

        // The stopped and resumed seed 0 ends with the weights and scores of one run straight through.
        Path straight = tmp.resolve("straight");
        Run one = run(tiny(straight, truth, "--seeds", "1"));
        assertEquals(0, one.exit(), one.err());
        assertEquals(
                SposCheckpoint.read(straight.resolve("seed-0/checkpoint.spos")).weightsHashHex(),
                SposCheckpoint.read(bench.resolve("seed-0/checkpoint.spos")).weightsHashHex());
        assertEquals(withoutSeconds(straight.resolve("seed-0/eval-step-00000004.csv")), withoutSeconds(scores));
    }

    @Test
    void aSeedKilledBeforeItsFirstCheckpointStartsOver(@TempDir Path tmp) throws IOException {
        Path truth = truthFile(tmp);
        Path bench = tmp.resolve("bench");
        Run whole = run(tiny(bench, truth, "--seeds", "1"));
        assertEquals(0, whole.exit(), whole.err());
        Path seed = bench.resolve("seed-0");
        String weights = SposCheckpoint.read(seed.resolve("checkpoint.spos")).weightsHashHex();
        // What a kill before the first checkpoint leaves: train.json and loss.csv, no checkpoint.
        Files.delete(seed.resolve("checkpoint.spos"));
        try (Stream<Path> kept = Files.walk(seed.resolve("checkpoints"))) {
            for (Path p : kept.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }

        Run again = run(tiny(bench, truth, "--seeds", "1"));
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("seed 0: training"), again.out());
        assertTrue(again.out().contains("step 4 (100%): 13 cells scored, 13 of them now"), again.out());
        assertEquals(
                weights, SposCheckpoint.read(seed.resolve("checkpoint.spos")).weightsHashHex());
    }

    @Test
    void refusesBadInputWithOneLine(@TempDir Path tmp) throws IOException {
        Path truth = truthFile(tmp);
        Path bench = tmp.resolve("bench");
        assertRefused(run(tiny(bench, truth, "--seeds", "0")), "--seeds must be > 0");
        assertRefused(run(tiny(bench, truth, "--truth-metric", "nope")), "unknown metric 'nope'");
        assertRefused(run(tiny(bench, tmp.resolve("missing.csv"))), "missing.csv");
        List<String> args = new ArrayList<>(List.of(tiny(bench, truth)));
        args.set(args.indexOf("--data") + 1, "mnist-digits");
        assertRefused(run(args.toArray(String[]::new)), "unknown data set");

        Files.createDirectories(bench);
        Files.writeString(bench.resolve("bench.json"), "{\"channels\": 4}");
        assertRefused(run(tiny(bench, truth)), "holds a bench of other settings");
    }

    private static void assertRefused(Run run, String message) {
        assertEquals(2, run.exit(), run.out() + run.err());
        List<String> lines = run.err().strip().lines().toList();
        assertEquals(1, lines.size(), "stderr: " + run.err());
        assertTrue(lines.get(0).contains(message), "stderr '" + lines.get(0) + "' lacks '" + message + "'");
    }

    private static Map<Path, FileTime> modified(Path dir) throws IOException {
        Map<Path, FileTime> times = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                times.put(p, Files.getLastModifiedTime(p));
            }
        }
        return times;
    }

    private static List<String> withoutSeconds(Path scores) throws IOException {
        return Files.readAllLines(scores).stream()
                .map(l -> l.substring(0, l.lastIndexOf(',')))
                .toList();
    }
}
