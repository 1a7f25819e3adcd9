package io.archipelago.node;

import static io.archipelago.node.CliTest.readCsv;
import static io.archipelago.node.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.node.CliTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multi-objective searches end to end, in process: the front in summary.json, pareto.png, bench pareto, bad input. */
class MultiObjectiveCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static boolean dominates(double accA, double paramsA, double accB, double paramsB) {
        return accA >= accB && paramsA <= paramsB && (accA > accB || paramsA < paramsB);
    }

    @Test
    void nsga2SearchWritesItsFrontHypervolumeAndChart(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("run");
        Run run = run(
                "search",
                "--strategy",
                "nsga2",
                "--objectives",
                "cifar10_valid_12:max,params:min",
                "--budget",
                "150",
                "--seed",
                "4",
                "--quiet",
                "--out",
                dir.toString());
        assertEquals(0, run.exit(), run.err());
        JsonNode summary = JSON.readTree(dir.resolve("summary.json").toFile());
        assertEquals(150, summary.get("evaluations").asInt());
        assertEquals(
                "[\"cifar10_valid_12:max\",\"params:min\"]",
                summary.get("objectives").toString());

        // The front in the summary is exactly the non-dominated set of the CSV's rows (by value).
        List<Map<String, String>> rows = readCsv(dir.resolve("evaluations.csv"));
        assertEquals(150, rows.size());
        Set<String> expected = new HashSet<>();
        for (Map<String, String> a : rows) {
            double acc = Double.parseDouble(a.get("cifar10_valid_12"));
            double params = Double.parseDouble(a.get("params"));
            boolean dominated = rows.stream()
                    .anyMatch(b -> dominates(
                            Double.parseDouble(b.get("cifar10_valid_12")),
                            Double.parseDouble(b.get("params")),
                            acc,
                            params));
            if (!dominated) {
                expected.add(acc + "/" + params);
            }
        }
        Set<String> front = new HashSet<>();
        for (JsonNode cell : summary.get("front")) {
            JsonNode objectives = cell.get("objectives");
            front.add(objectives.get("cifar10_valid_12").asDouble() + "/"
                    + objectives.get("params").asDouble());
            assertTrue(cell.get("arch").asText().startsWith("|"), cell.toString());
        }
        assertEquals(expected, front);
        double hv = summary.get("hypervolume").asDouble();
        assertTrue(hv > 0.5 && hv < 1, "hypervolume on the unit scale: " + hv);
        byte[] png = Files.readAllBytes(dir.resolve("pareto.png"));
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "pareto.png is not a PNG");
    }

    @Test
    void aFourObjectiveSearchWritesItsSummaryWithTheExactHypervolume(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("run");
        Run run = run(
                "search",
                "--strategy",
                "nsga2",
                "--objectives",
                "cifar10_valid_12:max,params:min,flops:min,cifar10_test_12:max",
                "--budget",
                "60",
                "--seed",
                "2",
                "--quiet",
                "--out",
                dir.toString());
        assertEquals(0, run.exit(), run.err());
        JsonNode summary = JSON.readTree(dir.resolve("summary.json").toFile());
        assertEquals(4, summary.get("objectives").size());
        assertTrue(summary.get("hypervolume").asDouble() > 0, summary.toString());
        assertTrue(summary.get("front").size() > 0, summary.toString());
        assertTrue(Files.size(dir.resolve("pareto.png")) > 1000);
    }

    @Test
    void localSearchMeasuresLatencyOnThisMachineAndMergesItIntoEachRow(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("run");
        Run run = run(
                "search",
                "--strategy",
                "nsga2",
                "--objectives",
                "cifar10_valid_12:max,latency_ms:min",
                "--budget",
                "8",
                "--seed",
                "1",
                "--latency-repeats",
                "3",
                "--latency-warmup",
                "1",
                "--quiet",
                "--out",
                dir.toString());
        assertEquals(0, run.exit(), run.err());
        JsonNode summary = JSON.readTree(dir.resolve("summary.json").toFile());
        assertEquals(8, summary.get("evaluations").asInt(), summary.toString());
        assertEquals("latency:local", summary.get("latency").get("pool").asText());
        assertEquals("measured", summary.get("latency").get("method").asText());
        for (Map<String, String> row : readCsv(dir.resolve("evaluations.csv"))) {
            assertEquals("ok", row.get("status"), row.toString());
            double ms = Double.parseDouble(row.get("latency_ms"));
            assertTrue(ms > 0 && Double.parseDouble(row.get("latency_p90_ms")) >= ms, row.toString());
            assertTrue(
                    row.get("evaluator").contains("tabular@")
                            && row.get("evaluator").contains("latency:local@"),
                    row.toString());
        }
        assertTrue(summary.get("front").size() >= 1, summary.toString());
    }

    @Test
    void theMnasNetRewardIsTheFitnessOfSingleObjectiveStrategies(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("run");
        Run run = run(
                "search",
                "--strategy",
                "evolution",
                "--objectives",
                "cifar10_valid_12:max,latency_ms:min",
                "--target-latency",
                "5",
                "--reward",
                "hard",
                "--budget",
                "4",
                "--latency-repeats",
                "2",
                "--latency-warmup",
                "0",
                "--quiet",
                "--out",
                dir.toString());
        assertEquals(0, run.exit(), run.err());
        JsonNode summary = JSON.readTree(dir.resolve("summary.json").toFile());
        assertTrue(
                summary.get("fitness").asText().startsWith("mnasnet-hard(cifar10_valid_12, latency_ms <= 5.0"),
                summary.toString());
    }

    @Test
    void benchParetoReportsTheHypervolumeRatio() throws IOException {
        Run bench = run(
                "bench",
                "pareto",
                "--strategy",
                "nsga2",
                "--objectives",
                "cifar10_valid_12:max,params:min",
                "--budget",
                "100",
                "--seeds",
                "2",
                "--json");
        assertEquals(0, bench.exit(), bench.err());
        JsonNode json = JSON.readTree(bench.lastLine());
        double ratio = json.get("hv_ratio").asDouble();
        assertTrue(ratio > 0.5 && ratio <= 1.0 + 1e-9, "hv_ratio " + ratio);
        assertEquals(2, json.get("per_seed").size());
        assertEquals(1_531_546.0, json.get("reference").get("params").asDouble());
        assertTrue(json.has("hv_ratio_std"));
    }

    @Test
    void badMultiObjectiveInputExitsWithTwoAndNamesTheProblem(@TempDir Path tmp) {
        Object[][] cases = {
            {
                new String[] {"--metric", "cifar10_valid_12", "--objectives", "cifar10_valid_12:max,params:min"},
                "--metric and --objectives"
            },
            {new String[] {"--strategy", "nsga2"}, "two or more objectives"},
            {new String[] {"--strategy", "nsga2", "--objectives", "cifar10_valid_12:max,params:up"}, "'up'"},
            {new String[] {"--strategy", "nsga2", "--objectives", "cifar10_valid_12:max,size:min"}, "size"},
            {
                new String[] {
                    "--strategy",
                    "nsga2",
                    "--objectives",
                    "cifar10_valid_12:max,params:min",
                    "--constraint",
                    "params=<5"
                },
                "params=<5"
            },
            {new String[] {"--strategy", "evolution", "--constraint", "params<=5"}, "--constraint"},
            {
                new String[] {"--objectives", "params:min,cifar10_valid_12:max", "--target-latency", "5"},
                "must be an accuracy"
            },
            {new String[] {"--objectives", "cifar10_valid_12:max,params:min", "--runner", "true"}, "no objective"},
            {
                new String[] {"--objectives", "cifar10_valid_12:max,latency_ms:min", "--measured", "--runner", "true"},
                "exactly one"
            },
            {new String[] {"--target-latency", "-3"}, "--target-latency"},
            {new String[] {"--objectives", "cifar10_valid_12:max,latency_ms:min", "--device", "my phone"}, "--device"},
        };
        for (Object[] c : cases) {
            Path dir = tmp.resolve("run-" + Math.abs(java.util.Arrays.hashCode((String[]) c[0])));
            String[] extra = (String[]) c[0];
            String[] args = new String[extra.length + 6];
            args[0] = "search";
            System.arraycopy(extra, 0, args, 1, extra.length);
            System.arraycopy(
                    new String[] {"--budget", "5", "--quiet", "--out", dir.toString()}, 0, args, extra.length + 1, 5);
            Run run = run(args);
            assertEquals(2, run.exit(), String.join(" ", args) + ": " + run.err());
            assertTrue(
                    run.err().contains((String) c[1]),
                    String.join(" ", args) + " should mention " + c[1] + ": " + run.err());
            assertFalse(Files.exists(dir.resolve("evaluations.csv")), "nothing is written on bad input");
        }
    }
}
