package io.archipelago.evaluators.latency;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Op;
import io.archipelago.models.space.NetworkShape;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An nn-Meter-style latency lookup table of one device: the latency of each NAS-Bench-201 block
 * measured in isolation, keyed by op x channels x resolution x stride, and a linear overhead model
 * fitted against fully measured cells when the table was built.
 *
 * <p>Blocks: the cell ops {@code skip_connect}, {@code nor_conv_1x1}, {@code nor_conv_3x3},
 * {@code avg_pool_3x3} at each stage's channels and resolution (C at HxW, 2C at H/2, 4C at H/4,
 * stride 1; each op timed with the addition of its result into the target node, as the cell does;
 * {@code none} costs nothing); and the fixed parts: {@code stem} (3x3 conv + BN to C channels),
 * the two {@code reduction} blocks (stride 2, keyed by their input) and the {@code head} (BN,
 * ReLU, global pooling, classifier). A cell's table sum is the fixed parts plus N times its six
 * edges' entries at each stage; the prediction is the fitted model
 * {@code sum_t coefficient_t * term_t} over the terms {@code table_sum}, {@code intercept} and
 * optionally {@code count:OP} (the number of the cell's edges carrying OP), see
 * {@link LatencyTableBuilder}.
 *
 * <p>File: JSON with {@code format} {@value #FORMAT} and {@code version} {@value #VERSION}, the
 * device and what it is ({@code labels}), the network, batch and measurement settings, the
 * entries and the model.
 */
public final class LatencyTable {
    public static final String FORMAT = "archipelago-latency-table";
    public static final int VERSION = 1;

    public static final String STEM = "stem";
    public static final String REDUCTION = "reduction";
    public static final String HEAD = "head";
    /** The cell ops that have entries; {@code none} costs nothing. */
    public static final List<Nb201Op> CELL_OPS =
            List.of(Nb201Op.SKIP_CONNECT, Nb201Op.NOR_CONV_1X1, Nb201Op.NOR_CONV_3X3, Nb201Op.AVG_POOL_3X3);

    public static final String TERM_SUM = "table_sum";
    public static final String TERM_INTERCEPT = "intercept";
    public static final String TERM_COUNT = "count:";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One block's latency, in milliseconds: the median of its samples and their 10th/90th percentiles. */
    public record Entry(
            String op, int channels, int resolution, int stride, double latencyMs, double p10Ms, double p90Ms) {
        public Key key() {
            return new Key(op, channels, resolution, stride);
        }
    }

    /** What an entry is of: op (a cell op's token, or stem, reduction, head) x channels x resolution x stride. */
    public record Key(String op, int channels, int resolution, int stride) {
        @Override
        public String toString() {
            return op + " at " + channels + " channels, " + resolution + "x" + resolution + ", stride " + stride;
        }
    }

    /**
     * The fitted overhead model and how well it fitted.
     *
     * @param coefficients term to coefficient ({@code table_sum}, {@code intercept}, {@code count:OP})
     * @param fitCells how many fully measured cells it was fitted on
     * @param fitMape mean absolute percentage error on those cells (leave-one-out)
     * @param residualP10 10th percentile of the relative residuals (measured / predicted - 1)
     * @param residualP90 90th percentile of the relative residuals
     */
    public record Model(
            Map<String, Double> coefficients, int fitCells, double fitMape, double residualP10, double residualP90) {
        public Model {
            coefficients = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(coefficients));
        }
    }

    private final String device;
    private final Map<String, String> labels;
    private final NetworkShape network;
    private final int batch;
    private final int warmup;
    private final int repeats;
    private final int threads;
    private final String created;
    private final Map<Key, Entry> entries;
    private final Model model;

    public LatencyTable(
            String device,
            Map<String, String> labels,
            NetworkShape network,
            int batch,
            int warmup,
            int repeats,
            int threads,
            String created,
            List<Entry> entries,
            Model model) {
        this.device = LatencyEvaluators.checkDevice(device);
        this.labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        this.network = network;
        this.batch = batch;
        this.warmup = warmup;
        this.repeats = repeats;
        this.threads = threads;
        this.created = created;
        Map<Key, Entry> byKey = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (byKey.put(e.key(), e) != null) {
                throw new IllegalArgumentException("two entries for " + e.key());
            }
        }
        this.entries = java.util.Collections.unmodifiableMap(byKey);
        for (Key key : requiredKeys(network)) {
            if (!byKey.containsKey(key)) {
                throw new IllegalArgumentException("no entry for " + key + " (the network is C=" + network.channels()
                        + ", " + network.height() + "x" + network.width() + ")");
            }
        }
        this.model = model;
        if (model != null) {
            checkModel(model.coefficients());
        }
    }

    /** The same table with a model fitted. */
    public LatencyTable withModel(Model model) {
        return new LatencyTable(
                device,
                labels,
                network,
                batch,
                warmup,
                repeats,
                threads,
                created,
                new ArrayList<>(entries.values()),
                model);
    }

    public String device() {
        return device;
    }

    /** What the entries were measured on: cpu or gpu, backend, threads. */
    public Map<String, String> labels() {
        return labels;
    }

    public NetworkShape network() {
        return network;
    }

    public int batch() {
        return batch;
    }

    public int warmup() {
        return warmup;
    }

    public int repeats() {
        return repeats;
    }

    public int threads() {
        return threads;
    }

    public String created() {
        return created;
    }

    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    public Model model() {
        return model;
    }

    public Entry entry(Key key) {
        Entry e = entries.get(key);
        if (e == null) {
            throw new IllegalArgumentException("the latency table has no entry for " + key);
        }
        return e;
    }

    /** Channels of stage s (0, 1, 2). */
    static int stageChannels(NetworkShape network, int stage) {
        return network.channels() << stage;
    }

    /** Resolution of stage s: each reduction halves it, rounding up (a padded stride-2 3x3 conv). */
    static int stageResolution(NetworkShape network, int stage) {
        int r = network.height();
        for (int s = 0; s < stage; s++) {
            r = (r + 1) / 2;
        }
        return r;
    }

    /** The entries a cell's prediction needs, fixed parts first. */
    public static List<Key> requiredKeys(NetworkShape network) {
        if (network.height() != network.width()) {
            throw new IllegalArgumentException(
                    "latency tables need square inputs, got " + network.height() + "x" + network.width());
        }
        List<Key> keys = new ArrayList<>(fixedKeys(network));
        for (int stage = 0; stage < 3; stage++) {
            for (Nb201Op op : CELL_OPS) {
                keys.add(opKey(network, op, stage));
            }
        }
        return keys;
    }

    static List<Key> fixedKeys(NetworkShape network) {
        return List.of(
                new Key(STEM, network.channels(), network.height(), 1),
                new Key(REDUCTION, stageChannels(network, 0), stageResolution(network, 0), 2),
                new Key(REDUCTION, stageChannels(network, 1), stageResolution(network, 1), 2),
                new Key(HEAD, stageChannels(network, 2), stageResolution(network, 2), 1));
    }

    static Key opKey(NetworkShape network, Nb201Op op, int stage) {
        return new Key(op.token(), stageChannels(network, stage), stageResolution(network, stage), 1);
    }

    /** The fixed parts plus N times the cell's edges' entries at each stage, in milliseconds. */
    public double tableSum(Nb201Cell cell) {
        double sum = 0;
        for (Key key : fixedKeys(network)) {
            sum += entry(key).latencyMs();
        }
        for (int stage = 0; stage < 3; stage++) {
            double cellSum = 0;
            for (int e = 0; e < Nb201Cell.EDGES; e++) {
                Nb201Op op = cell.op(e);
                if (op != Nb201Op.NONE) {
                    cellSum += entry(opKey(network, op, stage)).latencyMs();
                }
            }
            sum += network.cellsPerStage() * cellSum;
        }
        return sum;
    }

    /** The model's terms of a cell: table_sum, intercept (1) and count:OP for every cell op. */
    public Map<String, Double> features(Nb201Cell cell) {
        Map<String, Double> f = new LinkedHashMap<>();
        f.put(TERM_SUM, tableSum(cell));
        f.put(TERM_INTERCEPT, 1.0);
        for (Nb201Op op : CELL_OPS) {
            int n = 0;
            for (int e = 0; e < Nb201Cell.EDGES; e++) {
                n += cell.op(e) == op ? 1 : 0;
            }
            f.put(TERM_COUNT + op.token(), (double) n);
        }
        return f;
    }

    /** The predicted latency of a cell's network, in milliseconds (the table sum when no model is fitted). */
    public double predict(Nb201Cell cell) {
        if (model == null) {
            return tableSum(cell);
        }
        Map<String, Double> f = features(cell);
        double y = 0;
        for (Map.Entry<String, Double> c : model.coefficients().entrySet()) {
            y += c.getValue() * f.get(c.getKey());
        }
        return y;
    }

    private static void checkModel(Map<String, Double> coefficients) {
        if (!coefficients.containsKey(TERM_SUM) || !coefficients.containsKey(TERM_INTERCEPT)) {
            throw new IllegalArgumentException("the model needs the terms " + TERM_SUM + " and " + TERM_INTERCEPT
                    + ", got " + coefficients.keySet());
        }
        List<String> known = new ArrayList<>(List.of(TERM_SUM, TERM_INTERCEPT));
        CELL_OPS.forEach(op -> known.add(TERM_COUNT + op.token()));
        for (Map.Entry<String, Double> c : coefficients.entrySet()) {
            if (!known.contains(c.getKey())) {
                throw new IllegalArgumentException(
                        "unknown model term '" + c.getKey() + "' (known: " + String.join(", ", known) + ")");
            }
            if (c.getValue() == null || !Double.isFinite(c.getValue())) {
                throw new IllegalArgumentException("model term '" + c.getKey() + "' has no finite coefficient");
            }
        }
    }

    // ------------------------------------------------------------------ file

    /** Writes the table; refuses to replace an existing file ({@link java.nio.file.FileAlreadyExistsException}). */
    public void save(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("device", device);
        ObjectNode l = root.putObject("labels");
        labels.forEach(l::put);
        root.put("created", created);
        ObjectNode n = root.putObject("network");
        n.put("channels", network.channels());
        n.put("cells_per_stage", network.cellsPerStage());
        n.put("input_channels", network.inputChannels());
        n.put("height", network.height());
        n.put("width", network.width());
        n.put("classes", network.classes());
        root.put("batch", batch);
        root.put("warmup", warmup);
        root.put("repeats", repeats);
        root.put("threads", threads);
        ArrayNode es = root.putArray("entries");
        for (Entry e : entries.values()) {
            ObjectNode o = es.addObject();
            o.put("op", e.op());
            o.put("channels", e.channels());
            o.put("resolution", e.resolution());
            o.put("stride", e.stride());
            o.put("latency_ms", e.latencyMs());
            o.put("p10_ms", e.p10Ms());
            o.put("p90_ms", e.p90Ms());
        }
        if (model != null) {
            ObjectNode m = root.putObject("model");
            ObjectNode c = m.putObject("coefficients");
            model.coefficients().forEach(c::put);
            m.put("fit_cells", model.fitCells());
            m.put("fit_mape", model.fitMape());
            m.put("residual_p10", model.residualP10());
            m.put("residual_p90", model.residualP90());
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            JSON.writeValue(out, root);
        }
    }

    /**
     * Reads a table written by {@link #save}.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static LatencyTable load(Path file) {
        return parseFile(file, LatencyTable::parse);
    }

    /**
     * Reads a table file of either format as JSON and parses it, every error naming the file: one
     * way for both, so both say the same of a missing, unreadable or malformed file.
     */
    static <T> T parseFile(Path file, java.util.function.Function<JsonNode, T> parse) {
        String where = "latency table " + file;
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(where + " does not exist");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + " is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null
                            ? ""
                            : " (line " + e.getLocation().getLineNr() + ")"));
        } catch (IOException e) {
            throw new IllegalArgumentException(where + " cannot be read: " + e.getMessage());
        }
        try {
            return parse.apply(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static LatencyTable parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        String format = text(root, "format");
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("'format' is '" + format + "', expected '" + FORMAT + "'");
        }
        int version = integer(root, "version", 1);
        if (version != VERSION) {
            throw new IllegalArgumentException(
                    "format version " + version + " is not supported (this build reads version " + VERSION + ")");
        }
        String device = text(root, "device");
        Map<String, String> labels = new LinkedHashMap<>();
        JsonNode l = root.get("labels");
        if (l != null) {
            if (!l.isObject()) {
                throw new IllegalArgumentException("'labels' must be an object of strings");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = l.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!f.getValue().isTextual()) {
                    throw new IllegalArgumentException("label '" + f.getKey() + "' must be a string");
                }
                labels.put(f.getKey(), f.getValue().asText());
            }
        }
        JsonNode n = object(root, "network");
        NetworkShape network;
        try {
            network = new NetworkShape(
                    integer(n, "channels", 1),
                    integer(n, "cells_per_stage", 1),
                    integer(n, "input_channels", 1),
                    integer(n, "height", 1),
                    integer(n, "width", 1),
                    integer(n, "classes", 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'network': " + e.getMessage(), e);
        }
        int batch = integer(root, "batch", 1);
        int warmup = integer(root, "warmup", 0);
        int repeats = integer(root, "repeats", 1);
        int threads = integer(root, "threads", 0);
        String created = root.hasNonNull("created") ? root.get("created").asText() : "";
        JsonNode es = root.get("entries");
        if (es == null || !es.isArray() || es.isEmpty()) {
            throw new IllegalArgumentException("'entries' must be a non-empty array");
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < es.size(); i++) {
            JsonNode e = es.get(i);
            String at = "entries[" + i + "]";
            if (!e.isObject()) {
                throw new IllegalArgumentException(at + " must be an object");
            }
            try {
                double ms = nonNegative(e, "latency_ms");
                entries.add(new Entry(
                        text(e, "op"),
                        integer(e, "channels", 1),
                        integer(e, "resolution", 1),
                        integer(e, "stride", 1),
                        ms,
                        e.has("p10_ms") ? nonNegative(e, "p10_ms") : ms,
                        e.has("p90_ms") ? nonNegative(e, "p90_ms") : ms));
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException(at + ": " + x.getMessage(), x);
            }
        }
        Model model = null;
        JsonNode m = root.get("model");
        if (m != null && !m.isNull()) {
            if (!m.isObject()) {
                throw new IllegalArgumentException("'model' must be an object");
            }
            JsonNode c = object(m, "coefficients");
            Map<String, Double> coefficients = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!f.getValue().isNumber()) {
                    throw new IllegalArgumentException("model coefficient '" + f.getKey() + "' must be a number");
                }
                coefficients.put(f.getKey(), f.getValue().asDouble());
            }
            model = new Model(
                    coefficients,
                    m.path("fit_cells").asInt(0),
                    m.path("fit_mape").asDouble(Double.NaN),
                    m.path("residual_p10").asDouble(0),
                    m.path("residual_p90").asDouble(0));
        }
        try {
            return new LatencyTable(device, labels, network, batch, warmup, repeats, threads, created, entries, model);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    static JsonNode object(JsonNode parent, String field) {
        JsonNode v = parent.get(field);
        if (v == null || !v.isObject()) {
            throw new IllegalArgumentException("'" + field + "' must be an object" + (v == null ? " (missing)" : ""));
        }
        return v;
    }

    static String text(JsonNode parent, String field) {
        JsonNode v = parent.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new IllegalArgumentException(
                    "'" + field + "' must be a non-empty string" + (v == null ? " (missing)" : ", got " + v));
        }
        return v.asText();
    }

    static int integer(JsonNode parent, String field, int min) {
        JsonNode v = parent.get(field);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min) {
            throw new IllegalArgumentException(
                    "'" + field + "' must be an integer >= " + min + (v == null ? " (missing)" : ", got " + v));
        }
        return v.asInt();
    }

    static double nonNegative(JsonNode parent, String field) {
        JsonNode v = parent.get(field);
        if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble()) || v.asDouble() < 0) {
            throw new IllegalArgumentException(
                    "'" + field + "' must be a finite number >= 0" + (v == null ? " (missing)" : ", got " + v));
        }
        return v.asDouble();
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "latency table of %s (%d entries, C=%d N=%d %dx%d, batch %d)",
                device,
                entries.size(),
                network.channels(),
                network.cellsPerStage(),
                network.height(),
                network.width(),
                batch);
    }
}
