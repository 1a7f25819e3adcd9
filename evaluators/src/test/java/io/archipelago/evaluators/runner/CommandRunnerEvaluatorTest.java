package io.archipelago.evaluators.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.proto.Architecture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command runner (protocol 2) against small shell scripts written to a temporary folder. */
class CommandRunnerEvaluatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CELL =
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";
    private static final Architecture ARCH =
            Architecture.newBuilder().setSpace("nb201").setEncoding(CELL).build();

    @TempDir
    Path tmp;

    private Path script(String name, String body) throws Exception {
        Path file = tmp.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private CommandRunnerEvaluator runner(Path script, Duration timeout) {
        return new CommandRunnerEvaluator("runner", "'" + script + "'", timeout);
    }

    private EvaluationException failure(String body) throws Exception {
        CommandRunnerEvaluator r = runner(script("runner-" + System.nanoTime(), body), Duration.ofSeconds(20));
        return assertThrows(EvaluationException.class, () -> r.evaluate(ARCH, 0));
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
        }
    }

    @Test
    void theRequestReachesTheRunnerWhichAnswersWithItsMetrics() throws Exception {
        Path request = tmp.resolve("request.json");
        // Echoes the fidelity back as a metric and the encoding as a label: both arrived.
        Path s = script(
                "echo",
                "read -r line\n"
                        + "printf '%s\\n' \"$line\" > '" + request + "'\n"
                        + "fidelity=$(printf '%s' \"$line\" | sed 's/.*\"fidelity\":\\([0-9]*\\).*/\\1/')\n"
                        + "encoding=$(printf '%s' \"$line\" | sed 's/.*\"encoding\":\"\\([^\"]*\\)\".*/\\1/')\n"
                        + "echo \"{\\\"metrics\\\": {\\\"fidelity\\\": $fidelity, \\\"valid_accuracy\\\": 91.5},"
                        + " \\\"labels\\\": {\\\"encoding\\\": \\\"$encoding\\\", \\\"gpu\\\": \\\"none\\\"}}\"");
        CommandRunnerEvaluator r = runner(s, Duration.ofSeconds(20));
        assertEquals("runner", r.kind());
        Evaluation e = r.evaluate(ARCH, 12);
        assertEquals(Map.of("fidelity", 12.0, "valid_accuracy", 91.5), e.metrics());
        assertEquals(CELL, e.labels().get("encoding"));
        assertEquals("none", e.labels().get("gpu"));
        assertEquals("'" + s + "'", e.labels().get("runner"));
        assertEquals(List.of(), e.intermediates());
        assertTrue(e.costSeconds() > 0 && e.costSeconds() < 20, "cost " + e.costSeconds());

        JsonNode sent = JSON.readTree(request.toFile());
        assertEquals(2, sent.get("protocol").asInt());
        assertEquals("nb201", sent.get("space").asText());
        assertEquals(CELL, sent.get("encoding").asText());
        assertEquals(12, sent.get("fidelity").asInt());
        assertEquals("custom", new CommandRunnerEvaluator("custom", "true", Duration.ofSeconds(1)).kind());
    }

    @Test
    void intermediateLinesBecomeTheLearningCurveAndLogLinesAreIgnored() throws Exception {
        Path s = script(
                "train",
                "cat > /dev/null\n"
                        + "echo 'loading CIFAR-10...'\n"
                        + "echo '{\"step\": 1, \"metrics\": {\"valid_accuracy\": 40.5, \"train_loss\": 1.9}}'\n"
                        + "echo 'epoch 1 done' >&2\n"
                        + "echo '  {\"epoch\": 2, \"metrics\": {\"valid_accuracy\": 55.25}, \"elapsed_seconds\": 7.5}  '\n"
                        + "echo 'lr now 0.01 {not json: free text}'\n"
                        + "echo '{\"step\": 4, \"metrics\": {\"valid_accuracy\": 61.0}, \"extra\": [1, 2]}'\n"
                        + "echo '{\"metrics\": {\"valid_accuracy\": 61.0, \"params_m\": 0.8}, \"labels\": {\"epochs\": 4}}'\n"
                        + "echo 'bye'");
        Evaluation e = runner(s, Duration.ofSeconds(20)).evaluate(ARCH, 4);
        assertEquals(Map.of("valid_accuracy", 61.0, "params_m", 0.8), e.metrics());
        assertEquals("4", e.labels().get("epochs"));
        List<Evaluation.Intermediate> curve = e.intermediates();
        assertEquals(3, curve.size());
        assertEquals(
                List.of(1, 2, 4),
                curve.stream().map(Evaluation.Intermediate::step).toList());
        assertEquals(
                Map.of("valid_accuracy", 40.5, "train_loss", 1.9), curve.get(0).metrics());
        assertEquals(Map.of("valid_accuracy", 55.25), curve.get(1).metrics());
        assertEquals(Map.of("valid_accuracy", 61.0), curve.get(2).metrics());
        // given by the runner for step 2, measured when read for the others
        assertEquals(7.5, curve.get(1).elapsedSeconds());
        double measured = curve.get(0).elapsedSeconds();
        assertTrue(measured > 0 && measured <= e.costSeconds(), "elapsed " + measured);
    }

    @Test
    void aNonZeroExitFailsWithItsCodeAndTheEndOfStderr() throws Exception {
        EvaluationException e = failure("cat > /dev/null\n"
                + "echo '{\"step\": 1, \"metrics\": {\"valid_accuracy\": 10}}'\n"
                + "echo 'CUDA out of memory' >&2\nexit 1");
        assertContains(e.getMessage(), "exited with code 1", "CUDA out of memory", "runner \"'/");
    }

    @Test
    void aRunnerPastItsTimeoutIsKilledWithItsChildrenWithinSeconds() throws Exception {
        Path pid = tmp.resolve("child.pid");
        Path s = script(
                "hang",
                "cat > /dev/null\nsleep 30 &\necho $! > '" + pid + "'\n"
                        + "echo '{\"step\": 1, \"metrics\": {\"valid_accuracy\": 10}}'\necho 'still training' >&2\nwait");
        CommandRunnerEvaluator r = runner(s, Duration.ofSeconds(1));
        long start = System.nanoTime();
        EvaluationException e = assertTimeoutPreemptively(
                Duration.ofSeconds(10), () -> assertThrows(EvaluationException.class, () -> r.evaluate(ARCH, 0)));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 5, "took " + seconds + " s");
        assertContains(e.getMessage(), "timed out after 1 s", "killed", "still training");
        ChildProcesses.assertGone(pid);
    }

    @Test
    void aBrokenProtocolLineFailsNamingTheLineAndStopsTheRunner() throws Exception {
        Path pid = tmp.resolve("trainer.pid");
        // A bad line must not wait for hours of training: the runner is stopped at once.
        Path s = script(
                "garbage",
                "cat > /dev/null\necho $$ > '" + pid + "'\necho 'starting'\n"
                        + "echo '{\"metrics\": {\"valid_accuracy\": 9'\nsleep 30");
        CommandRunnerEvaluator r = runner(s, Duration.ofSeconds(20));
        long start = System.nanoTime();
        EvaluationException e = assertThrows(EvaluationException.class, () -> r.evaluate(ARCH, 0));
        assertTrue((System.nanoTime() - start) / 1e9 < 5, "the runner was not stopped");
        assertContains(e.getMessage(), "stdout line 2", "not valid JSON", "valid_accuracy");
        ChildProcesses.assertGone(pid);
    }

    @Test
    void badShapesAreRefusedSayingWhat() throws Exception {
        EvaluationException noFinal = failure(
                "cat > /dev/null\necho 'done'\n" + "echo '{\"step\": 1, \"metrics\": {\"valid_accuracy\": 10}}'");
        assertContains(noFinal.getMessage(), "no final line", "after 1 intermediate lines");
        EvaluationException nothing = failure("cat > /dev/null");
        assertContains(nothing.getMessage(), "no final line", "stderr was empty");
        EvaluationException array = failure("echo '{\"metrics\": [1, 2]}'");
        assertContains(array.getMessage(), "stdout line 1", "non-empty object");
        EvaluationException empty = failure("echo '{\"metrics\": {}}'");
        assertContains(empty.getMessage(), "stdout line 1", "non-empty object");
        EvaluationException noMetrics = failure("echo 'log'\necho '{\"labels\": {\"gpu\": \"a100\"}}'");
        assertContains(noMetrics.getMessage(), "stdout line 2", "final line without 'metrics'");
        EvaluationException text = failure("echo '{\"metrics\": {\"valid_accuracy\": \"91.5\"}}'");
        assertContains(text.getMessage(), "'valid_accuracy'", "finite numbers");
        EvaluationException trailing = failure("echo '{\"metrics\": {\"a\": 1}} {\"b\": 2}'");
        assertContains(trailing.getMessage(), "stdout line 1", "not valid JSON");
        EvaluationException step = failure("echo '{\"step\": 0, \"metrics\": {\"a\": 1}}'");
        assertContains(step.getMessage(), "'step' 0", "positive integer");
        EvaluationException fractional = failure("echo '{\"epoch\": 1.5, \"metrics\": {\"a\": 1}}'");
        assertContains(fractional.getMessage(), "'epoch' 1.5", "positive integer");
        EvaluationException late =
                failure("echo '{\"metrics\": {\"a\": 1}}'\n" + "echo '{\"step\": 1, \"metrics\": {\"a\": 1}}'");
        assertContains(late.getMessage(), "stdout line 2", "after its final line (stdout line 1");
        EvaluationException labels = failure("echo '{\"metrics\": {\"a\": 1}, \"labels\": {\"gpu\": [1]}}'");
        assertContains(labels.getMessage(), "label 'gpu'");
    }

    @Test
    void nonFiniteMetricsAreRefusedNamingTheMetric() throws Exception {
        // what Python's json.dumps writes for float('nan') and float('inf')
        EvaluationException nan = failure("echo '{\"metrics\": {\"valid_accuracy\": 50, \"train_loss\": NaN}}'");
        assertContains(nan.getMessage(), "metric 'train_loss' = NaN", "finite");
        EvaluationException inf = failure("echo '{\"step\": 1, \"metrics\": {\"train_loss\": -Infinity}}'");
        assertContains(inf.getMessage(), "metric 'train_loss'", "finite");
        EvaluationException huge = failure("echo '{\"metrics\": {\"train_loss\": 1e999}}'");
        assertContains(huge.getMessage(), "metric 'train_loss'", "finite");
    }

    @Test
    void stepsMustIncrease() throws Exception {
        EvaluationException e = failure("echo '{\"step\": 1, \"metrics\": {\"a\": 1}}'\n"
                + "echo '{\"step\": 3, \"metrics\": {\"a\": 2}}'\n"
                + "echo '{\"epoch\": 3, \"metrics\": {\"a\": 3}}'\n"
                + "echo '{\"metrics\": {\"a\": 3}}'");
        assertContains(e.getMessage(), "step 3 on stdout line 3 after step 3", "steps must increase");
    }

    @Test
    void tooManyIntermediatesAreRefused() throws Exception {
        EvaluationException e = failure("awk 'BEGIN { for (i = 1; i <= 10001; i++)"
                + " printf \"{\\\"step\\\": %d, \\\"metrics\\\": {\\\"a\\\": 1}}\\n\", i }'");
        assertContains(e.getMessage(), "more than 10000 intermediate lines", "stdout line 10001");
    }

    @Test
    void aVeryChattyRunnerCompletesWithBoundedMemory() throws Exception {
        // 200k log lines on stdout and 200k on stderr, far beyond a pipe's buffer, around a curve.
        Path s = script(
                "chatty",
                "cat > /dev/null\n"
                        + "awk 'BEGIN { for (i = 1; i <= 200000; i++) {"
                        + " print \"progress line \" i \" ..............................................\";"
                        + " print \"noise \" i > \"/dev/stderr\";"
                        + " if (i % 50000 == 0) printf \"{\\\"step\\\": %d, \\\"metrics\\\": {\\\"valid_accuracy\\\": %d}}\\n\", i / 50000, i / 1000 } }'\n"
                        + "echo '{\"metrics\": {\"valid_accuracy\": 200}}'");
        Evaluation e = assertTimeoutPreemptively(
                Duration.ofSeconds(30), () -> runner(s, Duration.ofSeconds(30)).evaluate(ARCH, 0));
        assertEquals(Map.of("valid_accuracy", 200.0), e.metrics());
        assertEquals(
                List.of(1, 2, 3, 4),
                e.intermediates().stream().map(Evaluation.Intermediate::step).toList());
        assertEquals(150.0, e.intermediates().get(2).metrics().get("valid_accuracy"));
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(
                IllegalArgumentException.class, () -> new CommandRunnerEvaluator("runner", " ", Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new CommandRunnerEvaluator("runner", "x", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new CommandRunnerEvaluator("", "x", Duration.ofSeconds(1)));
    }
}
