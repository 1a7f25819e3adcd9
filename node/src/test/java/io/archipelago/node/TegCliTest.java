package io.archipelago.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.node.CliTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training-free searches end to end on a tiny network (C=2, N=1, batches of 4): every indicator is
 * really computed, only small. The figures that matter come from {@code bench correlation} and
 * {@code bench search}, recorded in benchmarks/RESULTS.md.
 */
@Tag("slow")
class TegCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] TINY = {
        "--data",
        "gaussian",
        "--teg-channels",
        "2",
        "--teg-cells",
        "1",
        "--teg-batch",
        "4",
        "--teg-repeats",
        "1",
        "--teg-bn",
        "running"
    };
    private static final String CELL =
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|";

    private static String[] with(String[] head, String... tail) {
        String[] all = new String[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    @Test
    void pruningSearchEndsInAPlainCellReportedWithTheBenchmarksMetrics(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("prune");
        Run run = CliTest.run(with(
                new String[] {
                    "search",
                    "--evaluator",
                    "teg",
                    "--strategy",
                    "tenas-prune",
                    "--slots",
                    "2",
                    "--budget",
                    "200",
                    "--quiet",
                    "--out",
                    dir.toString()
                },
                TINY));
        assertEquals(0, run.exit(), run.err());
        JsonNode summary = JSON.readTree(dir.resolve("summary.json").toFile());
        // none is gone from the start: 6 edges x (4 + 3 + 2) removals, then the final cell
        assertEquals(6 * (4 + 3 + 2) + 1, summary.get("evaluations").asInt(), summary.toString());
        String best = summary.get("best").get("arch").asText();
        Nb201Space.INSTANCE.parse(best); // one op per edge: a plain NB201 cell
        assertTrue(summary.get("best").get("metrics").has("cifar10_test_200"), summary.toString());
        assertTrue(summary.get("best").get("evaluated_metrics").has("ntk_cond"), summary.toString());
        assertEquals("teg", summary.get("evaluator").asText());
        assertEquals(56, Files.readAllLines(dir.resolve("evaluations.csv")).size()); // header + 55
        assertTrue(Files.size(dir.resolve("history.png")) > 0);
    }

    @Test
    void tegEvolutionSearchesWithoutTheBenchmark(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("evo");
        Run run = CliTest.run(with(
                new String[] {
                    "search",
                    "--evaluator",
                    "teg",
                    "--strategy",
                    "teg-evolution",
                    "--population",
                    "6",
                    "--sample-size",
                    "3",
                    "--budget",
                    "14",
                    "--quiet",
                    "--out",
                    dir.toString()
                },
                TINY));
        assertEquals(0, run.exit(), run.err());
        JsonNode summary = JSON.readTree(dir.resolve("summary.json").toFile());
        assertEquals(14, summary.get("evaluations").asInt());
        assertTrue(summary.get("best").get("metrics").has("cifar10_test_200"), summary.toString());
    }

    @Test
    void tegCommandPrintsTheIndicatorsOfOneCell() throws Exception {
        Run run = CliTest.run(with(new String[] {"teg", "--arch", CELL, "--json"}, TINY));
        assertEquals(0, run.exit(), run.err());
        JsonNode json = JSON.readTree(run.lastLine());
        for (String metric : new String[] {"ntk_cond", "linear_regions", "ntk_mse", "params", "flops"}) {
            assertTrue(json.get(metric).asDouble() > 0, metric + " in " + json);
        }
    }

    @Test
    void badTegInputIsAUserError() {
        Run arch = CliTest.run(with(new String[] {"teg", "--arch", "|conv~0|"}, TINY));
        assertEquals(Main.USAGE, arch.exit());
        assertTrue(arch.err().contains("malformed"), arch.err());
        Run mode = CliTest.run("teg", "--arch", CELL, "--teg-bn", "sometimes");
        assertEquals(Main.USAGE, mode.exit());
        assertTrue(mode.err().contains("--teg-bn"), mode.err());
        Run pruneTabular = CliTest.run("search", "--strategy", "tenas-prune", "--budget", "10", "--quiet");
        assertEquals(Main.USAGE, pruneTabular.exit());
        assertTrue(pruneTabular.err().contains("--evaluator teg"), pruneTabular.err());
        Run data = CliTest.run(with(new String[] {"teg", "--arch", CELL}, "--data", "mnist-of-the-future"));
        assertEquals(Main.USAGE, data.exit());
        assertTrue(data.err().contains("mnist-of-the-future"), data.err());
        Run metric = CliTest.run(
                "search",
                "--evaluator",
                "teg",
                "--metric",
                "cifar10_valid_12",
                "--budget",
                "10",
                "--quiet",
                "--data",
                "gaussian");
        assertEquals(Main.USAGE, metric.exit());
        assertTrue(metric.err().contains("not a metric of the teg evaluator"), metric.err());
    }
}
