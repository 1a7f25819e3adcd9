package io.archipelago.evaluators.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.runner.ChildProcesses;
import io.archipelago.proto.Architecture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device runner against small shell scripts written to a temporary folder. */
class DeviceRunnerEvaluatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CELL =
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";
    private static final Architecture ARCH =
            Architecture.newBuilder().setSpace(Nb201Space.ID).setEncoding(CELL).build();

    @TempDir
    Path tmp;

    private Path script(String name, String body) throws Exception {
        Path file = tmp.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private DeviceRunnerEvaluator runner(Path script, Duration timeout) {
        return new DeviceRunnerEvaluator("board-1", "'" + script + "'", timeout, LatencySettings.DEFAULTS);
    }

    private EvaluationException failure(String body) throws Exception {
        DeviceRunnerEvaluator r = runner(script("runner-" + System.nanoTime(), body), Duration.ofSeconds(20));
        return assertThrows(EvaluationException.class, () -> r.evaluate(ARCH, 0));
    }

    @Test
    void aGoodRunnerGetsTheRequestAndItsResultBecomesTheEvaluation() throws Exception {
        Path request = tmp.resolve("request.json");
        Path s = script(
                "good",
                "cat > '" + request + "'\n"
                        + "echo 'compiling the model...'\n"
                        + "echo 'some progress' >&2\n"
                        + "echo '{\"latency_ms\": 12.5, \"latency_p10_ms\": 11.0, \"latency_p90_ms\": 14.0, \"repeats\": 7, \"threads\": 4,"
                        + " \"labels\": {\"cpu\": \"Cortex-A72\", \"backend\": \"tflite\"}}'\n"
                        + "echo");
        DeviceRunnerEvaluator r = runner(s, Duration.ofSeconds(20));
        assertEquals("latency:board-1", r.kind());
        Evaluation e = r.evaluate(ARCH, 0);
        Map<String, Double> m = e.metrics();
        assertEquals(12.5, m.get(LatencyEvaluators.LATENCY_MS));
        assertEquals(11.0, m.get(LatencyEvaluators.LATENCY_P10_MS));
        assertEquals(14.0, m.get(LatencyEvaluators.LATENCY_P90_MS));
        assertEquals(7.0, m.get(LatencyEvaluators.LATENCY_REPEATS));
        assertEquals(4.0, m.get(LatencyEvaluators.LATENCY_THREADS));
        assertEquals(1.0, m.get(LatencyEvaluators.LATENCY_BATCH));
        Map<String, String> l = e.labels();
        assertEquals("board-1", l.get(LatencyEvaluators.LABEL_DEVICE));
        assertEquals("runner", l.get(LatencyEvaluators.LABEL_METHOD));
        assertEquals("Cortex-A72", l.get(LatencyEvaluators.LABEL_CPU));
        assertEquals("tflite", l.get(LatencyEvaluators.LABEL_BACKEND));
        assertEquals("4", l.get(LatencyEvaluators.LABEL_THREADS));
        assertEquals("1", l.get(LatencyEvaluators.LABEL_BATCH));

        JsonNode sent = JSON.readTree(request.toFile());
        assertEquals(1, sent.get("protocol").asInt());
        assertEquals("nb201", sent.get("space").asText());
        assertEquals(CELL, sent.get("encoding").asText());
        assertEquals("[1,3,32,32]", sent.get("input_shape").toString());
        assertEquals(1, sent.get("batch").asInt());
        assertEquals("board-1", sent.get("device").asText());
        assertEquals(
                "{\"channels\":16,\"cells_per_stage\":5,\"classes\":10}",
                sent.get("network").toString());
        RunnerProtocol.Request parsed = RunnerProtocol.parseRequest(sent.toString());
        assertEquals(Nb201Space.INSTANCE.toProto(Nb201Space.INSTANCE.parse(CELL)), parsed.architecture());
        assertEquals(LatencySettings.DEFAULTS.network(), parsed.network());
    }

    @Test
    void aNonZeroExitFailsWithItsCodeAndTheEndOfStderr() throws Exception {
        EvaluationException e = failure("cat > /dev/null\necho 'device not connected: /dev/ttyUSB0' >&2\nexit 3");
        assertTrue(e.getMessage().contains("exited with code 3"), e.getMessage());
        assertTrue(e.getMessage().contains("device not connected: /dev/ttyUSB0"), e.getMessage());
        assertTrue(e.getMessage().contains("board-1"), e.getMessage());
    }

    @Test
    void aMissingCommandFailsWithTheShellsMessage() throws Exception {
        DeviceRunnerEvaluator r = new DeviceRunnerEvaluator(
                "board-1", "/nonexistent/runner-xyz", Duration.ofSeconds(10), LatencySettings.DEFAULTS);
        EvaluationException e = assertThrows(EvaluationException.class, () -> r.evaluate(ARCH, 0));
        assertTrue(
                e.getMessage().contains("exited with code 127")
                        && e.getMessage().contains("runner-xyz"),
                e.getMessage());
    }

    @Test
    void aRunnerPastItsTimeoutIsKilledWithItsChildrenWithinSeconds() throws Exception {
        Path pid = tmp.resolve("child.pid");
        // A child that would outlive a plain kill of the shell, and a parent waiting for it.
        Path s = script("slow", "sleep 30 &\necho $! > '" + pid + "'\necho 'still measuring' >&2\nwait");
        DeviceRunnerEvaluator r = runner(s, Duration.ofSeconds(1));
        long start = System.nanoTime();
        EvaluationException e = assertTimeoutPreemptively(
                Duration.ofSeconds(10), () -> assertThrows(EvaluationException.class, () -> r.evaluate(ARCH, 0)));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 5, "took " + seconds + " s");
        assertTrue(
                e.getMessage().contains("timed out after 1 s") && e.getMessage().contains("killed"), e.getMessage());
        assertTrue(e.getMessage().contains("still measuring"), e.getMessage());
        ChildProcesses.assertGone(pid);
    }

    @Test
    void outputThatIsNotAResultFailsSayingWhy() throws Exception {
        EvaluationException none = failure("cat > /dev/null");
        assertTrue(none.getMessage().contains("printed no result"), none.getMessage());
        EvaluationException garbage = failure("cat > /dev/null\necho 'latency: 12 ms'");
        assertTrue(
                garbage.getMessage().contains("not JSON")
                        && garbage.getMessage().contains("latency: 12 ms"),
                garbage.getMessage());
        EvaluationException array = failure("cat > /dev/null\necho '[12.5]'");
        assertTrue(array.getMessage().contains("not a JSON object"), array.getMessage());
        EvaluationException missing = failure("cat > /dev/null\necho '{\"latency\": 12.5}'");
        assertTrue(missing.getMessage().contains("no numeric latency_ms"), missing.getMessage());
        EvaluationException text = failure("cat > /dev/null\necho '{\"latency_ms\": \"12.5\"}'");
        assertTrue(text.getMessage().contains("no numeric latency_ms"), text.getMessage());
        EvaluationException negative = failure("cat > /dev/null\necho '{\"latency_ms\": -1}'");
        assertTrue(negative.getMessage().contains("positive finite"), negative.getMessage());
        EvaluationException zero = failure("cat > /dev/null\necho '{\"latency_ms\": 0}'");
        assertTrue(zero.getMessage().contains("positive finite"), zero.getMessage());
        EvaluationException p90 = failure("cat > /dev/null\necho '{\"latency_ms\": 3, \"latency_p90_ms\": \"slow\"}'");
        assertTrue(p90.getMessage().contains("latency_p90_ms"), p90.getMessage());
        EvaluationException labels = failure("cat > /dev/null\necho '{\"latency_ms\": 3, \"labels\": [\"cpu\"]}'");
        assertTrue(labels.getMessage().contains("labels"), labels.getMessage());
    }

    @Test
    void aChattyRunnerCannotDeadlockAndOnlyTheEndOfStderrIsQuoted() throws Exception {
        // About 2 MB on each stream, far beyond a pipe's buffer, before the result.
        Path s = script(
                "chatty",
                "cat > /dev/null\n"
                        + "i=0; while [ $i -lt 20000 ]; do echo \"stderr noise line $i ......................................................................................\" >&2;"
                        + " echo \"stdout progress line $i .....................................................................................\"; i=$((i+1)); done\n"
                        + "echo '{\"latency_ms\": 3.25}'");
        DeviceRunnerEvaluator r = runner(s, Duration.ofSeconds(30));
        Evaluation e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> r.evaluate(ARCH, 0));
        assertEquals(3.25, e.metrics().get(LatencyEvaluators.LATENCY_MS));

        Path failing = script(
                "chatty-fail",
                "cat > /dev/null\n"
                        + "i=0; while [ $i -lt 5000 ]; do echo \"stderr noise line $i ......................................................................\" >&2; i=$((i+1)); done\n"
                        + "echo 'the real reason' >&2\nexit 1");
        EvaluationException f = assertThrows(
                EvaluationException.class,
                () -> runner(failing, Duration.ofSeconds(30)).evaluate(ARCH, 0));
        assertTrue(
                f.getMessage().contains("the real reason") && f.getMessage().contains("last 500 chars"),
                f.getMessage());
        assertTrue(
                f.getMessage().length() < 800,
                "quoted too much: " + f.getMessage().length() + " chars");
    }

    @Test
    void aRunnerThatIgnoresStdinStillWorks() throws Exception {
        Evaluation e = runner(script("deaf", "echo '{\"latency_ms\": 1.5}'"), Duration.ofSeconds(10))
                .evaluate(ARCH, 0);
        assertEquals(1.5, e.metrics().get(LatencyEvaluators.LATENCY_MS));
    }

    @Test
    void otherSpacesAndBadSettingsAreRefused() throws Exception {
        DeviceRunnerEvaluator r = runner(script("unused", "exit 0"), Duration.ofSeconds(10));
        EvaluationException e = assertThrows(
                EvaluationException.class,
                () -> r.evaluate(
                        Architecture.newBuilder()
                                .setSpace("nb101")
                                .setEncoding("x")
                                .build(),
                        0));
        assertTrue(e.getMessage().contains("'nb101'"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> new DeviceRunnerEvaluator("board-1", " ", Duration.ofSeconds(1), LatencySettings.DEFAULTS));
        assertThrows(
                IllegalArgumentException.class,
                () -> new DeviceRunnerEvaluator("board-1", "x", Duration.ZERO, LatencySettings.DEFAULTS));
        assertThrows(
                IllegalArgumentException.class,
                () -> new DeviceRunnerEvaluator("board 1", "x", Duration.ofSeconds(1), LatencySettings.DEFAULTS));
    }

    @Test
    void malformedRequestsAreRejectedByTheMeasuringSide() {
        IllegalArgumentException protocol = assertThrows(
                IllegalArgumentException.class,
                () -> RunnerProtocol.parseRequest("{\"protocol\":2,\"space\":\"nb201\"}"));
        assertTrue(protocol.getMessage().contains("protocol 2"), protocol.getMessage());
        IllegalArgumentException space = assertThrows(
                IllegalArgumentException.class,
                () -> RunnerProtocol.parseRequest("{\"protocol\":1,\"space\":\"nb101\"}"));
        assertTrue(space.getMessage().contains("'nb101'"), space.getMessage());
        IllegalArgumentException shape = assertThrows(
                IllegalArgumentException.class,
                () -> RunnerProtocol.parseRequest(
                        "{\"protocol\":1,\"space\":\"nb201\",\"encoding\":\"" + CELL + "\",\"input_shape\":[1,3,32]}"));
        assertTrue(shape.getMessage().contains("input_shape"), shape.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RunnerProtocol.parseRequest("not json"));
    }
}
