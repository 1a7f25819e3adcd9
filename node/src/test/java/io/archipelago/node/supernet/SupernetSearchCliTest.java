package io.archipelago.node.supernet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.models.data.TrainingData;
import io.archipelago.models.supernet.EvalImages;
import io.archipelago.models.supernet.HeldOutImages;
import io.archipelago.models.supernet.SposCheckpoint;
import io.archipelago.models.supernet.SupernetEvaluator;
import io.archipelago.node.supernet.SupernetTrainCliTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code search --evaluator supernet} as a user runs it, on a tiny supernet trained by {@code
 * supernet train} (C=2, N=1, 32 of the 64 test-resource images): the scores are the supernet's
 * accuracy on held-out images, the same in every run, and bad options fail before anything runs.
 */
class SupernetSearchCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;

    private static Path supernet;

    @BeforeAll
    static void trainATinySupernet() {
        supernet = shared.resolve("supernet");
        Run run = SupernetTrainCliTest.run(SupernetTrainCliTest.tiny("--epochs", "10", "--out", supernet.toString()));
        assertEquals(0, run.exit(), run.err());
    }

    private static String[] search(Path out, String... more) {
        return search(supernet, 16, out, more);
    }

    private static String[] search(Path weights, int evalImages, Path out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "search",
                "--evaluator",
                "supernet",
                "--supernet",
                weights.toString(),
                "--data",
                "fashion-mnist:" + SupernetTrainCliTest.TINY,
                "--eval-images",
                Integer.toString(evalImages),
                "--eval-batch",
                "8",
                "--strategy",
                "evolution",
                "--population",
                "6",
                "--budget",
                "20",
                "--seed",
                "4",
                "--quiet",
                "--out",
                out.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void aSearchScoresCellsWithTheSupernetsWeightsOnHeldOutImages(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("search");
        Run run = SupernetTrainCliTest.run(search(out));
        assertEquals(0, run.exit(), run.err());
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertEquals("supernet", summary.get("evaluator").asText());
        assertEquals(20, summary.get("evaluations").asInt(), summary.toString());
        JsonNode best = summary.get("best");
        double reported = best.get("evaluated_metrics").get("supernet_accuracy").asDouble();
        assertTrue(best.get("metrics").has("cifar10_test_200"), "found cells are reported with the table's metrics");

        // The same score, computed here from the checkpoint and the held-out images.
        SposCheckpoint checkpoint = SposCheckpoint.read(supernet.resolve("checkpoint.spos"));
        TrainingData split = TrainingData.train("fashion-mnist:" + SupernetTrainCliTest.TINY);
        EvalImages images =
                EvalImages.of(HeldOutImages.of(split.dataset(), checkpoint.spec(), 16, 0, split.description()), 8);
        try (SupernetEvaluator scorer = new SupernetEvaluator(checkpoint.supernet())) {
            double expected = 100
                    * scorer.evaluate(Nb201Space.INSTANCE.parse(best.get("arch").asText()), images)
                            .accuracy();
            assertEquals(expected, reported, 1e-9);
        }
    }

    @Test
    void aCellGetsTheSameScoreFromEverySlotAndRun(@TempDir Path tmp) throws Exception {
        Run first = SupernetTrainCliTest.run(search(tmp.resolve("a"), "--slots", "1"));
        Run second = SupernetTrainCliTest.run(search(tmp.resolve("b"), "--slots", "3"));
        assertEquals(0, first.exit(), first.err());
        assertEquals(0, second.exit(), second.err());
        Map<String, String> one = scores(tmp.resolve("a"));
        Map<String, String> other = scores(tmp.resolve("b"));
        Set<String> both = new HashSet<>(one.keySet());
        both.retainAll(other.keySet());
        assertTrue(both.size() >= 6, "the seeded first population is in both runs: " + both);
        for (String cell : both) {
            assertEquals(one.get(cell), other.get(cell), cell);
        }
        assertTrue(new HashSet<>(one.values()).size() > 1, "a trained supernet tells cells apart: " + one);
    }

    /** supernet_accuracy by evaluated cell. */
    private static Map<String, String> scores(Path run) throws Exception {
        List<String> lines = Files.readAllLines(run.resolve("evaluations.csv"));
        List<String> header = List.of(lines.get(0).split(","));
        int acc = header.indexOf("supernet_accuracy");
        assertTrue(acc >= 0, lines.get(0));
        Map<String, String> scores = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",");
            scores.put(cells[1], cells[acc]);
        }
        return scores;
    }

    @Test
    void badSupernetOptionsFailBeforeAnythingRuns(@TempDir Path tmp) {
        Run missing = SupernetTrainCliTest.run(
                "search", "--evaluator", "supernet", "--out", tmp.resolve("x").toString(), "--quiet");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("needs --supernet DIR"), missing.err());

        Run empty = SupernetTrainCliTest.run(search(tmp, 16, tmp.resolve("y")));
        assertEquals(2, empty.exit());
        assertTrue(empty.err().contains("no checkpoint there"), empty.err());

        Run tooMany = SupernetTrainCliTest.run(search(supernet, 40, tmp.resolve("z")));
        assertEquals(2, tooMany.exit());
        assertTrue(tooMany.err().contains("only 32 of 64 images were not used to train"), tooMany.err());
        assertEquals(1, tooMany.err().strip().lines().count(), tooMany.err());
        assertTrue(!Files.exists(tmp.resolve("z").resolve("evaluations.csv")));
    }
}
