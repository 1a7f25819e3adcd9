package io.archipelago.evaluators.latency;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.evaluators.runner.RunnerProcess;
import io.archipelago.models.space.NetworkShape;
import io.archipelago.models.space.SpaceNetworks;
import io.archipelago.models.space.SpaceNetworksRegistry;
import io.archipelago.proto.Architecture;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The device-runner protocol, version 1 (see runners/README.md). Archipelago starts the runner once
 * per candidate, writes one JSON object on its stdin and closes it (any space whose networks a
 * {@link SpaceNetworks} plugin builds; {@code network} sizes NAS-Bench-201 cells, other spaces
 * are sent at their standard size):
 * <pre>
 * {"protocol":1,"space":"nb201","encoding":"|...|","input_shape":[1,3,32,32],"batch":1,"device":"NAME",
 *  "network":{"channels":16,"cells_per_stage":5,"classes":10},"warmup":5,"repeats":20}
 * </pre>
 * ({@code warmup} and {@code repeats} are hints a runner may ignore). The runner measures and
 * exits 0; the last non-empty line of its stdout is a JSON object with a numeric
 * {@code latency_ms} (positive, finite), optionally numeric {@code latency_p10_ms},
 * {@code latency_p90_ms}, {@code latency_min_ms}, {@code repeats}, {@code threads}, and string
 * {@code labels} (e.g. {@code cpu}, {@code gpu}, {@code backend}). Anything before that line,
 * and stderr, is free text.
 */
public final class RunnerProtocol {
    public static final int VERSION = 1;
    static final ObjectMapper JSON = new ObjectMapper();

    private RunnerProtocol() {}

    /**
     * A request: the architecture (its space and encoding, checked to parse), the network it is
     * built into, the batch and the device it is for.
     */
    public record Request(
            Architecture architecture,
            NetworkShape network,
            int batch,
            String device,
            Integer warmup,
            Integer repeats) {}

    public static ObjectNode request(Nb201Cell cell, String device, LatencySettings settings) {
        return request(Nb201Space.INSTANCE.toProto(cell), settings.network(), device, settings);
    }

    /**
     * A request for any space's architecture, built at {@code network} (a NAS-Bench-201 cell at the
     * settings' size, another space's network at its standard size) with the settings' batch.
     */
    public static ObjectNode request(
            Architecture architecture, NetworkShape n, String device, LatencySettings settings) {
        ObjectNode r = JSON.createObjectNode();
        r.put("protocol", VERSION);
        r.put("space", architecture.getSpace());
        r.put("encoding", architecture.getEncoding());
        r.putArray("input_shape")
                .add(settings.batch())
                .add(n.inputChannels())
                .add(n.height())
                .add(n.width());
        r.put("batch", settings.batch());
        r.put("device", device);
        ObjectNode network = r.putObject("network");
        network.put("channels", n.channels());
        network.put("cells_per_stage", n.cellsPerStage());
        network.put("classes", n.classes());
        r.put("warmup", settings.warmup());
        r.put("repeats", settings.repeats());
        return r;
    }

    /**
     * Reads a request (what {@code archipelago latency measure --stdin} does).
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static Request parseRequest(String text) {
        JsonNode r;
        try {
            r = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the latency request is not valid JSON: " + e.getOriginalMessage());
        }
        if (r == null || !r.isObject()) {
            throw new IllegalArgumentException(
                    "the latency request must be a JSON object, got " + (r == null ? "nothing" : r.getNodeType()));
        }
        int protocol = r.path("protocol").asInt(-1);
        if (!isInt(r.path("protocol")) || protocol != VERSION) {
            throw new IllegalArgumentException("the latency request has protocol " + r.get("protocol")
                    + "; this build speaks protocol " + VERSION);
        }
        String space = r.path("space").asText("");
        SpaceNetworks<?> networks = SpaceNetworksRegistry.require(space, "the latency request's runner");
        if (!r.path("encoding").isTextual()) {
            throw new IllegalArgumentException("the latency request has no 'encoding' string");
        }
        Architecture architecture =
                canonical(networks.space(), r.get("encoding").asText());
        JsonNode shape = r.get("input_shape");
        if (shape == null || !shape.isArray() || shape.size() != 4) {
            throw new IllegalArgumentException(
                    "the latency request's 'input_shape' must be [batch, channels, height, width], got " + shape);
        }
        int[] s = new int[4];
        for (int i = 0; i < 4; i++) {
            if (!isInt(shape.get(i)) || shape.get(i).asInt() < 1) {
                throw new IllegalArgumentException(
                        "the latency request's 'input_shape' must hold positive integers, got " + shape);
            }
            s[i] = shape.get(i).asInt();
        }
        int batch = r.has("batch") ? positiveInt(r, "batch") : s[0];
        if (batch != s[0]) {
            throw new IllegalArgumentException(
                    "the latency request's batch " + batch + " differs from its input_shape " + shape);
        }
        JsonNode n = r.get("network");
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("the latency request has no 'network' object");
        }
        NetworkShape network = new NetworkShape(
                positiveInt(n, "channels"),
                positiveInt(n, "cells_per_stage"),
                s[1],
                s[2],
                s[3],
                positiveInt(n, "classes"));
        String device = r.path("device").asText("local");
        Integer warmup = r.has("warmup") ? nonNegativeInt(r, "warmup") : null;
        Integer repeats = r.has("repeats") ? positiveInt(r, "repeats") : null;
        return new Request(architecture, network, batch, device, warmup, repeats);
    }

    /** The architecture as its space writes it: parsing names what is wrong with a bad encoding. */
    private static <A> Architecture canonical(SearchSpace<A> space, String encoding) {
        return space.toProto(space.parse(encoding));
    }

    /** An integer that fits an int: a bigger one must not wrap around (4294967297 read as 1). */
    private static boolean isInt(JsonNode v) {
        return v.isIntegralNumber() && v.canConvertToInt();
    }

    private static int positiveInt(JsonNode parent, String field) {
        JsonNode v = parent.get(field);
        if (v == null || !isInt(v) || v.asInt() < 1) {
            throw new IllegalArgumentException(
                    "the latency request's '" + field + "' must be a positive integer, got " + v);
        }
        return v.asInt();
    }

    private static int nonNegativeInt(JsonNode parent, String field) {
        JsonNode v = parent.get(field);
        if (v == null || !isInt(v) || v.asInt() < 0) {
            throw new IllegalArgumentException(
                    "the latency request's '" + field + "' must be an integer >= 0, got " + v);
        }
        return v.asInt();
    }

    /** The one-line result of a measurement. */
    public static String result(LatencyEvaluators.Stats stats, int threads, Map<String, String> labels) {
        ObjectNode o = JSON.createObjectNode();
        o.put("latency_ms", stats.medianMs());
        o.put("latency_p10_ms", stats.p10Ms());
        o.put("latency_p90_ms", stats.p90Ms());
        o.put("latency_min_ms", stats.minMs());
        o.put("repeats", stats.repeats());
        o.put("threads", threads);
        ObjectNode l = o.putObject("labels");
        labels.forEach(l::put);
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A runner's result: metrics (latency_ms first) and labels. */
    record Result(Map<String, Double> metrics, Map<String, String> labels) {}

    /**
     * Reads a runner's result line.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    static Result parseResult(String line) {
        JsonNode o;
        try {
            o = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("its last stdout line is not JSON: " + abbreviate(line, 200));
        }
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("its last stdout line is not a JSON object: " + abbreviate(line, 200));
        }
        JsonNode latency = o.get("latency_ms");
        if (latency == null || !latency.isNumber()) {
            throw new IllegalArgumentException("its result has no numeric latency_ms: " + abbreviate(line, 200));
        }
        double ms = latency.asDouble();
        if (!(ms > 0) || !Double.isFinite(ms)) {
            throw new IllegalArgumentException("its latency_ms must be a positive finite number, got " + latency);
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(LatencyEvaluators.LATENCY_MS, ms);
        optional(o, "latency_p10_ms", LatencyEvaluators.LATENCY_P10_MS, metrics);
        optional(o, "latency_p90_ms", LatencyEvaluators.LATENCY_P90_MS, metrics);
        optional(o, "latency_min_ms", LatencyEvaluators.LATENCY_MIN_MS, metrics);
        optional(o, "repeats", LatencyEvaluators.LATENCY_REPEATS, metrics);
        optional(o, "threads", LatencyEvaluators.LATENCY_THREADS, metrics);
        Map<String, String> labels = new LinkedHashMap<>();
        JsonNode l = o.get("labels");
        if (l != null && !l.isNull()) {
            if (!l.isObject()) {
                throw new IllegalArgumentException(
                        "its 'labels' must be an object of strings, got " + abbreviate(l.toString(), 200));
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = l.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!f.getValue().isValueNode() || f.getValue().isNull()) {
                    throw new IllegalArgumentException("its label '" + f.getKey() + "' must be a string, got "
                            + abbreviate(f.getValue().toString(), 100));
                }
                labels.put(f.getKey(), f.getValue().asText());
            }
        }
        if (metrics.containsKey(LatencyEvaluators.LATENCY_THREADS)
                && !labels.containsKey(LatencyEvaluators.LABEL_THREADS)) {
            labels.put(
                    LatencyEvaluators.LABEL_THREADS,
                    Long.toString(Math.round(metrics.get(LatencyEvaluators.LATENCY_THREADS))));
        }
        return new Result(metrics, labels);
    }

    private static void optional(JsonNode o, String field, String metric, Map<String, Double> metrics) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return;
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw new IllegalArgumentException(
                    "its '" + field + "' must be a finite number, got " + abbreviate(v.toString(), 100));
        }
        metrics.put(metric, v.asDouble());
    }

    static String abbreviate(String s, int max) {
        return RunnerProcess.abbreviate(s, max);
    }
}
