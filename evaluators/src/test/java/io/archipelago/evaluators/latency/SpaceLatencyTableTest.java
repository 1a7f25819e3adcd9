package io.archipelago.evaluators.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archipelago.core.darts.DartsSpace;
import io.archipelago.core.mnasnet.MnasArch;
import io.archipelago.core.mnasnet.MnasNetSpace;
import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.models.space.NetworkShape;
import io.archipelago.models.space.TimedBlock;
import io.archipelago.proto.Architecture;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpaceLatencyTableTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** DARTS at C=2, N=1 on 8x8 inputs: every block in well under a second a round. */
    private static final NetworkShape TINY_DARTS = new NetworkShape(2, 1, 3, 8, 8, 10);

    private static SpaceLatencyTable table;

    @BeforeAll
    static void build() throws EvaluationException {
        LatencySettings tiny = new LatencySettings(TINY_DARTS, 1, 1, 1, 0, 0);
        table = new SpaceLatencyTableBuilder(DartsSpace.ID, "tiny-cpu", tiny, 3, 1, 5, line -> {}).build();
    }

    @Test
    void aBuiltTableTimesEveryBlockAndPredictsSampledNetworks() {
        List<TimedBlock> every = SpaceLatencyTable.blocks(DartsSpace.ID).everyBlock(TINY_DARTS);
        assertEquals(every.size(), table.entries().size());
        table.entries().values().forEach(e -> assertTrue(e.latencyMs() > 0 && e.p10Ms() <= e.p90Ms(), e.toString()));
        assertEquals(3, table.model().fitCells());
        for (Architecture a : SpaceLatencyTableBuilder.sample(DartsSpace.ID, 5, 11)) {
            List<TimedBlock> blocks = SpaceLatencyTableBuilder.blocksOf(a, TINY_DARTS);
            double sum = table.tableSum(blocks);
            assertTrue(sum > 0);
            double a1 = table.model().coefficients().get(LatencyTable.TERM_SUM);
            double b = table.model().coefficients().get(LatencyTable.TERM_INTERCEPT);
            assertEquals(a1 * sum + b, table.predict(blocks), 1e-9);
        }
    }

    @Test
    void theEvaluatorPredictsItsSpaceAndRefusesAnother() throws EvaluationException {
        SpaceLatencyTableEvaluator evaluator = new SpaceLatencyTableEvaluator(table, "t.json");
        Architecture darts =
                SpaceLatencyTableBuilder.sample(DartsSpace.ID, 1, 3).get(0);
        Evaluation e = evaluator.evaluate(darts, 0);
        assertTrue(e.metrics().get(LatencyEvaluators.LATENCY_MS) > 0);
        assertEquals("darts", e.labels().get("space"));
        assertEquals("table", e.labels().get(LatencyEvaluators.LABEL_METHOD));
        Architecture mnas = MnasNetSpace.INSTANCE.toProto(MnasArch.MNASNET_A1);
        EvaluationException refused = assertThrows(EvaluationException.class, () -> evaluator.evaluate(mnas, 0));
        assertTrue(
                refused.getMessage().contains("of space 'darts'")
                        && refused.getMessage().contains("'mnasnet'"),
                refused.getMessage());
    }

    @Test
    void savedTablesReadBackAndAreNotOverwritten(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("darts.json");
        table.save(file);
        assertTrue(SpaceLatencyTable.isSpaceTable(file));
        SpaceLatencyTable back = SpaceLatencyTable.load(file);
        assertEquals(table.entries(), back.entries());
        assertEquals(table.model(), back.model());
        assertEquals(table.network(), back.network());
        assertEquals(table.measurement(), back.measurement());
        assertThrows(FileAlreadyExistsException.class, () -> table.save(file));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void badFilesAreRefusedWithWhatIsWrong(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("t.json");
        table.save(file);
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        String firstKey = root.get("entries").fieldNames().next();

        ObjectNode missing = root.deepCopy();
        ((ObjectNode) missing.get("entries")).remove(firstKey);
        assertTrue(refusal(dir, "missing.json", missing).contains("no entry for block '" + firstKey + "'"));

        ObjectNode otherSpace = root.deepCopy();
        otherSpace.put("space", "nb201");
        assertTrue(refusal(dir, "nb201.json", otherSpace).contains("space 'nb201' has no latency blocks"));

        ObjectNode badModel = root.deepCopy();
        ((ObjectNode) badModel.get("model").get("coefficients")).put("count:x", 1.0);
        assertTrue(refusal(dir, "model.json", badModel).contains("the model's terms must be"));

        ObjectNode version = root.deepCopy();
        version.put("version", 9);
        assertTrue(refusal(dir, "version.json", version).contains("format version 9 is not supported"));

        Files.writeString(dir.resolve("broken.json"), "{");
        assertFalse(SpaceLatencyTable.isSpaceTable(dir.resolve("broken.json")));
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> SpaceLatencyTable.load(dir.resolve("broken.json")))
                        .getMessage()
                        .contains("is not valid JSON"));
    }

    private static String refusal(Path dir, String name, ObjectNode content) throws Exception {
        Path file = dir.resolve(name);
        JSON.writeValue(file.toFile(), content);
        String message = assertThrows(IllegalArgumentException.class, () -> SpaceLatencyTable.load(file))
                .getMessage();
        assertTrue(message.startsWith("latency table " + file), message);
        return message;
    }
}
