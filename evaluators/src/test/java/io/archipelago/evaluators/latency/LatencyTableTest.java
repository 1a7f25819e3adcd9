package io.archipelago.evaluators.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.models.space.NetworkShape;
import io.archipelago.proto.Architecture;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatencyTableTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CELL =
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";
    private static LatencyTable table; // built once on a tiny network (C=4, N=1), 3 fit cells

    @BeforeAll
    static void build() throws EvaluationException {
        LatencySettings tiny = new LatencySettings(NetworkShape.STANDARD.withCells(4, 1), 1, 1, 3, 0, 0);
        table = new LatencyTableBuilder("tiny-cpu", tiny, 3, 1, 7, line -> {}).build();
    }

    @Test
    void aBuiltTableHasEveryBlockAndAModel() {
        NetworkShape n = table.network();
        assertEquals(4 + 3 * 4, table.entries().size()); // stem, 2 reductions, head; 4 cell ops x 3 stages
        for (LatencyTable.Key key : LatencyTable.requiredKeys(n)) {
            LatencyTable.Entry e = table.entry(key);
            assertTrue(e.latencyMs() > 0 && e.p10Ms() <= e.latencyMs() && e.latencyMs() <= e.p90Ms(), e.toString());
        }
        assertEquals(
                new LatencyTable.Key("reduction", 8, 16, 2),
                LatencyTable.fixedKeys(n).get(2));
        assertEquals(
                new LatencyTable.Key("nor_conv_3x3", 16, 8, 1),
                LatencyTable.opKey(n, io.archipelago.core.nb201.Nb201Op.NOR_CONV_3X3, 2));
        assertEquals(3, table.model().fitCells());
        assertTrue(
                table.model().coefficients().containsKey(LatencyTable.TERM_SUM),
                table.model().toString());
        assertEquals("tiny-cpu", table.device());
        assertTrue(table.labels().containsKey("backend"), table.labels().toString());
    }

    @Test
    void roundTripsThroughItsFileAndRefusesToOverwriteIt(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("sub/table.json");
        table.save(file);
        LatencyTable loaded = LatencyTable.load(file);
        assertEquals(table.entries(), loaded.entries());
        assertEquals(table.model(), loaded.model());
        assertEquals(table.labels(), loaded.labels());
        assertEquals(table.network(), loaded.network());
        assertEquals(table.device(), loaded.device());
        for (Nb201Cell cell : LatencyTableBuilder.sampleCells(20, 3)) {
            assertEquals(table.predict(cell), loaded.predict(cell), 1e-12);
        }
        assertThrows(FileAlreadyExistsException.class, () -> table.save(file));
    }

    /**
     * The built table's blocks with a model that only adds them up: a model fitted on 3 noisy
     * timings of a tiny network can predict below zero (CI saw -0.86 ms once), which the evaluator
     * rightly refuses; this test is about the evaluator, not the fit.
     */
    private static LatencyTable summingTable() {
        return new LatencyTable(
                table.device(),
                table.labels(),
                table.network(),
                table.batch(),
                table.warmup(),
                table.repeats(),
                table.threads(),
                table.created(),
                table.entries(),
                new LatencyTable.Model(
                        Map.of(LatencyTable.TERM_SUM, 1.0, LatencyTable.TERM_INTERCEPT, 0.0), 3, 0, 0, 0));
    }

    @Test
    void theEvaluatorAnswersFromTheTableWithItsLabels() throws Exception {
        LatencyTable table = summingTable();
        LatencyTableEvaluator evaluator = new LatencyTableEvaluator(table, "t.json");
        assertEquals("latency:tiny-cpu", evaluator.kind());
        Evaluation e = evaluator.evaluate(
                Architecture.newBuilder()
                        .setSpace(Nb201Space.ID)
                        .setEncoding(CELL)
                        .build(),
                0);
        Map<String, Double> m = e.metrics();
        assertEquals(table.predict(Nb201Space.INSTANCE.parse(CELL)), m.get(LatencyEvaluators.LATENCY_MS), 1e-12);
        assertTrue(m.get(LatencyEvaluators.LATENCY_P10_MS) <= m.get(LatencyEvaluators.LATENCY_P90_MS), m.toString());
        assertEquals(1.0, m.get(LatencyEvaluators.LATENCY_BATCH));
        assertEquals("table", e.labels().get(LatencyEvaluators.LABEL_METHOD));
        assertEquals("tiny-cpu", e.labels().get(LatencyEvaluators.LABEL_DEVICE));
        assertEquals("t.json", e.labels().get("table"));
        assertTrue(
                e.labels().containsKey(LatencyEvaluators.LABEL_CPU), e.labels().toString());
        EvaluationException space = assertThrows(
                EvaluationException.class,
                () -> evaluator.evaluate(
                        Architecture.newBuilder()
                                .setSpace("darts")
                                .setEncoding("x")
                                .build(),
                        0));
        assertTrue(space.getMessage().contains("'darts'"), space.getMessage());
    }

    @Test
    void predictionIsTheFittedModelOfTheTableSum() {
        Nb201Cell none = Nb201Space.INSTANCE.parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|");
        double fixed = 0;
        for (LatencyTable.Key key : LatencyTable.fixedKeys(table.network())) {
            fixed += table.entry(key).latencyMs();
        }
        assertEquals(fixed, table.tableSum(none), 1e-12);
        Nb201Cell cell = Nb201Space.INSTANCE.parse(CELL);
        double sum = fixed;
        for (int stage = 0; stage < 3; stage++) {
            for (int e = 0; e < Nb201Cell.EDGES; e++) {
                sum += table.network().cellsPerStage()
                        * table.entry(LatencyTable.opKey(table.network(), cell.op(e), stage))
                                .latencyMs();
            }
        }
        assertEquals(sum, table.tableSum(cell), 1e-9);
        double expected = 0;
        Map<String, Double> features = table.features(cell);
        for (Map.Entry<String, Double> c : table.model().coefficients().entrySet()) {
            expected += c.getValue() * features.get(c.getKey());
        }
        assertEquals(expected, table.predict(cell), 1e-9);
    }

    @Test
    void theOverheadFitRecoversALinearRelation() {
        List<Nb201Cell> cells = LatencyTableBuilder.sampleCells(15, 11);
        double[] measured = new double[cells.size()];
        for (int i = 0; i < measured.length; i++) {
            measured[i] = 0.6 * table.tableSum(cells.get(i)) + 0.25;
        }
        LatencyTable.Model model = LatencyTableBuilder.fit(table, cells, measured);
        LatencyTable fitted = table.withModel(model);
        for (int i = 0; i < measured.length; i++) {
            assertEquals(measured[i], fitted.predict(cells.get(i)), 1e-6 * measured[i]);
        }
        assertTrue(model.fitMape() < 1e-6, model.toString());
    }

    @Test
    void aFitCellCaughtByLoadFromElsewhereDoesNotPullTheModel() {
        List<Nb201Cell> cells = LatencyTableBuilder.sampleCells(10, 12);
        double[] measured = new double[cells.size()];
        for (int i = 0; i < measured.length; i++) {
            measured[i] = 0.6 * table.tableSum(cells.get(i)) + 0.25;
        }
        measured[3] *= 3; // one cell measured while something else ran
        LatencyTable fitted = table.withModel(LatencyTableBuilder.fit(table, cells, measured));
        for (int i = 0; i < measured.length; i++) {
            if (i != 3) {
                assertEquals(
                        measured[i],
                        fitted.predict(cells.get(i)),
                        0.02 * measured[i],
                        fitted.model().toString());
            }
        }
    }

    @Test
    void roundsAreCombinedByAGeometricMeanWithoutTheSlowestFifth() {
        double[] latency = LatencyTableBuilder.acrossRounds(
                new double[][] {{4}, {2, 8}, {1, 4, 100}, {1, 2, 4, 8, 90}, {3, 3, 3, 3, 3, 3, 3, 3, 3, 300}});
        assertEquals(4, latency[0], 1e-12);
        assertEquals(2, latency[1], 1e-12); // the slower of two dropped
        assertEquals(2, latency[2], 1e-12); // sqrt(1 * 4)
        assertEquals(Math.pow(64, 0.25), latency[3], 1e-12);
        assertEquals(3, latency[4], 1e-12); // two of ten dropped
    }

    // ------------------------------------------------------------------ malformed files

    private static ObjectNode valid(Path tmp) throws Exception {
        Path file = tmp.resolve("valid-" + System.nanoTime() + ".json");
        table.save(file);
        return (ObjectNode) JSON.readTree(file.toFile());
    }

    private static String loadError(Path tmp, String name, String text) throws Exception {
        Path file = tmp.resolve(name);
        Files.writeString(file, text);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LatencyTable.load(file));
        assertTrue(e.getMessage().contains(file.toString()), "the message names the file: " + e.getMessage());
        return e.getMessage();
    }

    private static String loadError(Path tmp, String name, Consumer<ObjectNode> edit) throws Exception {
        ObjectNode root = valid(tmp);
        edit.accept(root);
        return loadError(tmp, name, JSON.writeValueAsString(root));
    }

    @Test
    void malformedOrIncompatibleFilesGiveClearErrors(@TempDir Path tmp) throws Exception {
        Path missing = tmp.resolve("nope.json");
        IllegalArgumentException absent =
                assertThrows(IllegalArgumentException.class, () -> LatencyTable.load(missing));
        assertTrue(absent.getMessage().contains("does not exist"), absent.getMessage());

        assertTrue(loadError(tmp, "garbage.json", "{\"format\": ").contains("not valid JSON"));
        assertTrue(loadError(tmp, "array.json", "[1, 2]").contains("expected a JSON object"));
        assertTrue(
                loadError(tmp, "format.json", r -> r.put("format", "nn-meter")).contains("'format' is 'nn-meter'"));
        String version = loadError(tmp, "version.json", r -> r.put("version", 2));
        assertTrue(version.contains("version 2 is not supported"), version);
        assertTrue(loadError(tmp, "device.json", r -> r.put("device", "a b")).contains("device name"));
        assertTrue(loadError(tmp, "network.json", r -> ((ObjectNode) r.get("network")).put("channels", 0))
                .contains("'channels'"));
        String entry = loadError(tmp, "entry.json", r -> {
            ArrayNode kept = JSON.createArrayNode();
            r.get("entries").forEach(e -> {
                if (!(e.get("op").asText().equals("nor_conv_3x3")
                        && e.get("channels").asInt() == 8)) {
                    kept.add(e);
                }
            });
            r.set("entries", kept);
        });
        assertTrue(entry.contains("no entry for nor_conv_3x3 at 8 channels, 16x16"), entry);
        String latency = loadError(
                tmp, "latency.json", r -> ((ObjectNode) r.get("entries").get(2)).put("latency_ms", "fast"));
        assertTrue(latency.contains("entries[2]") && latency.contains("'latency_ms'"), latency);
        String term =
                loadError(tmp, "term.json", r -> ((ObjectNode) r.get("model").get("coefficients")).put("flops", 1.0));
        assertTrue(term.contains("unknown model term 'flops'"), term);
        String duplicate = loadError(
                tmp,
                "duplicate.json",
                r -> ((ArrayNode) r.get("entries")).add(r.get("entries").get(0).deepCopy()));
        assertTrue(duplicate.contains("two entries for"), duplicate);
        assertTrue(loadError(tmp, "entries.json", r -> r.remove("entries")).contains("'entries'"));
    }

    @Test
    void fitCellsAndNetworkShapeAreChecked() {
        LatencySettings odd = new LatencySettings(new NetworkShape(4, 1, 3, 32, 16, 10), 1, 1, 3, 0, 0);
        assertThrows(IllegalArgumentException.class, () -> new LatencyTableBuilder("x", odd, 0, 1, 0, s -> {}));
        LatencySettings tiny = new LatencySettings(NetworkShape.STANDARD.withCells(4, 1), 1, 1, 3, 0, 0);
        IllegalArgumentException two = assertThrows(
                IllegalArgumentException.class, () -> new LatencyTableBuilder("x", tiny, 2, 1, 0, s -> {}));
        assertTrue(two.getMessage().contains(">= 3"), two.getMessage());
        List<Nb201Cell> cells = new ArrayList<>(LatencyTableBuilder.sampleCells(50, 5));
        assertEquals(50, cells.stream().distinct().count());
        assertEquals(cells, LatencyTableBuilder.sampleCells(50, 5));
    }
}
