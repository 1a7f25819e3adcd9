package io.archipelago.evaluators.latency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archipelago.models.space.LatencyBlocks;
import io.archipelago.models.space.NetworkShape;
import io.archipelago.models.space.SpaceNetworks;
import io.archipelago.models.space.SpaceNetworksRegistry;
import io.archipelago.models.space.TimedBlock;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A latency lookup table of any space whose networks are cut into blocks ({@link LatencyBlocks}):
 * each distinct block's latency measured in isolation, keyed by the block's key, and the overhead
 * model {@code table_sum * a + intercept} fitted on fully measured networks ({@link
 * SpaceLatencyTableBuilder}). NAS-Bench-201 keeps its own {@link LatencyTable}, whose per-op-count
 * terms only make sense for its cells.
 *
 * <p>File: JSON with {@code format} {@value #FORMAT} and {@code version} {@value #VERSION}, the
 * space, device, labels, network shape, batch and measurement settings, {@code entries} (block key
 * to {@code latency_ms}, {@code p10_ms}, {@code p90_ms}) and the model.
 */
public final class SpaceLatencyTable {
    public static final String FORMAT = "archipelago-space-latency-table";
    public static final int VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One block's latency in milliseconds: the median of its samples and their 10th/90th percentiles. */
    public record Entry(double latencyMs, double p10Ms, double p90Ms) {}

    /**
     * What was measured and how.
     *
     * @param warmup untimed rounds before the timed ones
     * @param repeats timed rounds of every block (each sample averaging about a millisecond of calls)
     */
    public record Measurement(
            String device, Map<String, String> labels, int batch, int warmup, int repeats, int threads) {
        public Measurement {
            LatencyEvaluators.checkDevice(device);
            labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        }
    }

    private final String space;
    private final NetworkShape network;
    private final Measurement measurement;
    private final String created;
    private final Map<String, Entry> entries;
    private final LatencyTable.Model model;

    /**
     * @throws IllegalArgumentException when the space has no block decomposition, a block of the
     *     space at this shape has no entry, or the model has other terms than table_sum and intercept
     */
    public SpaceLatencyTable(
            String space,
            NetworkShape network,
            Measurement measurement,
            String created,
            Map<String, Entry> entries,
            LatencyTable.Model model) {
        this.space = space;
        this.network = network;
        this.measurement = measurement;
        this.created = created;
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        for (TimedBlock block : blocks(space).everyBlock(network)) {
            if (!this.entries.containsKey(block.key())) {
                throw new IllegalArgumentException("no entry for block '" + block.key() + "' of space '" + space
                        + "' at C=" + network.channels() + ", N=" + network.cellsPerStage() + ", " + network.height()
                        + "x" + network.width());
            }
        }
        if (model != null
                && !model.coefficients()
                        .keySet()
                        .equals(java.util.Set.of(LatencyTable.TERM_SUM, LatencyTable.TERM_INTERCEPT))) {
            throw new IllegalArgumentException(
                    "the model's terms must be " + LatencyTable.TERM_SUM + " and " + LatencyTable.TERM_INTERCEPT
                            + ", got " + model.coefficients().keySet());
        }
        if (model != null && model.coefficients().values().stream().anyMatch(c -> c == null || !Double.isFinite(c))) {
            throw new IllegalArgumentException("the model has a coefficient that is not a finite number");
        }
        this.model = model;
    }

    /** The block decomposition of space {@code id}'s networks. */
    static LatencyBlocks<?> blocks(String id) {
        SpaceNetworks<?> networks = SpaceNetworksRegistry.require(id, "a space latency table");
        return networks.latencyBlocks()
                .orElseThrow(() -> new IllegalArgumentException("space '" + id + "' has no latency blocks"
                        + (id.equals("nb201") ? " (its tables are `latency build-table --space nb201`)" : "")));
    }

    public SpaceLatencyTable withModel(LatencyTable.Model fitted) {
        return new SpaceLatencyTable(space, network, measurement, created, entries, fitted);
    }

    public String space() {
        return space;
    }

    public NetworkShape network() {
        return network;
    }

    public Measurement measurement() {
        return measurement;
    }

    public String device() {
        return measurement.device();
    }

    public Map<String, String> labels() {
        return measurement.labels();
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    /** The fitted model; null when none was fitted (the prediction is then the table sum). */
    public LatencyTable.Model model() {
        return model;
    }

    /** The sum of the blocks' entries, in milliseconds. */
    public double tableSum(List<TimedBlock> blocks) {
        double sum = 0;
        for (TimedBlock block : blocks) {
            Entry e = entries.get(block.key());
            if (e == null) {
                throw new IllegalArgumentException("the latency table has no entry for block '" + block.key() + "'");
            }
            sum += e.latencyMs();
        }
        return sum;
    }

    /** The predicted latency of a network made of {@code blocks}, in milliseconds. */
    public double predict(List<TimedBlock> blocks) {
        double sum = tableSum(blocks);
        if (model == null) {
            return sum;
        }
        return model.coefficients().get(LatencyTable.TERM_SUM) * sum
                + model.coefficients().get(LatencyTable.TERM_INTERCEPT);
    }

    // ------------------------------------------------------------------ file

    /**
     * Writes the table atomically (a reader never sees half a file); refuses to replace an
     * existing file ({@link FileAlreadyExistsException}).
     */
    public void save(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("space", space);
        root.put("device", measurement.device());
        ObjectNode l = root.putObject("labels");
        measurement.labels().forEach(l::put);
        root.put("created", created);
        ObjectNode n = root.putObject("network");
        n.put("channels", network.channels());
        n.put("cells_per_stage", network.cellsPerStage());
        n.put("input_channels", network.inputChannels());
        n.put("height", network.height());
        n.put("width", network.width());
        n.put("classes", network.classes());
        root.put("batch", measurement.batch());
        root.put("warmup", measurement.warmup());
        root.put("repeats", measurement.repeats());
        root.put("threads", measurement.threads());
        ObjectNode es = root.putObject("entries");
        entries.forEach((key, e) -> {
            ObjectNode o = es.putObject(key);
            o.put("latency_ms", e.latencyMs());
            o.put("p10_ms", e.p10Ms());
            o.put("p90_ms", e.p90Ms());
        });
        if (model != null) {
            ObjectNode m = root.putObject("model");
            ObjectNode c = m.putObject("coefficients");
            model.coefficients().forEach(c::put);
            m.put("fit_networks", model.fitCells());
            m.put("fit_mape", model.fitMape());
            m.put("residual_p10", model.residualP10());
            m.put("residual_p90", model.residualP90());
        }
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(file.toString());
        }
        Path temporary = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(temporary, JSON.writeValueAsString(root));
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Whether {@code file} says it is a space latency table (else it may be a NAS-Bench-201 {@link LatencyTable}). */
    public static boolean isSpaceTable(Path file) {
        try {
            return FORMAT.equals(
                    JSON.readTree(Files.readString(file)).path("format").asText());
        } catch (IOException | RuntimeException e) {
            return false; // the loader of either format then says what is wrong
        }
    }

    /**
     * Reads a table written by {@link #save}.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static SpaceLatencyTable load(Path file) {
        return LatencyTable.parseFile(file, SpaceLatencyTable::parse);
    }

    private static SpaceLatencyTable parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        String format = LatencyTable.text(root, "format");
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("'format' is '" + format + "', expected '" + FORMAT + "'");
        }
        int version = LatencyTable.integer(root, "version", 1);
        if (version != VERSION) {
            throw new IllegalArgumentException(
                    "format version " + version + " is not supported (this build reads version " + VERSION + ")");
        }
        String space = LatencyTable.text(root, "space");
        Map<String, String> labels = new LinkedHashMap<>();
        JsonNode l = root.path("labels");
        for (Iterator<Map.Entry<String, JsonNode>> it = l.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            labels.put(f.getKey(), f.getValue().asText());
        }
        JsonNode n = LatencyTable.object(root, "network");
        NetworkShape network;
        try {
            network = new NetworkShape(
                    LatencyTable.integer(n, "channels", 1),
                    LatencyTable.integer(n, "cells_per_stage", 1),
                    LatencyTable.integer(n, "input_channels", 1),
                    LatencyTable.integer(n, "height", 1),
                    LatencyTable.integer(n, "width", 1),
                    LatencyTable.integer(n, "classes", 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'network': " + e.getMessage(), e);
        }
        Measurement measurement = new Measurement(
                LatencyTable.text(root, "device"),
                labels,
                LatencyTable.integer(root, "batch", 1),
                LatencyTable.integer(root, "warmup", 0),
                LatencyTable.integer(root, "repeats", 1),
                LatencyTable.integer(root, "threads", 0));
        JsonNode es = LatencyTable.object(root, "entries");
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = es.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            try {
                JsonNode e = f.getValue();
                double ms = LatencyTable.nonNegative(e, "latency_ms");
                entries.put(
                        f.getKey(),
                        new Entry(
                                ms,
                                e.has("p10_ms") ? LatencyTable.nonNegative(e, "p10_ms") : ms,
                                e.has("p90_ms") ? LatencyTable.nonNegative(e, "p90_ms") : ms));
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException("entry '" + f.getKey() + "': " + x.getMessage(), x);
            }
        }
        LatencyTable.Model model = null;
        JsonNode m = root.get("model");
        if (m != null && !m.isNull()) {
            JsonNode c = LatencyTable.object(m, "coefficients");
            Map<String, Double> coefficients = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!f.getValue().isNumber()) {
                    throw new IllegalArgumentException("model coefficient '" + f.getKey() + "' must be a number");
                }
                coefficients.put(f.getKey(), f.getValue().asDouble());
            }
            model = new LatencyTable.Model(
                    coefficients,
                    m.path("fit_networks").asInt(0),
                    m.path("fit_mape").asDouble(Double.NaN),
                    m.path("residual_p10").asDouble(0),
                    m.path("residual_p90").asDouble(0));
        }
        String created = root.path("created").asText("");
        return new SpaceLatencyTable(space, network, measurement, created, entries, model);
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "%s latency table of %s (%d entries, C=%d N=%d %dx%d, batch %d)",
                space,
                measurement.device(),
                entries.size(),
                network.channels(),
                network.cellsPerStage(),
                network.height(),
                network.width(),
                measurement.batch());
    }
}
