package io.archipelago.node.supernet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code archipelago supernet train} in process on the tiny Fashion-MNIST copy of the models
 * module's test resources (64 t10k images): C=2, N=1, batches of 8, so a run is a few steps.
 */
class SupernetTrainCliTest {
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

    /** A tiny run's options: 32 images, batches of 8 (4 steps an epoch), then {@code more}. */
    static String[] tiny(String... more) {
        List<String> args = new ArrayList<>(List.of(
                "supernet",
                "train",
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
                "--threads",
                "1",
                "--quiet"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @BeforeAll
    static void dataIsThere() {
        assertTrue(Files.isDirectory(TINY), "no tiny Fashion-MNIST at " + TINY);
    }

    @Test
    void aShortRunWritesCheckpointLossChartAndTrainJson(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("run");
        Run run = run(tiny("--epochs", "2", "--seed", "3", "--augment", "--out", dir.toString()));
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("done at step 8 of 8"), run.out());

        for (String name : List.of("checkpoint.spos", "loss.png", "train.json", "loss.csv")) {
            assertTrue(Files.size(dir.resolve(name)) > 0, name);
        }
        SposCheckpoint cp = SposCheckpoint.read(dir.resolve("checkpoint.spos"));
        assertEquals(8, cp.step());
        assertEquals(8, cp.spec().totalSteps());
        assertEquals(2, cp.spec().channels());
        assertEquals(8, cp.spec().batch());
        assertEquals(3, cp.spec().seed());
        assertTrue(cp.spec().augment());
        assertTrue(
                cp.spec().data().startsWith("fashion-mnist t10k, 32 of 64 images"),
                cp.spec().data());

        JsonNode json = JSON.readTree(dir.resolve("train.json").toFile());
        assertEquals("done", json.get("status").asText());
        assertEquals(8, json.get("steps_done").asLong());
        assertEquals(8, json.get("spec").get("total_steps").asLong());
        assertEquals("epochs", json.get("plan").get("by").asText());
        assertEquals(cp.weightsHashHex(), json.get("weights_sha256").asText());
        assertEquals(64, json.get("checkpoint_sha256").asText().length());
        assertTrue(json.get("images_per_second").asDouble() > 0);
        double loss = json.get("final_loss").asDouble();
        assertTrue(loss > 0 && loss < 10, "final loss " + loss);
        double acc = json.get("final_accuracy").asDouble();
        assertTrue(acc >= 0 && acc <= 1, "final accuracy " + acc);
        assertEquals(9, Files.readAllLines(dir.resolve("loss.csv")).size()); // header + 8 steps

        // Intermediate checkpoints (every 10%: each step here) are kept under checkpoints/.
        try (Stream<Path> kept = Files.list(dir.resolve("checkpoints"))) {
            assertEquals(8, kept.count());
        }
        assertEquals(
                1,
                SposCheckpoint.read(dir.resolve("checkpoints/step-00000001.spos"))
                        .step());

        // A flipped byte: --resume refuses the checkpoint with its own message, exit 2.
        Path corrupt = tmp.resolve("corrupt");
        Files.createDirectories(corrupt);
        byte[] bytes = Files.readAllBytes(dir.resolve("checkpoint.spos"));
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(corrupt.resolve("checkpoint.spos"), bytes);
        Files.copy(dir.resolve("train.json"), corrupt.resolve("train.json"));
        Run refused = run("supernet", "train", "--resume", corrupt.toString(), "--quiet");
        assertEquals(2, refused.exit(), refused.err());
        assertOneLine(refused.err(), "checksum mismatch");

        // Resuming a finished run trains nothing and keeps its weights.
        Run again = run("supernet", "train", "--resume", dir.toString(), "--quiet", "--threads", "1");
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("0 this run"), again.out());
        assertEquals(
                cp.weightsHashHex(),
                SposCheckpoint.read(dir.resolve("checkpoint.spos")).weightsHashHex());
    }

    @Test
    void resumeFromAnEarlyCheckpointReachesTheUninterruptedWeights(@TempDir Path tmp) throws IOException {
        Path whole = tmp.resolve("whole");
        Run uninterrupted = run(tiny("--epochs", "3", "--checkpoint-every", "4", "--out", whole.toString()));
        assertEquals(0, uninterrupted.exit(), uninterrupted.err());
        String expected = SposCheckpoint.read(whole.resolve("checkpoint.spos")).weightsHashHex();

        Path split = tmp.resolve("split");
        Run first =
                run(tiny("--epochs", "3", "--checkpoint-every", "4", "--stop-after", "5", "--out", split.toString()));
        assertEquals(0, first.exit(), first.err());
        assertEquals(5, SposCheckpoint.read(split.resolve("checkpoint.spos")).step());
        JsonNode stopped = JSON.readTree(split.resolve("train.json").toFile());
        assertEquals("stopped", stopped.get("status").asText());
        assertEquals(5, stopped.get("steps_done").asLong());
        double secondsBefore = stopped.get("training_seconds").asDouble();
        assertTrue(secondsBefore > 0, stopped.toString());
        // As if killed after two more steps that no checkpoint holds: their loss rows are dropped on resume.
        Files.writeString(
                split.resolve("loss.csv"), "5,9.0,0.0,0.01\n6,9.0,0.0,0.01\n", java.nio.file.StandardOpenOption.APPEND);
        assertNotEquals(
                expected, SposCheckpoint.read(split.resolve("checkpoint.spos")).weightsHashHex());

        Run resumed = run("supernet", "train", "--resume", split.toString(), "--quiet", "--threads", "1");
        assertEquals(0, resumed.exit(), resumed.err());
        SposCheckpoint end = SposCheckpoint.read(split.resolve("checkpoint.spos"));
        assertEquals(12, end.step());
        assertEquals(expected, end.weightsHashHex());
        JsonNode json = JSON.readTree(split.resolve("train.json").toFile());
        assertEquals("done", json.get("status").asText());
        assertEquals(expected, json.get("weights_sha256").asText());
        assertEquals(Files.readAllLines(whole.resolve("loss.csv")), Files.readAllLines(split.resolve("loss.csv")));
        // The speed over the whole run counts both processes' training time.
        double seconds = json.get("training_seconds").asDouble();
        assertTrue(seconds > secondsBefore, json.toString());
        assertEquals(12 * 8 / seconds, json.get("images_per_second_overall").asDouble(), 1e-9);
    }

    @Test
    void minutesFixTheStepsAtTheStart(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("timed");
        Run run = run(tiny("--minutes", "0.02", "--out", dir.toString()));
        assertEquals(0, run.exit(), run.err());
        JsonNode json = JSON.readTree(dir.resolve("train.json").toFile());
        assertEquals("minutes", json.get("plan").get("by").asText());
        assertTrue(json.get("plan").get("probe_seconds_per_step").asDouble() > 0);
        long total = json.get("spec").get("total_steps").asLong();
        assertTrue(total >= 1, "total steps " + total);
        assertEquals(total, json.get("steps_done").asLong());
        assertEquals(
                total,
                SposCheckpoint.read(dir.resolve("checkpoint.spos")).spec().totalSteps());
    }

    @Test
    void cifar10TrainsOnTheDataBatchesOfItsFolder(@TempDir Path tmp) throws IOException {
        Path cifar = Files.createDirectories(tmp.resolve("cifar"));
        writeCifar(cifar.resolve("data_batch_1.bin"), 40, 1);
        writeCifar(cifar.resolve("test_batch.bin"), 10, 2);
        Path dir = tmp.resolve("run");
        Run run = run(
                "supernet",
                "train",
                "--data",
                "cifar10:" + cifar,
                "--channels",
                "2",
                "--batch",
                "8",
                "--train-images",
                "32",
                "--threads",
                "1",
                "--quiet",
                "--out",
                dir.toString());
        assertEquals(0, run.exit(), run.err());
        SposCheckpoint cp = SposCheckpoint.read(dir.resolve("checkpoint.spos"));
        assertTrue(
                cp.spec().data().startsWith("cifar10 train, 32 of 40 images"),
                cp.spec().data());
        assertEquals(4, cp.step());

        Run missing = run(
                "supernet",
                "train",
                "--data",
                "cifar10:" + tmp.resolve("nothing"),
                "--out",
                tmp.resolve("other").toString());
        assertEquals(2, missing.exit());
        assertOneLine(missing.err(), "missing file");
    }

    private static void writeCifar(Path file, int records, long seed) throws IOException {
        java.util.Random random = new java.util.Random(seed);
        byte[] bytes = new byte[records * (1 + 3 * 32 * 32)];
        random.nextBytes(bytes);
        for (int r = 0; r < records; r++) {
            bytes[r * (1 + 3 * 32 * 32)] = (byte) random.nextInt(10);
        }
        Files.write(file, bytes);
    }

    static Stream<Arguments> badInput() {
        return Stream.of(
                Arguments.of("unknown data set 'nowhere'", new String[] {"--data", "nowhere"}),
                Arguments.of("does not exist", new String[] {"--data", "fashion-mnist:/nonexistent/fmnist"}),
                Arguments.of("--channels must be > 0", new String[] {"--channels", "0"}),
                Arguments.of("--cells must be > 0", new String[] {"--cells", "-1"}),
                Arguments.of("--batch must be > 0", new String[] {"--batch", "0"}),
                Arguments.of("--epochs must be > 0", new String[] {"--epochs", "0"}),
                Arguments.of("--minutes must be > 0", new String[] {"--minutes", "0"}),
                Arguments.of(
                        "--epochs and --minutes exclude each other", new String[] {"--epochs", "1", "--minutes", "1"}),
                Arguments.of("smaller than one batch", new String[] {"--train-images", "4"}),
                Arguments.of("has only 64 images", new String[] {"--train-images", "100"}),
                Arguments.of("unknown --space 'nb301'", new String[] {"--space", "nb301"}),
                Arguments.of("--threads must be > 0", new String[] {"--threads", "0"}),
                Arguments.of("--checkpoint-every must be > 0", new String[] {"--checkpoint-every", "0"}));
    }

    @ParameterizedTest
    @MethodSource("badInput")
    void badInputExits2WithOneLine(String message, String[] bad, @TempDir Path tmp) {
        List<String> args = new ArrayList<>(Arrays.asList(tiny()));
        for (int i = 0; i < bad.length; i += 2) { // each bad option replaces the tiny run's value
            int at = args.indexOf(bad[i]);
            if (at >= 0) {
                args.set(at + 1, bad[i + 1]);
            } else {
                args.addAll(List.of(bad[i], bad[i + 1]));
            }
        }
        args.addAll(List.of("--out", tmp.resolve("run").toString()));
        Run run = run(args.toArray(String[]::new));
        assertEquals(2, run.exit(), run.err());
        assertOneLine(run.err(), message);
        assertTrue(Files.notExists(tmp.resolve("run")), "a refused run made its directory");
    }

    @Test
    void directoriesThatCannotBeUsedExit2WithOneLine(@TempDir Path tmp) throws IOException {
        Path taken = Files.createDirectories(tmp.resolve("taken"));
        Files.writeString(taken.resolve("train.json"), "{}");
        Run run = run(tiny("--out", taken.toString()));
        assertEquals(2, run.exit());
        assertOneLine(run.err(), "already holds a run (train.json)");

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        run = run("supernet", "train", "--resume", empty.toString());
        assertEquals(2, run.exit());
        assertOneLine(run.err(), "holds no checkpoint");

        Files.writeString(empty.resolve("checkpoint.spos"), "not a checkpoint");
        run = run("supernet", "train", "--resume", empty.toString());
        assertEquals(2, run.exit());
        assertOneLine(run.err(), "not a SPOS checkpoint (bad magic)");

        run = run(tiny());
        assertEquals(2, run.exit());
        assertOneLine(run.err(), "--out DIR is required");

        run = run("supernet", "train", "--resume", empty.toString(), "--channels", "4");
        assertEquals(2, run.exit());
        assertOneLine(run.err(), "--channels cannot be given with --resume");
    }

    private static void assertOneLine(String err, String message) {
        List<String> lines = err.strip().lines().toList();
        assertEquals(1, lines.size(), "stderr: " + err);
        assertTrue(lines.get(0).contains(message), "stderr '" + lines.get(0) + "' lacks '" + message + "'");
        assertTrue(!lines.get(0).contains("Exception"), lines.get(0));
    }
}
