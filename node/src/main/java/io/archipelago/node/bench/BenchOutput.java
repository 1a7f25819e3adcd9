package io.archipelago.node.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.table.BenchmarkTable;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/** Benchmark output: readable lines, and with {@code --json} one JSON object as the last line of stdout. */
public final class BenchOutput {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchOutput() {}

    public static void json(PrintWriter out, Map<String, Object> fields) {
        try {
            out.println(JSON.writeValueAsString(fields));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A JSON object whose keys keep the order given: {@code Map.of} iterates in an order that
     * changes from one JVM to the next, and a user diffing two outputs (or a test reading one)
     * should see the same text for the same values.
     */
    public static Map<String, Object> ordered(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values come in pairs");
        }
        Map<String, Object> fields = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            fields.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return fields;
    }

    /**
     * {@code count} distinct cells (by canonical key) of the table, drawn uniformly over cells with
     * the seed (so a function shared by many isomorphic cells is more likely, as in a search).
     */
    static <A> List<A> distinctCells(BenchmarkTable<A> table, int count, long seed) {
        SearchSpace<A> space = table.space();
        SplittableRandom random = new SplittableRandom(seed);
        Set<String> seen = new HashSet<>();
        List<A> cells = new ArrayList<>();
        for (int draws = 0; cells.size() < count && draws < 100 * count; draws++) {
            A cell = space.sample(random);
            if (table.metricsOf(cell).isPresent() && seen.add(space.canonicalKey(cell))) {
                cells.add(cell);
            }
        }
        if (cells.size() < count) {
            throw new IllegalArgumentException(
                    "the benchmark has only " + cells.size() + " distinct cells; asked for " + count);
        }
        return cells;
    }

    static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /** Sample standard deviation (n - 1); 0 for a single value. */
    static double std(double[] values) {
        if (values.length < 2) {
            return 0;
        }
        double mean = mean(values);
        double sum = 0;
        for (double v : values) {
            sum += (v - mean) * (v - mean);
        }
        return Math.sqrt(sum / (values.length - 1));
    }

    /** Deletes a temporary directory and everything in it. */
    public static void deleteTree(java.nio.file.Path dir) throws java.io.IOException {
        try (var files = java.nio.file.Files.walk(dir)) {
            for (java.nio.file.Path p :
                    files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(p);
            }
        }
    }
}
