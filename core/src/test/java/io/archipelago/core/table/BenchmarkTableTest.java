package io.archipelago.core.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkTableTest {
    private static final Nb201Space SPACE = Nb201Space.INSTANCE;
    private static final String BEST =
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|";
    private static final String ALL_NONE = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|";
    private static final String HEADER = "index,arch,cifar10_test_200,cifar10_valid_12,cifar10_test_12";

    private static BenchmarkTable<Nb201Cell> embedded;
    /** The embedded CSV read line by line, independently of the table: arch -> values. */
    private static Map<String, double[]> raw;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws IOException {
        embedded = BenchmarkTable.embeddedNb201Cifar10();
        raw = new HashMap<>();
        try (InputStream in = BenchmarkTable.class.getResourceAsStream(BenchmarkTable.EMBEDDED_NB201_CIFAR10);
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            assertEquals(HEADER, reader.readLine());
            String line;
            while ((line = reader.readLine()) != null) {
                String[] parts = line.split(",");
                raw.put(parts[1], new double[] {
                    Double.parseDouble(parts[2]), Double.parseDouble(parts[3]), Double.parseDouble(parts[4])
                });
            }
        }
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    private BenchmarkFormatException loadFails(Path file) {
        return assertThrows(BenchmarkFormatException.class, () -> BenchmarkTable.load(SPACE, file));
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should mention '" + part + "'");
        }
    }

    @Test
    void embeddedTableHasEveryCellMergedIntoCanonicalClasses() {
        assertEquals(15_625, raw.size());
        assertEquals(15_625, embedded.rows());
        assertEquals(5_425, embedded.size());
        assertEquals(5_425, embedded.entries().size());
        assertEquals(
                15_625,
                embedded.entries().stream().mapToInt(BenchmarkTable.Entry::rows).sum());
        assertEquals("embedded:nb201-cifar10.csv", embedded.source());
        assertEquals(SPACE, embedded.space());
        // every cell of the space has an entry, under its own canonical key
        SPACE.enumerate().forEach(cell -> {
            BenchmarkTable.Entry<Nb201Cell> entry = embedded.entry(cell).orElseThrow();
            assertEquals(SPACE.canonicalKey(cell), entry.canonicalKey());
            assertEquals(entry.canonicalKey(), SPACE.canonicalKey(entry.representative()));
        });
    }

    @Test
    void metricNamesComeFromTheHeader() {
        assertEquals(List.of("cifar10_test_200", "cifar10_valid_12", "cifar10_test_12"), embedded.metrics());
        assertEquals(List.of(12, 200), embedded.fidelities());
        assertEquals(0, embedded.metricIndex("cifar10_test_200"));
        assertEquals(2, embedded.metricIndex("cifar10_test_12"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> embedded.metricIndex("cifar100_test_200"));
        assertMentions(e, "cifar100_test_200", "cifar10_valid_12", "embedded:nb201-cifar10.csv");
    }

    @Test
    void bestTestAccuracyIsThePublishedOne() {
        // independent check of the data itself: two cells tie at the top, the published one and its mirror
        // with the 1x1 and 3x3 convs into the output swapped
        String twin = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|";
        double max = raw.values().stream().mapToDouble(v -> v[0]).max().orElseThrow();
        assertEquals(94.3733, max, 0.0);
        assertEquals(
                Set.of(BEST, twin),
                raw.entrySet().stream()
                        .filter(e -> e.getValue()[0] == max)
                        .map(Map.Entry::getKey)
                        .collect(Collectors.toSet()));
        // and through the table: each is alone in its class, so the maximum is not averaged away
        int test200 = embedded.metricIndex("cifar10_test_200");
        List<BenchmarkTable.Entry<Nb201Cell>> top = embedded.entries().stream()
                .filter(e -> e.values()[test200] >= 94.3733 - 1e-9)
                .toList();
        assertEquals(2, top.size());
        assertEquals(
                Set.of(SPACE.parse(BEST), SPACE.parse(twin)),
                top.stream().map(BenchmarkTable.Entry::representative).collect(Collectors.toSet()));
        top.forEach(e -> assertEquals(1, e.rows()));
        assertEquals(84.892, embedded.metricsOf(SPACE.parse(twin)).orElseThrow().get("cifar10_valid_12"), 1e-9);
        assertEquals(
                94.3733, embedded.metricsOf(SPACE.parse(BEST)).orElseThrow().get("cifar10_test_200"), 1e-9);
    }

    @Test
    void everyEntryIsTheMeanOfTheRowsOfItsClass() {
        Map<String, double[]> sums = new HashMap<>();
        Map<String, Integer> counts = new HashMap<>();
        raw.forEach((arch, values) -> {
            String key = SPACE.canonicalKey(SPACE.parse(arch));
            double[] sum = sums.computeIfAbsent(key, k -> new double[3]);
            for (int m = 0; m < 3; m++) {
                sum[m] += values[m];
            }
            counts.merge(key, 1, Integer::sum);
        });
        assertEquals(5_425, sums.size());
        for (BenchmarkTable.Entry<Nb201Cell> entry : embedded.entries()) {
            int n = counts.get(entry.canonicalKey());
            assertEquals(n, entry.rows(), entry.canonicalKey());
            for (int m = 0; m < 3; m++) {
                assertEquals(sums.get(entry.canonicalKey())[m] / n, entry.values()[m], 1e-9, entry.canonicalKey());
            }
        }
        // the disconnected cells form one class of 341 rows
        BenchmarkTable.Entry<Nb201Cell> zero =
                embedded.entry(SPACE.parse(ALL_NONE)).orElseThrow();
        assertEquals(341, zero.rows());
    }

    @Test
    void metricsAtSelectTheColumnsOfOneFidelity() {
        Nb201Cell best = SPACE.parse(BEST);
        Map<String, Double> at12 = embedded.metricsAt(best, 12).orElseThrow();
        assertEquals(List.of("cifar10_valid_12", "cifar10_test_12"), List.copyOf(at12.keySet()));
        assertEquals(84.384, at12.get("cifar10_valid_12"), 1e-9);
        assertEquals(88.79, at12.get("cifar10_test_12"), 1e-9);
        Map<String, Double> at200 = embedded.metricsAt(best, 200).orElseThrow();
        assertEquals(Map.of("cifar10_test_200", 94.3733), at200);
        assertEquals(at200, embedded.metricsAt(best, 0).orElseThrow());
        Map<String, Double> all = embedded.metricsOf(best).orElseThrow();
        assertEquals(List.of("cifar10_test_200", "cifar10_valid_12", "cifar10_test_12"), List.copyOf(all.keySet()));
        assertEquals(List.of("cifar10_valid_12", "cifar10_test_12"), embedded.metricNamesAt(12));
        assertEquals(List.of("cifar10_test_200"), embedded.metricNamesAt(0));
    }

    @Test
    void fidelityZeroResolvesToTheHighestAndUnknownFidelitiesAreRejected() {
        assertEquals(200, embedded.resolveFidelity(0));
        assertEquals(12, embedded.resolveFidelity(12));
        assertEquals(200, embedded.resolveFidelity(200));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> embedded.resolveFidelity(108));
        assertMentions(e, "108", "[12, 200]");
        assertThrows(IllegalArgumentException.class, () -> embedded.metricsAt(SPACE.parse(BEST), 50));
        assertThrows(IllegalArgumentException.class, () -> embedded.metricNamesAt(-1));
    }

    @Test
    void smallTableMergesEquivalentCellsByMean() throws IOException {
        // the first two cells have no path to the output: one class; the third is on its own
        Path file = write(
                "small.csv",
                String.join(
                        "\n",
                        "arch,cifar100_valid_12,cifar100_test_200,params",
                        ALL_NONE + ",10.0,20.0,0.07",
                        "|nor_conv_3x3~0|+|avg_pool_3x3~0|none~1|+|none~0|none~1|none~2|,12.0,30.0,0.5",
                        BEST + ",70.5,73.25,1.07",
                        ""));
        BenchmarkTable<Nb201Cell> table = BenchmarkTable.load(SPACE, file);
        assertEquals(3, table.rows());
        assertEquals(2, table.size());
        assertEquals(file.toString(), table.source());
        assertEquals(List.of("cifar100_valid_12", "cifar100_test_200", "params"), table.metrics());
        assertEquals(List.of(12, 200), table.fidelities());
        BenchmarkTable.Entry<Nb201Cell> zero =
                table.entry(SPACE.parse(ALL_NONE)).orElseThrow();
        assertEquals(2, zero.rows());
        assertEquals(SPACE.parse(ALL_NONE), zero.representative()); // the first row of the class
        assertEquals(11.0, zero.values()[0], 1e-12);
        assertEquals(25.0, zero.values()[1], 1e-12);
        assertEquals(0.285, zero.values()[2], 1e-12);
        // another member of the zero class finds the same entry although it is not in the file
        Map<String, Double> viaOther = table.metricsOf(
                        SPACE.parse("|none~0|+|none~0|none~1|+|none~0|nor_conv_3x3~1|none~2|"))
                .orElseThrow();
        assertEquals(11.0, viaOther.get("cifar100_valid_12"), 1e-12);
        // metrics without a fidelity come with every fidelity
        Map<String, Double> zeroAt12 =
                table.metricsAt(SPACE.parse(ALL_NONE), 12).orElseThrow();
        assertEquals(List.of("cifar100_valid_12", "params"), List.copyOf(zeroAt12.keySet()));
        assertEquals(11.0, zeroAt12.get("cifar100_valid_12"), 1e-12);
        assertEquals(0.285, zeroAt12.get("params"), 1e-12);
        assertEquals(
                Map.of("cifar100_test_200", 73.25, "params", 1.07),
                table.metricsAt(SPACE.parse(BEST), 0).orElseThrow());
        assertEquals(List.of("cifar100_test_200", "params"), table.metricNamesAt(200));
        // a cell of a class without rows is absent
        Nb201Cell absent = SPACE.parse("|avg_pool_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|");
        assertEquals(Optional.empty(), table.entry(absent));
        assertEquals(Optional.empty(), table.metricsOf(absent));
        assertEquals(Optional.empty(), table.metricsAt(absent, 12));
    }

    @Test
    void columnsMayComeInAnyOrderAndIndexIsOptional() throws IOException {
        Path file = write("order.csv", "cifar10_valid_12,arch\n55.5," + BEST + "\n");
        BenchmarkTable<Nb201Cell> table = BenchmarkTable.load(SPACE, file);
        assertEquals(List.of("cifar10_valid_12"), table.metrics());
        assertEquals(55.5, table.metricsOf(SPACE.parse(BEST)).orElseThrow().get("cifar10_valid_12"));
    }

    @Test
    void readFromStreamNamesTheGivenSource() throws IOException {
        byte[] csv = ("arch,acc\n" + BEST + ",1.5\n").getBytes(StandardCharsets.UTF_8);
        BenchmarkTable<Nb201Cell> table = BenchmarkTable.read(SPACE, new ByteArrayInputStream(csv), "memory:test");
        assertEquals("memory:test", table.source());
        assertEquals(List.of(), table.fidelities());
        BenchmarkFormatException e = assertThrows(
                BenchmarkFormatException.class,
                () -> BenchmarkTable.read(
                        SPACE,
                        new ByteArrayInputStream("arch,acc\n".getBytes(StandardCharsets.UTF_8)),
                        "memory:headeronly"));
        assertMentions(e, "memory:headeronly", "no data rows");
    }

    @Test
    void emptyHeaderColumnNameIsRejected() throws IOException {
        Path file = write("noname.csv", "arch,cifar10_valid_12,,cifar10_test_12\n" + BEST + ",1,2,3\n");
        assertMentions(loadFails(file), file.toString(), "line 1", "column 3 has no name");
    }

    @Test
    void duplicateHeaderColumnIsRejected() throws IOException {
        Path file = write("dup.csv", "arch,cifar10_valid_12,cifar10_valid_12\n" + BEST + ",1,2\n");
        assertMentions(loadFails(file), file.toString(), "line 1", "'cifar10_valid_12' appears twice");
    }

    @Test
    void missingArchColumnIsRejected() throws IOException {
        Path file = write("noarch.csv", "index,cell,cifar10_valid_12\n0," + BEST + ",1\n");
        assertMentions(loadFails(file), file.toString(), "line 1", "no 'arch' column");
    }

    @Test
    void headerWithoutMetricsIsRejected() throws IOException {
        Path file = write("nometric.csv", "index,arch\n0," + BEST + "\n");
        assertMentions(loadFails(file), file.toString(), "line 1", "no metric columns");
    }

    @Test
    void nonNumericValueIsRejectedWithLineAndColumn() throws IOException {
        Path file =
                write("nan.csv", HEADER + "\n" + "0," + ALL_NONE + ",10,9.7,10\n" + "1," + BEST + ",94.37,n/a,88.79\n");
        assertMentions(
                loadFails(file), file.toString(), "line 3", "column 'cifar10_valid_12'", "'n/a' is not a number");
    }

    @Test
    void nonFiniteValueIsRejected() throws IOException {
        Path file = write("inf.csv", HEADER + "\n0," + BEST + ",94.37,NaN,88.79\n");
        assertMentions(loadFails(file), file.toString(), "line 2", "column 'cifar10_valid_12'", "not finite");
    }

    @Test
    void badArchStringIsRejectedWithLineAndColumn() throws IOException {
        Path file = write(
                "badarch.csv",
                HEADER + "\n"
                        + "0," + ALL_NONE + ",10,9.7,10\n"
                        + "1,|nor_conv_3x3~0|+|conv_7x7~0|none~1|+|none~0|none~1|none~2|,50,40,45\n");
        BenchmarkFormatException e = loadFails(file);
        assertMentions(e, file.toString(), "line 3", "column 'arch'", "unknown op 'conv_7x7'");
    }

    @Test
    void wrongNumberOfColumnsIsRejected() throws IOException {
        Path file = write("short.csv", HEADER + "\n0," + BEST + ",94.37,84.38\n");
        assertMentions(loadFails(file), file.toString(), "line 2", "expected 5 columns, found 4");
    }

    @Test
    void duplicateArchitectureIsRejected() throws IOException {
        Path file = write("twice.csv", "arch,acc\n" + BEST + ",1\n" + ALL_NONE + ",2\n " + BEST + " ,3\n");
        assertMentions(loadFails(file), file.toString(), "line 4", "already appears on line 2");
    }

    @Test
    void lineNumbersCountBlankLines() throws IOException {
        Path file = write("blank.csv", "arch,acc\n" + ALL_NONE + ",1\n\n" + BEST + ",oops\n");
        assertMentions(loadFails(file), file.toString(), "line 4", "'oops' is not a number");
    }

    @Test
    void emptyFileIsRejected() throws IOException {
        Path file = write("empty.csv", "");
        assertMentions(loadFails(file), file.toString(), "empty file");
    }

    @Test
    void headerOnlyFileIsRejected() throws IOException {
        Path file = write("header.csv", HEADER + "\n");
        assertMentions(loadFails(file), file.toString(), "no data rows");
    }

    @Test
    void missingFileIsRejected() {
        Path file = dir.resolve("absent.csv");
        assertMentions(loadFails(file), file.toString(), "does not exist");
        assertMentions(loadFails(dir), dir.toString(), "not a file");
    }

    @Test
    void metricNameParsing() {
        assertEquals(Optional.of(new MetricName("cifar10", "valid", 12)), MetricName.parse("cifar10_valid_12"));
        assertEquals(
                Optional.of(new MetricName("ImageNet16-120", "test", 200)),
                MetricName.parse("ImageNet16-120_test_200"));
        assertEquals(Optional.of(new MetricName("cifar10_x", "test", 1)), MetricName.parse("cifar10_x_test_1"));
        assertEquals("cifar10_valid_12", new MetricName("cifar10", "valid", 12).toString());
        assertFalse(MetricName.parse("params").isPresent());
        assertFalse(MetricName.parse("cifar10_valid").isPresent());
        assertFalse(MetricName.parse("cifar10_12_12").isPresent());
        assertFalse(MetricName.parse("cifar10_valid_99999999999").isPresent());
    }
}
