package io.archipelago.node;

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
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A search whose candidates are scored by a supernet on two evaluator nodes (child JVMs over
 * Aeron on loopback), one of them killed with -9 mid-search: the search still ends with its
 * budget of distinct ok rows, and every row, from either node, carries the score this JVM computes
 * for that cell from the same checkpoint and images.
 */
@Tag("cluster")
class SupernetClusterTest {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Path TINY = Path.of("../models/src/test/resources/fashion-mnist")
            .toAbsolutePath()
            .normalize();
    private static final String DATA = "fashion-mnist:" + TINY;
    private static final int EVAL_IMAGES = 32;
    private static final int EVAL_BATCH = 8;

    /** The scoring options every JVM is given: same supernet, data and images. */
    private static List<String> scoring(Path supernet) {
        return List.of(
                "--evaluator",
                "supernet",
                "--supernet",
                supernet.toString(),
                "--data",
                DATA,
                "--eval-images",
                Integer.toString(EVAL_IMAGES),
                "--eval-batch",
                Integer.toString(EVAL_BATCH));
    }

    private static String[] args(List<String> head, List<String> tail) {
        return java.util.stream.Stream.concat(head.stream(), tail.stream()).toArray(String[]::new);
    }

    private static ChildJvm evaluatorNode(Path tmp, String name, int port, int seedPort, Path supernet)
            throws IOException {
        return ChildJvm.start(
                tmp,
                name,
                args(
                        List.of(
                                "node",
                                "--roles",
                                "evaluator",
                                "--slots",
                                "2",
                                "--port",
                                Integer.toString(port),
                                "--seed-nodes",
                                "127.0.0.1:" + seedPort),
                        scoring(supernet)));
    }

    @Test
    @Timeout(300)
    void aKilledSupernetNodeLosesNothingAndBothNodesScoreAlike(@TempDir Path tmp) throws Exception {
        // Wide enough (C=16, N=2) that a score takes tens of milliseconds: the kill lands mid-search.
        Path supernet = tmp.resolve("supernet");
        CliTest.Run trained = CliTest.run(
                "supernet",
                "train",
                "--data",
                DATA,
                "--channels",
                "16",
                "--cells",
                "2",
                "--batch",
                "8",
                "--train-images",
                "32",
                "--epochs",
                "1",
                "--threads",
                "1",
                "--quiet",
                "--out",
                supernet.toString());
        assertEquals(0, trained.exit(), trained.err());

        int base = ChildJvmPorts.freePorts(3);
        int budget = 300;
        Path out = tmp.resolve("run");
        List<String> search = List.of(
                "search",
                "--cluster",
                "--port",
                Integer.toString(base),
                "--min-evaluators",
                "4",
                "--strategy",
                "evolution",
                "--budget",
                Integer.toString(budget),
                "--seed",
                "5",
                "--quiet",
                "--out",
                out.toString());
        try (ChildJvm controller = ChildJvm.start(tmp, "controller", args(search, scoring(supernet)));
                ChildJvm first = evaluatorNode(tmp, "evaluator-1", base + 1, base, supernet);
                ChildJvm second = evaluatorNode(tmp, "evaluator-2", base + 2, base, supernet)) {
            Path csv = out.resolve("evaluations.csv");
            ChildJvm.await(() -> ClusterSearchTest.rowsSoFar(csv) >= 30, START, "the search did not get going");
            first.killNode(base + 1);
            assertEquals(0, controller.awaitExit(Duration.ofSeconds(180)), controller.tail());
        }

        JsonNode summary =
                new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(budget, summary.get("evaluations").asInt(), summary.toString());
        assertEquals(0, summary.get("failed").asInt(), summary.toString());
        List<Map<String, String>> rows = CliTest.readCsv(out.resolve("evaluations.csv"));
        assertEquals(budget, rows.size());
        Set<String> ids = new HashSet<>();
        for (Map<String, String> row : rows) {
            assertEquals("ok", row.get("status"), row.toString());
            assertTrue(ids.add(row.get("candidate_id")), "candidate " + row.get("candidate_id") + " twice");
        }
        assertTrue(ClusterSearchTest.rowsBy(rows, base + 1) > 0, "the killed node scored nothing before it died");
        assertTrue(ClusterSearchTest.rowsBy(rows, base + 2) > 0);

        SposCheckpoint checkpoint = SposCheckpoint.read(supernet.resolve("checkpoint.spos"));
        TrainingData split = TrainingData.train(DATA);
        EvalImages images = EvalImages.of(
                HeldOutImages.of(split.dataset(), checkpoint.spec(), EVAL_IMAGES, 0, split.description()), EVAL_BATCH);
        try (SupernetEvaluator scorer = new SupernetEvaluator(checkpoint.supernet())) {
            for (Map<String, String> row : rows) {
                double here = 100
                        * scorer.evaluate(Nb201Space.INSTANCE.parse(row.get("arch")), images)
                                .accuracy();
                assertEquals(here, Double.parseDouble(row.get("supernet_accuracy")), 1e-9, row.toString());
            }
        }
    }
}
