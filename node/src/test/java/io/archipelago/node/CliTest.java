package io.archipelago.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archipelago command end to end, in process: real searches, real files. */
class CliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

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

    @Test
    void searchWritesSummaryEvaluationsAndHistory(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("run");
        Run run = run(
                "search",
                "--space",
                "nb201",
                "--strategy",
                "evolution",
                "--budget",
                "120",
                "--seed",
                "3",
                "--quiet",
                "--out",
                dir.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("best arch"), run.out());

        JsonNode summary = JSON.readTree(dir.resolve("summary.json").toFile());
        assertEquals(120, summary.get("evaluations").asInt());
        String bestArch = summary.get("best").get("arch").asText();
        assertTrue(bestArch.startsWith("|"), bestArch);
        JsonNode metrics = summary.get("best").get("metrics");
        for (String metric : List.of("cifar10_test_200", "cifar10_valid_12", "cifar10_test_12")) {
            assertTrue(metrics.has(metric), "best.metrics lacks " + metric + ": " + metrics);
        }
        assertTrue(summary.get("wall_seconds").asDouble() > 0);

        List<Map<String, String>> rows = readCsv(dir.resolve("evaluations.csv"));
        assertEquals(120, rows.size());
        Set<String> ids = new HashSet<>();
        double bestValid = Double.NEGATIVE_INFINITY;
        for (Map<String, String> row : rows) {
            assertTrue(ids.add(row.get("candidate_id")), "candidate_id twice: " + row.get("candidate_id"));
            assertEquals("ok", row.get("status"));
            assertFalse(row.get("evaluator").isEmpty());
            assertTrue(Double.parseDouble(row.get("seconds")) >= 0);
            bestValid = Math.max(bestValid, Double.parseDouble(row.get("cifar10_valid_12")));
        }
        // The summary's best is the best of what the CSV says was evaluated.
        assertEquals(bestValid, metrics.get("cifar10_valid_12").asDouble(), 1e-9);

        byte[] png = Files.readAllBytes(dir.resolve("history.png"));
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "history.png is not a PNG");
    }

    @Test
    void searchRefusesADirectoryThatHoldsARunAndLeavesItUntouched(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("run");
        assertEquals(
                0,
                run("search", "--budget", "20", "--quiet", "--out", dir.toString())
                        .exit());
        byte[] before = Files.readAllBytes(dir.resolve("evaluations.csv"));
        Run again = run("search", "--budget", "30", "--quiet", "--out", dir.toString());
        assertEquals(2, again.exit());
        assertTrue(again.err().contains("already holds a run"), again.err());
        assertEquals(new String(before), new String(Files.readAllBytes(dir.resolve("evaluations.csv"))));
    }

    @Test
    void userErrorsExitWithTwoAndOneLine(@TempDir Path tmp) throws IOException {
        Path malformed = tmp.resolve("bad.csv");
        Files.writeString(
                malformed, "arch,cifar10_valid_12\n|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|,abc\n");
        Map<List<String>, String> cases = Map.ofEntries(
                Map.entry(List.of("search", "--strategy", "bogus"), "unknown strategy 'bogus'"),
                Map.entry(List.of("search", "--space", "darts9"), "unknown search space 'darts9'"),
                Map.entry(List.of("search", "--metric", "imagenet_top1_90"), "unknown metric 'imagenet_top1_90'"),
                Map.entry(List.of("search", "--budget", "0"), "--budget must be > 0"),
                Map.entry(
                        List.of("search", "--benchmark", malformed.toString()),
                        "line 2, column 'cifar10_valid_12': 'abc' is not a number"),
                Map.entry(
                        List.of(
                                "search",
                                "--benchmark",
                                tmp.resolve("missing.csv").toString()),
                        "does not exist"),
                Map.entry(List.of("search", "--eval-time", "lognormal:5"), "invalid evaluation time"),
                Map.entry(List.of("search", "--budget", "ten"), "--budget"),
                Map.entry(List.of("bench", "search", "--strategy", "nope"), "unknown strategy 'nope'"),
                Map.entry(
                        List.of("search", "--strategy", "predictor-evolution", "--predictor", "oracle"),
                        "unknown predictor 'oracle'"),
                Map.entry(List.of("bench", "predictors", "--predictors", "gcn,xgb"), "unknown predictor 'xgb'"),
                Map.entry(List.of("search", "--cluster", "--min-evaluators", "0"), "--min-evaluators must be > 0"),
                Map.entry(
                        List.of("search", "--cluster", "--transport", "carrier-pigeon"),
                        "unknown transport 'carrier-pigeon'"),
                Map.entry(List.of("search", "--cluster", "--seed-nodes", "127.0.0.1"), "'127.0.0.1' is not HOST:PORT"),
                Map.entry(List.of("node", "--roles", "evaluator,janitor"), "unknown role 'janitor'"),
                Map.entry(List.of("node", "--slots", "0"), "--slots must be > 0 on an evaluator node"),
                Map.entry(List.of("node", "--evaluator", "oracle"), "unknown evaluator 'oracle'"),
                Map.entry(List.of("node", "--port", "70000"), "--port must be in 0..65535"),
                Map.entry(List.of("cluster", "status"), "--seed-nodes is required"));
        for (Map.Entry<List<String>, String> c : cases.entrySet()) {
            List<String> args = new java.util.ArrayList<>(c.getKey());
            args.addAll(List.of("--quiet", "--out", tmp.resolve("never").toString()));
            if (!args.get(0).equals("search")) {
                args = new java.util.ArrayList<>(c.getKey());
            }
            Run run = run(args.toArray(String[]::new));
            assertEquals(2, run.exit(), args + " -> " + run.err());
            String err = run.err().strip();
            assertTrue(err.contains(c.getValue()), args + ": stderr was: " + err);
            assertEquals(1, err.lines().count(), args + ": expected one line, got: " + err);
            assertFalse(err.contains("Exception"), args + ": stack trace or exception name in: " + err);
        }
        assertFalse(Files.exists(tmp.resolve("never")), "a failed command must not create its run directory");
    }

    @Test
    void benchSearchReportsMeanAndStdAsJson() throws IOException {
        Run run = run("bench", "search", "--strategy", "random", "--budget", "50", "--seeds", "3", "--json");
        assertEquals(0, run.exit(), run.err());
        JsonNode json = JSON.readTree(run.lastLine());
        assertEquals("random", json.get("strategy").asText());
        assertEquals(50, json.get("budget").asInt());
        assertEquals(3, json.get("seeds").asInt());
        double mean = json.get("mean").asDouble();
        assertTrue(mean > 80 && mean < 94.38, "mean " + mean);
        assertTrue(json.get("std").asDouble() >= 0);
        // Reproducible per seed: the same command gives the same figures.
        JsonNode again =
                JSON.readTree(run("bench", "search", "--strategy", "random", "--budget", "50", "--seeds", "3", "--json")
                        .lastLine());
        assertEquals(mean, again.get("mean").asDouble(), 0);
    }

    @Test
    void benchPredictorsReportsRankQualityAndFitTimePerPredictor() throws IOException {
        Run run = run(
                "bench", "predictors", "--train", "40", "--test", "200", "--seeds", "1", "--pairs", "300", "--json");
        assertEquals(0, run.exit(), run.err());
        JsonNode json = JSON.readTree(run.lastLine());
        for (String predictor : List.of("gcn", "nac", "nao")) {
            double tau = json.get("kendall").get(predictor).asDouble();
            assertTrue(tau > 0.2 && tau <= 1, predictor + " kendall " + tau);
            double pairwise = json.get("pairwise_accuracy").get(predictor).asDouble();
            assertTrue(pairwise > 0.55 && pairwise <= 1, predictor + " pairwise " + pairwise);
            assertTrue(json.get("fit_seconds").get(predictor).asDouble() > 0);
        }
    }

    /** A model-guided search end to end: its refits run on the predictor actor. */
    @Test
    void predictorGuidedSearchSpendsItsBudget(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("guided");
        Run run = run(
                "search",
                "--strategy",
                "predictor-evolution",
                "--budget",
                "30",
                "--seed",
                "2",
                "--initial",
                "10",
                "--refit-every",
                "10",
                "--quiet",
                "--out",
                dir.toString());
        assertEquals(0, run.exit(), run.err());
        JsonNode summary = JSON.readTree(dir.resolve("summary.json").toFile());
        assertEquals(30, summary.get("evaluations").asInt());
        assertTrue(summary.get("best").get("metrics").get("cifar10_test_200").asDouble() > 90, summary.toString());
    }

    @Test
    void benchThroughputAndUtilizationReportTheirFields() throws IOException {
        Run throughput = run("bench", "throughput", "--evaluator", "tabular", "--candidates", "2000", "--json");
        assertEquals(0, throughput.exit(), throughput.err());
        JsonNode t = JSON.readTree(throughput.lastLine());
        assertEquals(2000, t.get("candidates").asInt());
        assertTrue(t.get("candidates_per_second").asDouble() > 0);
        assertTrue(t.get("cpu_microseconds_per_candidate").asDouble() > 0);

        // Journals alternated over rounds (none, memory, h2, h2, memory, none), each with its median.
        Run journals = run(
                "bench",
                "throughput",
                "--candidates",
                "1000",
                "--journal",
                "none,memory,h2",
                "--rounds",
                "2",
                "--json");
        assertEquals(0, journals.exit(), journals.err());
        JsonNode j = JSON.readTree(journals.lastLine());
        assertEquals(6, j.get("runs").size(), "the warm-up runs are not counted");
        assertEquals(
                List.of("none", "memory", "h2"),
                List.of(
                        j.get("runs").get(0).get("journal").asText(),
                        j.get("runs").get(1).get("journal").asText(),
                        j.get("runs").get(2).get("journal").asText().startsWith("jdbc:h2:") ? "h2" : "?"));
        for (String journal : List.of("none", "memory", "h2")) {
            assertTrue(
                    j.get("medians").get(journal).get("candidates_per_second").asDouble() > 0, journal);
        }
        assertEquals(1.0, j.get("medians").get("none").get("ratio_to_first").asDouble(), 1e-9);
        assertEquals(1.0, j.get("medians").get("none").get("round_ratio_median").asDouble(), 1e-9);
        assertTrue(j.get("medians").get("h2").get("round_ratio_median").asDouble() > 0);

        Run utilization =
                run("bench", "utilization", "--slots", "4", "--budget", "40", "--eval-time", "10ms", "--json");
        assertEquals(0, utilization.exit(), utilization.err());
        JsonNode u = JSON.readTree(utilization.lastLine());
        double async = u.get("async_utilization").asDouble();
        double sync = u.get("sync_utilization").asDouble();
        assertTrue(async > 0 && async <= 1.05, "async " + async);
        assertTrue(sync > 0 && sync <= 1.05, "sync " + sync);
    }

    static List<Map<String, String>> readCsv(Path csv) throws IOException {
        try (var it = new CsvMapper()
                .readerFor(Map.class)
                .with(CsvSchema.emptySchema().withHeader())
                .<Map<String, String>>readValues(csv.toFile())) {
            return it.readAll();
        }
    }
}
