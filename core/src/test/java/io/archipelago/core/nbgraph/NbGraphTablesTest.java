package io.archipelago.core.nbgraph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.table.BenchmarkTable;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The three embedded NAS-Bench-Graph tables against the figures and checks of their README. */
class NbGraphTablesTest {
    private static final NbGraphSpace SPACE = NbGraphSpace.INSTANCE;
    private static final Map<String, BenchmarkTable<GraphArch>> TABLES = new ConcurrentHashMap<>();

    private static BenchmarkTable<GraphArch> table(String dataset) {
        return TABLES.computeIfAbsent(dataset, d -> BenchmarkTable.embedded(SPACE, "nbgraph:" + d));
    }

    @Test
    void everyEncodingMapsToExactlyOneRowAndNoTwoRowsShareAKey() {
        BenchmarkTable<GraphArch> cora = table("cora");
        assertEquals(26_206, cora.rows());
        // rows are keyed by canonical key: as many entries as rows means the rows' keys are distinct
        assertEquals(26_206, cora.size());
        Set<String> rowKeys = new HashSet<>();
        int[] byEffectiveNodes = new int[5];
        for (BenchmarkTable.Entry<GraphArch> entry : cora.entries()) {
            assertEquals(1, entry.rows());
            rowKeys.add(entry.canonicalKey());
            byEffectiveNodes[SPACE.effectiveNodes(entry.representative())]++;
        }
        assertEquals(26_206, rowKeys.size());
        assertEquals(
                List.of(0, 8, 100, 1_504, 24_594),
                java.util.Arrays.stream(byEffectiveNodes).boxed().toList());
        Set<String> reached = new HashSet<>();
        long[] encodings = {0};
        SPACE.enumerate().forEach(arch -> {
            String key = SPACE.canonicalKey(arch);
            assertTrue(rowKeys.contains(key), () -> SPACE.format(arch) + " maps to no row (" + key + ")");
            // the space's representative is the table's own row
            assertEquals(cora.entry(arch).orElseThrow().representative(), SPACE.representative(arch));
            reached.add(key);
            encodings[0]++;
        });
        assertEquals(157_440L, encodings[0]);
        assertEquals(rowKeys, reached);
    }

    @ParameterizedTest
    @CsvSource({
        "gcn~0|cheb~1|gin~1|fc~3, gcn~0|gin~1|cheb~1|fc~2",
        "skip~0|gcn~1|gcn~2|skip~3, skip~0|skip~1|gcn~2|gcn~3",
        "gcn~0|gin~1|cheb~1|fc~2, gcn~0|gin~1|cheb~1|fc~2",
    })
    void anyEquivalentEncodingFindsItsRow(String encoding, String row) {
        for (String dataset : List.of("cora", "citeseer", "pubmed")) {
            BenchmarkTable.Entry<GraphArch> entry =
                    table(dataset).entry(SPACE.parse(encoding)).orElseThrow();
            assertEquals(row, SPACE.format(entry.representative()), dataset);
            assertEquals(
                    table(dataset).metricsOf(SPACE.parse(row)).orElseThrow(),
                    table(dataset).metricsOf(SPACE.parse(encoding)).orElseThrow());
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = ';',
            value = {
                "cora;83.1333;fc~0|gat~1|gcn~2|graph~2;81.9333;80.8000 cheb~0|gcn~1|gat~2|gin~3,82.6333 fc~0|gat~1|fc~2|gin~3",
                "citeseer;71.5667;fc~0|gin~0|gat~1|graph~3;72.8000;71.0333 gcn~0|gcn~0|sage~1|sage~2",
                "pubmed;78.6000;gcn~0|arma~0|gcn~1|gin~1;81.1333;75.6000 gat~0|gin~0|gin~1|sage~2",
            })
    void figuresOfTheReadme(
            String dataset, double bestTest, String bestTestArch, double bestValid, String atBestValid) {
        BenchmarkTable<GraphArch> table = table(dataset);
        assertEquals("embedded:nbgraph-" + dataset + ".csv", table.source());
        assertEquals(26_206, table.rows());
        assertEquals(26_206, table.size());
        assertEquals(List.of("valid_acc", "test_acc", "latency", "params"), table.metrics());
        assertEquals(List.of(), table.fidelities());
        assertEquals(table.metrics(), table.metricNamesAt(0));
        int valid = table.metricIndex("valid_acc");
        int test = table.metricIndex("test_acc");
        double maxTest = table.entries().stream()
                .mapToDouble(e -> e.values()[test])
                .max()
                .orElseThrow();
        assertEquals(bestTest, maxTest, 1e-9);
        List<String> bestByTest = table.entries().stream()
                .filter(e -> Math.abs(e.values()[test] - maxTest) < 1e-6)
                .map(e -> SPACE.format(e.representative()))
                .toList();
        assertEquals(List.of(bestTestArch), bestByTest);
        double maxValid = table.entries().stream()
                .mapToDouble(e -> e.values()[valid])
                .max()
                .orElseThrow();
        assertEquals(bestValid, maxValid, 1e-9);
        List<String> tie = table.entries().stream()
                .filter(e -> Math.abs(e.values()[valid] - maxValid) < 1e-6)
                .sorted(Comparator.comparingDouble(e -> e.values()[test]))
                .map(e -> String.format(
                        java.util.Locale.ROOT, "%.4f %s", e.values()[test], SPACE.format(e.representative())))
                .toList();
        assertEquals(List.of(atBestValid.split(",")), tie);
        Map<String, Double> metrics =
                table.metricsAt(SPACE.parse(bestTestArch), 0).orElseThrow();
        assertEquals(bestTest, metrics.get("test_acc"), 1e-9);
        assertTrue(metrics.get("params") > 0 && metrics.get("latency") > 0, metrics.toString());
    }

    @Test
    void embeddedNamesAreResolvedAndUnknownOnesListTheKnown() {
        assertEquals(
                List.of("nb201:cifar10", "nbgraph:citeseer", "nbgraph:cora", "nbgraph:pubmed"),
                BenchmarkTable.embeddedNames());
        BenchmarkTable<?> byName = BenchmarkTable.embedded("nbgraph:pubmed");
        assertSame(SPACE, byName.space());
        assertEquals(26_206, byName.rows());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> BenchmarkTable.embedded(SPACE, "nbgraph:photo"));
        assertTrue(e.getMessage().contains("'nbgraph:photo'"), e.getMessage());
        assertTrue(
                e.getMessage().contains("nb201:cifar10, nbgraph:citeseer, nbgraph:cora, nbgraph:pubmed"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BenchmarkTable.embedded("cora"));
        assertTrue(e.getMessage().contains("known: "), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> BenchmarkTable.embedded(Nb201Space.INSTANCE, "nbgraph:cora"));
        assertTrue(e.getMessage().contains("belongs to space 'nbgraph'"), e.getMessage());
    }
}
