package io.archipelago.evaluators.runner;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archipelago.proto.Architecture;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The runner protocol, version 2 (see runners/README.md): any metrics from the user's own program.
 * The request is one JSON line on stdin:
 * <pre>
 * {"protocol":2,"space":"nb201","encoding":"|...|","fidelity":N}
 * </pre>
 * A stdout line is a protocol line when, trimmed, it starts with {@code {}; any other line is free
 * text. An intermediate line has a step ({@code "epoch"} is accepted for it):
 * {@code {"step":3,"metrics":{"valid_accuracy":61.2},"elapsed_seconds":40.5}}; the final line, the
 * last protocol line, has none: {@code {"metrics":{...},"labels":{"k":"v"}}}. Metrics are a
 * non-empty object of finite numbers.
 */
final class CommandRunnerProtocol {
    static final int VERSION = 2;

    /**
     * Refuses what a sloppy runner could print and be misread: trailing garbage after the object
     * and a metric given twice. NaN and Infinity (which Python's json module writes) are read, so
     * that the refusal can name the metric instead of only saying "not JSON".
     */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private static final int QUOTED = 200;

    private CommandRunnerProtocol() {}

    /** What one protocol line said: an intermediate point ({@code step > 0}) or the final result. */
    record Report(int step, Map<String, Double> metrics, Double elapsedSeconds, Map<String, String> labels) {
        boolean isFinal() {
            return step == 0;
        }
    }

    static String request(Architecture architecture, int fidelity) {
        ObjectNode r = JSON.createObjectNode();
        r.put("protocol", VERSION);
        r.put("space", architecture.getSpace());
        r.put("encoding", architecture.getEncoding());
        r.put("fidelity", fidelity);
        return r.toString() + "\n";
    }

    /** Whether a stdout line is meant for the protocol (else it is free text: logs, progress). */
    static boolean isProtocolLine(String line) {
        return line.strip().startsWith("{");
    }

    /**
     * Reads one protocol line.
     *
     * @throws IllegalArgumentException saying what is wrong with it (without the line number)
     */
    static Report parse(String line) {
        try {
            return read(line);
        } catch (IllegalArgumentException e) {
            // the reason quotes the line, keys and Jackson's words: control characters would break it
            throw new IllegalArgumentException(oneLine(e.getMessage()), e);
        }
    }

    private static String oneLine(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return b.toString();
    }

    private static Report read(String line) {
        JsonNode o;
        try {
            o = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "is not valid JSON (" + e.getOriginalMessage() + "): " + RunnerProcess.abbreviate(line, QUOTED));
        }
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("is not a JSON object: " + RunnerProcess.abbreviate(line, QUOTED));
        }
        if (o.has("step") && o.has("epoch")) {
            throw new IllegalArgumentException("has both 'step' and 'epoch' (they are the same; give one)");
        }
        String stepField = o.has("step") ? "step" : o.has("epoch") ? "epoch" : null;
        int step = 0;
        if (stepField != null) {
            JsonNode s = o.get(stepField);
            if (!s.isIntegralNumber() || !s.canConvertToInt() || s.asInt() < 1) {
                throw new IllegalArgumentException(
                        "has '" + stepField + "' " + abbreviated(s) + "; it must be a positive integer");
            }
            step = s.asInt();
        }
        Map<String, Double> metrics = metrics(o.get("metrics"), step == 0 ? "final line" : "line");
        Double elapsed = null;
        JsonNode e = o.get("elapsed_seconds");
        if (e != null && !e.isNull()) {
            if (!e.isNumber() || !Double.isFinite(e.asDouble()) || e.asDouble() < 0) {
                throw new IllegalArgumentException(
                        "has 'elapsed_seconds' " + abbreviated(e) + "; it must be a finite number >= 0");
            }
            elapsed = e.asDouble();
        }
        return new Report(step, metrics, elapsed, step == 0 ? labels(o.get("labels")) : Map.of());
    }

    private static Map<String, Double> metrics(JsonNode m, String what) {
        if (m == null || m.isNull()) {
            throw new IllegalArgumentException(
                    "is a " + what + " without 'metrics' (expected \"metrics\": {\"NAME\": number, ...})");
        }
        if (!m.isObject() || m.isEmpty()) {
            throw new IllegalArgumentException(
                    "has 'metrics' " + abbreviated(m) + "; it must be a non-empty object of numbers");
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode v = f.getValue();
            if (f.getKey().isBlank()) {
                throw new IllegalArgumentException("has a metric with an empty name");
            }
            if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
                throw new IllegalArgumentException("has metric '" + RunnerProcess.abbreviate(f.getKey(), 100) + "' = "
                        + abbreviated(v) + "; metrics must be finite numbers");
            }
            metrics.put(f.getKey(), v.asDouble());
        }
        return metrics;
    }

    /** Label values are text; a number or a boolean is taken as written. */
    private static Map<String, String> labels(JsonNode l) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (l == null || l.isNull()) {
            return labels;
        }
        if (!l.isObject()) {
            throw new IllegalArgumentException("has 'labels' " + abbreviated(l) + "; it must be an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = l.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getValue().isValueNode() || f.getValue().isNull()) {
                throw new IllegalArgumentException("has label '" + RunnerProcess.abbreviate(f.getKey(), 100) + "' = "
                        + abbreviated(f.getValue()) + "; labels must be strings");
            }
            labels.put(f.getKey(), f.getValue().asText());
        }
        return labels;
    }

    /** As the runner wrote it: a NaN number is NaN, not Jackson's "NaN" string. */
    private static String abbreviated(JsonNode v) {
        return RunnerProcess.abbreviate(v.isNumber() ? v.asText() : v.toString(), 100);
    }
}
