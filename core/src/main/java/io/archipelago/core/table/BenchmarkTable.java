package io.archipelago.core.table;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.SearchSpaces;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A tabular benchmark: metrics of every architecture of a space, read from CSV. The header names
 * the columns: {@code arch} (the space's encoding), an optional {@code index}, and one numeric
 * column per metric, named {@code <dataset>_<split>_<epochs>} when the metric has a fidelity;
 * any other name (e.g. NAS-Bench-Graph's {@code valid_acc}, {@code latency}) is a plain metric,
 * which every fidelity includes.
 *
 * <p>Rows are looked up by canonical key: cells that compute the same function are one entry,
 * whose metrics are the mean over the rows of that class (NB201 trained isomorphic cells
 * separately, so their rows differ only by training noise).
 */
public final class BenchmarkTable<A> {
    public static final String EMBEDDED_NB201_CIFAR10 = "nb201-cifar10.csv";

    /** One canonical class: a representative architecture and the mean of its rows' metrics. */
    public record Entry<A>(A representative, String canonicalKey, double[] values, int rows) {}

    private final SearchSpace<A> space;
    private final String source;
    private final List<String> metrics;
    private final Map<String, Entry<A>> byKey;
    private final int rowCount;
    /** Epochs of each metric column, or -1 for a metric without a fidelity. */
    private final int[] metricEpochs;

    private final List<Integer> fidelities;

    private BenchmarkTable(
            SearchSpace<A> space, String source, List<String> metrics, Map<String, Entry<A>> byKey, int rowCount) {
        this.space = space;
        this.source = source;
        this.metrics = List.copyOf(metrics);
        this.byKey = byKey;
        this.rowCount = rowCount;
        this.metricEpochs = metrics.stream()
                .mapToInt(m -> MetricName.parse(m).map(MetricName::epochs).orElse(-1))
                .toArray();
        this.fidelities = List.copyOf(new TreeSet<>(
                Arrays.stream(metricEpochs).filter(e -> e >= 0).boxed().toList()));
    }

    /** What {@link #source()} says of {@link #none}. */
    public static final String NO_TABLE = "none";

    /**
     * The table of a space that has none (DARTS, MnasNet): no rows and no metrics, so every lookup
     * finds nothing. Searches on such a space measure everything they know with their evaluators.
     */
    public static <A> BenchmarkTable<A> none(SearchSpace<A> space) {
        return new BenchmarkTable<>(space, NO_TABLE, List.of(), Map.of(), 0);
    }

    /** Whether this is {@link #none}: a space without a benchmark table. */
    public boolean isNone() {
        return NO_TABLE.equals(source) && rowCount == 0;
    }

    /**
     * Tables shipped inside Archipelago, by name ({@code <space>:<dataset>}): the space they
     * belong to and their resource beside this class.
     */
    private record Embedded(String spaceId, String resource) {}

    private static final Map<String, Embedded> EMBEDDED = new TreeMap<>(Map.of(
            "nb201:cifar10", new Embedded("nb201", EMBEDDED_NB201_CIFAR10),
            "nbgraph:cora", new Embedded("nbgraph", "nbgraph-cora.csv"),
            "nbgraph:citeseer", new Embedded("nbgraph", "nbgraph-citeseer.csv"),
            "nbgraph:pubmed", new Embedded("nbgraph", "nbgraph-pubmed.csv")));

    /** The CIFAR-10 table of NAS-Bench-201 shipped inside Archipelago. */
    public static BenchmarkTable<Nb201Cell> embeddedNb201Cifar10() {
        return embedded(Nb201Space.INSTANCE, "nb201:cifar10");
    }

    /** Names of the tables shipped inside Archipelago, e.g. {@code nbgraph:cora}, sorted. */
    public static List<String> embeddedNames() {
        return List.copyOf(EMBEDDED.keySet());
    }

    /**
     * A table shipped inside Archipelago, read for {@code space}.
     *
     * @param name one of {@link #embeddedNames()}, e.g. {@code nbgraph:cora}
     * @throws IllegalArgumentException when no table has that name (the message lists the known
     *     ones), or the table belongs to another space
     */
    public static <A> BenchmarkTable<A> embedded(SearchSpace<A> space, String name) {
        Embedded table = EMBEDDED.get(name);
        if (table == null) {
            throw new IllegalArgumentException(
                    "unknown embedded benchmark '" + name + "' (known: " + String.join(", ", EMBEDDED.keySet()) + ")");
        }
        if (!table.spaceId().equals(space.id())) {
            throw new IllegalArgumentException("embedded benchmark '" + name + "' belongs to space '" + table.spaceId()
                    + "', not '" + space.id() + "'");
        }
        try (InputStream in = BenchmarkTable.class.getResourceAsStream(table.resource())) {
            if (in == null) {
                throw new IllegalStateException(
                        "embedded benchmark " + table.resource() + " is missing from the classpath");
            }
            return read(space, in, "embedded:" + table.resource());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A table shipped inside Archipelago, read for the space it belongs to (found with {@link
     * SearchSpaces#byId}).
     *
     * @throws IllegalArgumentException when no table has that name (the message lists the known
     *     ones)
     */
    public static BenchmarkTable<?> embedded(String name) {
        Embedded table = EMBEDDED.get(name);
        if (table == null) {
            throw new IllegalArgumentException(
                    "unknown embedded benchmark '" + name + "' (known: " + String.join(", ", EMBEDDED.keySet()) + ")");
        }
        return embedded(SearchSpaces.byId(table.spaceId()), name);
    }

    /** @throws BenchmarkFormatException when the file is missing or malformed */
    public static <A> BenchmarkTable<A> load(SearchSpace<A> space, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BenchmarkFormatException("benchmark file " + file + " does not exist or is not a file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(space, in, file.toString());
        } catch (IOException e) {
            throw new BenchmarkFormatException("cannot read benchmark file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @throws BenchmarkFormatException naming the source, line and column of what is wrong (bytes
     *     that are not UTF-8 or not CSV included)
     * @throws IOException when {@code in} cannot be read
     */
    public static <A> BenchmarkTable<A> read(SearchSpace<A> space, InputStream in, String source) throws IOException {
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        try (MappingIterator<String[]> lines = mapper.readerFor(String[].class).readValues(in)) {
            if (!lines.hasNext()) {
                throw new BenchmarkFormatException(
                        source + ": empty file, expected a header line with an 'arch' column");
            }
            String[] header = lines.next();
            int archColumn = -1;
            List<Integer> metricColumns = new ArrayList<>();
            List<String> metricNames = new ArrayList<>();
            for (int c = 0; c < header.length; c++) {
                String name = header[c].strip();
                if (name.equals("arch")) {
                    archColumn = c;
                } else if (name.isEmpty()) {
                    throw new BenchmarkFormatException(source + ": line 1: column " + (c + 1) + " has no name");
                } else if (!name.equals("index")) {
                    if (metricNames.contains(name)) {
                        throw new BenchmarkFormatException(source + ": line 1: column '" + name + "' appears twice");
                    }
                    metricColumns.add(c);
                    metricNames.add(name);
                }
            }
            if (archColumn < 0) {
                throw new BenchmarkFormatException(
                        source + ": line 1: no 'arch' column in header " + String.join(",", header));
            }
            if (metricNames.isEmpty()) {
                throw new BenchmarkFormatException(source + ": line 1: no metric columns besides 'arch' and 'index'");
            }
            Map<String, Integer> lineOfArch = new HashMap<>();
            Map<String, List<double[]>> rowsByKey = new LinkedHashMap<>();
            Map<String, A> representative = new HashMap<>();
            int rowCount = 0;
            int line = 1; // the header; every record of these files is one line
            while (lines.hasNext()) {
                String[] row = lines.next();
                line++;
                if (row.length == 1 && row[0].isBlank()) {
                    continue;
                }
                if (row.length != header.length) {
                    throw new BenchmarkFormatException(source + ": line " + line + ": expected " + header.length
                            + " columns, found " + row.length);
                }
                A arch;
                try {
                    arch = space.parse(row[archColumn]);
                } catch (IllegalArgumentException e) {
                    throw new BenchmarkFormatException(
                            source + ": line " + line + ", column 'arch': " + e.getMessage(), e);
                }
                String encoding = space.format(arch);
                Integer earlier = lineOfArch.putIfAbsent(encoding, line);
                if (earlier != null) {
                    throw new BenchmarkFormatException(source + ": line " + line + ": architecture " + encoding
                            + " already appears on line " + earlier);
                }
                double[] values = new double[metricColumns.size()];
                for (int m = 0; m < values.length; m++) {
                    String cell = row[metricColumns.get(m)].strip();
                    try {
                        values[m] = Double.parseDouble(cell);
                    } catch (NumberFormatException e) {
                        throw new BenchmarkFormatException(source + ": line " + line + ", column '" + metricNames.get(m)
                                + "': '" + cell + "' is not a number");
                    }
                    if (!Double.isFinite(values[m])) {
                        throw new BenchmarkFormatException(source + ": line " + line + ", column '" + metricNames.get(m)
                                + "': value '" + cell + "' is not finite");
                    }
                }
                String key = space.canonicalKey(arch);
                rowsByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(values);
                representative.putIfAbsent(key, arch);
                rowCount++;
            }
            if (rowCount == 0) {
                throw new BenchmarkFormatException(source + ": no data rows after the header");
            }
            Map<String, Entry<A>> byKey = new HashMap<>(rowsByKey.size() * 2);
            rowsByKey.forEach(
                    (key, rows) -> byKey.put(key, new Entry<>(representative.get(key), key, mean(rows), rows.size())));
            return new BenchmarkTable<>(space, source, metricNames, Collections.unmodifiableMap(byKey), rowCount);
        } catch (RuntimeException e) {
            if (e instanceof BenchmarkFormatException) {
                throw e;
            }
            throw new BenchmarkFormatException(source + ": not a readable CSV table: " + e.getMessage(), e);
        } catch (JsonProcessingException e) {
            // Malformed CSV (an unclosed quote, characters after a closing one): where, and what.
            var at = e.getLocation();
            String where = at == null || at.getLineNr() < 1 ? "" : " line " + at.getLineNr() + ":";
            throw new BenchmarkFormatException(
                    source + ":" + where + " not a readable CSV table: " + oneLine(e.getOriginalMessage()), e);
        } catch (CharConversionException e) {
            throw new BenchmarkFormatException(source + ": not UTF-8 text: " + oneLine(e.getMessage()), e);
        }
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static double[] mean(List<double[]> rows) {
        double[] sum = new double[rows.get(0).length];
        for (double[] row : rows) {
            for (int m = 0; m < sum.length; m++) {
                sum[m] += row[m];
            }
        }
        for (int m = 0; m < sum.length; m++) {
            sum[m] /= rows.size();
        }
        return sum;
    }

    public SearchSpace<A> space() {
        return space;
    }

    /** Where the table came from (a path, or {@code embedded:...}). */
    public String source() {
        return source;
    }

    /** Metric column names in header order. */
    public List<String> metrics() {
        return metrics;
    }

    /** Fidelities (epochs) that at least one metric column has, ascending. */
    public List<Integer> fidelities() {
        return fidelities;
    }

    /** Number of data rows read. */
    public int rows() {
        return rowCount;
    }

    /** Number of canonical classes (entries). */
    public int size() {
        return byKey.size();
    }

    public Optional<Entry<A>> entry(A architecture) {
        return Optional.ofNullable(byKey.get(space.canonicalKey(architecture)));
    }

    public java.util.Collection<Entry<A>> entries() {
        return byKey.values();
    }

    public int metricIndex(String metric) {
        int index = metrics.indexOf(metric);
        if (index < 0 && isNone()) {
            throw new IllegalArgumentException("unknown metric '" + metric + "': space '" + space.id()
                    + "' has no benchmark table (pass --benchmark FILE, or search with an evaluator that measures it)");
        }
        if (index < 0) {
            throw new IllegalArgumentException("unknown metric '" + metric + "' (the benchmark " + source + " has: "
                    + String.join(", ", metrics) + ")");
        }
        return index;
    }

    /** Every metric of {@code architecture}'s class, or empty when the table lacks it. */
    public Optional<Map<String, Double>> metricsOf(A architecture) {
        return entry(architecture).map(entry -> select(entry, -1));
    }

    /**
     * The metrics measured at {@code fidelity} epochs, plus those without a fidelity; fidelity 0
     * means the table's highest.
     *
     * @throws IllegalArgumentException when no metric has that fidelity
     */
    public Optional<Map<String, Double>> metricsAt(A architecture, int fidelity) {
        int epochs = resolveFidelity(fidelity);
        return entry(architecture).map(entry -> select(entry, epochs));
    }

    /** Names of the metrics {@link #metricsAt(Object, int)} returns at {@code fidelity}. */
    public List<String> metricNamesAt(int fidelity) {
        int epochs = resolveFidelity(fidelity);
        List<String> names = new ArrayList<>();
        for (int m = 0; m < metricEpochs.length; m++) {
            if (includes(m, epochs)) {
                names.add(metrics.get(m));
            }
        }
        return names;
    }

    private boolean includes(int metric, int epochs) {
        return epochs < 0 || metricEpochs[metric] < 0 || metricEpochs[metric] == epochs;
    }

    /**
     * Checks a fidelity: 0 resolves to the table's highest, or, in a table without fidelities
     * (every metric plain), to -1: all metrics.
     */
    public int resolveFidelity(int fidelity) {
        List<Integer> available = fidelities;
        if (fidelity == 0) {
            return available.isEmpty() ? -1 : available.get(available.size() - 1);
        }
        if (!available.contains(fidelity)) {
            throw new IllegalArgumentException("the benchmark " + source + " has no metrics at fidelity " + fidelity
                    + " (it has: " + available + ")");
        }
        return fidelity;
    }

    private Map<String, Double> select(Entry<A> entry, int epochs) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int m = 0; m < metricEpochs.length; m++) {
            if (includes(m, epochs)) {
                out.put(metrics.get(m), entry.values()[m]);
            }
        }
        return out;
    }
}
