package io.archipelago.node.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.Evaluator;
import io.archipelago.evaluators.latency.DeviceRunnerEvaluator;
import io.archipelago.evaluators.latency.LatencyEvaluators;
import io.archipelago.evaluators.latency.LatencySettings;
import io.archipelago.evaluators.latency.LatencyTable;
import io.archipelago.evaluators.latency.LatencyTableEvaluator;
import io.archipelago.evaluators.latency.MeasuredLatencyEvaluator;
import io.archipelago.models.space.NetworkShape;
import io.archipelago.node.Main;
import io.archipelago.node.setup.LatencyOptions;
import io.archipelago.proto.Architecture;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code archipelago latency ...}, {@code bench latency-table} and the latency options, on small settings. */
class LatencyCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CELL =
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";
    private static final String[] SMALL = {"--channels", "4", "--cells", "1", "--repeats", "3", "--warmup", "1"};

    record Run(int exit, String out, String err) {
        String lastLine() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    static Run runWithStdin(String stdin, String... args) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            return run(args);
        } finally {
            System.setIn(saved);
        }
    }

    private static String[] with(String[] head, String... tail) {
        String[] all = new String[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    private static Path buildSmallTable(Path file) {
        Run run = run(with(
                new String[] {
                    "latency",
                    "build-table",
                    "--device",
                    "ci-cpu",
                    "--out",
                    file.toString(),
                    "--fit-cells",
                    "3",
                    "--fit-rounds",
                    "1",
                    "--json"
                },
                SMALL));
        assertEquals(0, run.exit(), run.err());
        return file;
    }

    @Test
    void buildTableWritesALoadableFileAndRefusesToOverwriteIt(@TempDir Path tmp) throws Exception {
        Path file = buildSmallTable(tmp.resolve("table.json"));
        LatencyTable table = LatencyTable.load(file);
        assertEquals("ci-cpu", table.device());
        assertEquals(NetworkShape.STANDARD.withCells(4, 1), table.network());
        assertEquals(3, table.model().fitCells());
        long size = Files.size(file);

        Run again = run(with(
                new String[] {
                    "latency", "build-table", "--device", "ci-cpu", "--out", file.toString(), "--fit-cells", "3"
                },
                SMALL));
        assertEquals(Main.USAGE, again.exit());
        assertTrue(again.err().contains("refusing to overwrite"), again.err());
        assertEquals(1, again.err().strip().split("\n").length, again.err());
        assertEquals(size, Files.size(file));
    }

    @Test
    void measureReadsARunnerRequestOnStdinAndPrintsOneResultLine() throws Exception {
        String request = "{\"protocol\":1,\"space\":\"nb201\",\"encoding\":\"" + CELL
                + "\",\"input_shape\":[1,3,32,32],\"batch\":1,"
                + "\"device\":\"edge-7\",\"network\":{\"channels\":4,\"cells_per_stage\":1,\"classes\":10},\"warmup\":1,\"repeats\":3}";
        Run run = runWithStdin(request, "latency", "measure", "--stdin");
        assertEquals(0, run.exit(), run.err());
        assertEquals(1, run.out().strip().split("\n").length, run.out());
        JsonNode result = JSON.readTree(run.lastLine());
        assertTrue(result.get("latency_ms").asDouble() > 0, result.toString());
        assertEquals(3, result.get("repeats").asInt()); // the request's hint
        assertEquals("edge-7", result.get("labels").get("device").asText());
        assertEquals("measured", result.get("labels").get("method").asText());

        Run bad = runWithStdin(
                "{\"protocol\":1,\"space\":\"nb201\",\"encoding\":\"|conv~0|\"}", "latency", "measure", "--stdin");
        assertEquals(Main.USAGE, bad.exit());
        assertTrue(bad.err().contains("conv"), bad.err());
        Run empty = runWithStdin("", "latency", "measure", "--stdin");
        assertEquals(Main.USAGE, empty.exit());
        assertTrue(empty.err().contains("no request on stdin"), empty.err());
    }

    @Test
    void measureOneCellPrintsItsLatencyAndLabels() throws Exception {
        Run run = run(with(new String[] {"latency", "measure", "--arch", CELL, "--device", "box", "--json"}, SMALL));
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("latency") && run.out().contains("backend"), run.out());
        JsonNode json = JSON.readTree(run.lastLine());
        assertEquals(CELL, json.get("arch").asText());
        assertTrue(json.get("latency_ms").asDouble() > 0, json.toString());
        assertEquals("box", json.get("labels").get("device").asText());
    }

    @Test
    void badOptionsExitWithOneClearLine(@TempDir Path tmp) {
        Run neither = run("latency", "measure");
        assertEquals(Main.USAGE, neither.exit());
        assertTrue(neither.err().contains("--arch") && neither.err().contains("--stdin"), neither.err());
        Run both = run("latency", "measure", "--arch", CELL, "--stdin");
        assertEquals(Main.USAGE, both.exit());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
        Run cell = run("latency", "measure", "--arch", "|conv~0|");
        assertEquals(Main.USAGE, cell.exit());
        assertEquals(1, cell.err().strip().split("\n").length, cell.err());
        Run device = run(
                "latency",
                "build-table",
                "--device",
                "my laptop",
                "--out",
                tmp.resolve("t.json").toString());
        assertEquals(Main.USAGE, device.exit());
        assertTrue(device.err().contains("device name"), device.err());
        Run repeats = run("latency", "measure", "--arch", CELL, "--repeats", "0");
        assertEquals(Main.USAGE, repeats.exit());
        assertTrue(repeats.err().contains("--repeats"), repeats.err());
        Run noOut = run("latency", "build-table", "--device", "x");
        assertEquals(Main.USAGE, noOut.exit());
        assertTrue(noOut.err().contains("--out"), noOut.err());
        Run bench = run("bench", "latency-table", "--sample", "2");
        assertEquals(Main.USAGE, bench.exit());
        assertTrue(bench.err().contains("--sample"), bench.err());
    }

    @Test
    void latencyOptionsNeedExactlyOneMethodAndMakeEvaluatorsOfTheDevicesKind(@TempDir Path tmp) throws Exception {
        LatencyOptions none = new LatencyOptions();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, none::validate);
        assertTrue(
                e.getMessage().contains("exactly one of --measured, --runner CMD or --latency-table FILE"),
                e.getMessage());

        LatencyOptions two = options();
        two.measured = true;
        two.runner = "runners/local-cpu";
        e = assertThrows(IllegalArgumentException.class, two::validate);
        assertTrue(e.getMessage().contains("--measured and --runner"), e.getMessage());

        LatencyOptions missing = options();
        missing.table = tmp.resolve("absent.json");
        e = assertThrows(IllegalArgumentException.class, missing::validate);
        assertTrue(e.getMessage().contains("absent.json") && e.getMessage().contains("does not exist"), e.getMessage());

        Path broken = tmp.resolve("broken.json");
        Files.writeString(broken, "{\"format\":\"archipelago-latency-table\",\"version\":1}");
        LatencyOptions malformed = options();
        malformed.table = broken;
        e = assertThrows(IllegalArgumentException.class, malformed::validate);
        assertTrue(e.getMessage().contains("broken.json") && e.getMessage().contains("'device'"), e.getMessage());

        LatencyOptions badDevice = options();
        badDevice.measured = true;
        badDevice.device = "a/b";
        e = assertThrows(IllegalArgumentException.class, badDevice::validate);
        assertTrue(e.getMessage().startsWith("--device"), e.getMessage());

        LatencyOptions timeout = options();
        timeout.runner = "true";
        timeout.runnerTimeout = 0;
        e = assertThrows(IllegalArgumentException.class, timeout::validate);
        assertTrue(e.getMessage().contains("--runner-timeout"), e.getMessage());

        LatencyOptions measured = options();
        measured.measured = true;
        measured.validate();
        assertEquals("latency:local", measured.kind());
        assertTrue(measured.factory().apply(0) instanceof MeasuredLatencyEvaluator);

        Path file = buildSmallTable(tmp.resolve("t.json"));
        LatencyOptions fromTable = options();
        fromTable.table = file;
        fromTable.validate();
        assertEquals("latency:ci-cpu", fromTable.kind()); // the table's device
        Evaluator slot = fromTable.factory().apply(1);
        assertTrue(slot instanceof LatencyTableEvaluator);
        Evaluation answer = slot.evaluate(
                Architecture.newBuilder()
                        .setSpace(Nb201Space.ID)
                        .setEncoding(CELL)
                        .build(),
                0);
        assertTrue(answer.metrics().get(LatencyEvaluators.LATENCY_MS) > 0, answer.toString());
        LatencyOptions mismatch = options();
        mismatch.table = file;
        mismatch.device = "other";
        e = assertThrows(IllegalArgumentException.class, mismatch::validate);
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());

        LatencyOptions runner = options();
        runner.runner = "runners/local-cpu";
        runner.device = "pi4";
        runner.validate();
        assertEquals("latency:pi4", runner.kind());
        assertEquals("latency:pi4", runner.factory().apply(0).kind());
    }

    /** The picocli defaults of a fresh mixin. */
    private static LatencyOptions options() {
        LatencyOptions o = new LatencyOptions();
        o.repeats = 20;
        o.warmup = 5;
        o.runnerTimeout = 60;
        return o;
    }

    @Test
    void benchLatencyTableReportsSpearmanAndMape() throws Exception {
        // Plumbing only: 5 cells on the standard network, 2 repeats each.
        Run run = run(
                "bench",
                "latency-table",
                "--sample",
                "5",
                "--repeats",
                "2",
                "--warmup",
                "1",
                "--rounds",
                "1",
                "--fit-cells",
                "3",
                "--fit-rounds",
                "1",
                "--json");
        assertEquals(0, run.exit(), run.err());
        JsonNode json = JSON.readTree(run.lastLine());
        assertEquals(5, json.get("sample").asInt());
        assertTrue(Math.abs(json.get("spearman").asDouble()) <= 1, json.toString());
        assertTrue(json.get("mape").asDouble() >= 0, json.toString());
        assertEquals("local", json.get("device").asText());
        assertTrue(json.get("seconds").asDouble() > 0, json.toString());
    }

    /** The shipped runner, end to end through the evaluator, when the jar has been built. */
    @Test
    void theShippedLocalCpuRunnerMeasuresThroughTheDeviceRunnerEvaluator() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        if (!Files.exists(root.resolve("runners/local-cpu")) && root.getParent() != null) {
            root = root.getParent(); // surefire runs in the module's folder
        }
        Path script = root.resolve("runners/local-cpu");
        Path jar = root.resolve("node/target/archipelago.jar");
        Assumptions.assumeTrue(Files.isExecutable(script), "no runners/local-cpu at " + script);
        Assumptions.assumeTrue(Files.isRegularFile(jar), "the jar is not built: " + jar);
        LatencySettings small = new LatencySettings(NetworkShape.STANDARD.withCells(4, 1), 1, 1, 3, 0, 0);
        DeviceRunnerEvaluator runner =
                new DeviceRunnerEvaluator("ci-cpu", "'" + script + "'", Duration.ofSeconds(120), small);
        Evaluation e = runner.evaluate(
                Architecture.newBuilder()
                        .setSpace(Nb201Space.ID)
                        .setEncoding(CELL)
                        .build(),
                0);
        assertTrue(e.metrics().get(LatencyEvaluators.LATENCY_MS) > 0, e.toString());
        assertEquals(3.0, e.metrics().get(LatencyEvaluators.LATENCY_REPEATS), e.toString());
        assertEquals("ci-cpu", e.labels().get(LatencyEvaluators.LABEL_DEVICE));
        assertEquals("runner", e.labels().get(LatencyEvaluators.LABEL_METHOD));
        assertTrue(
                e.labels().containsKey(LatencyEvaluators.LABEL_BACKEND),
                e.labels().toString());
    }
}
