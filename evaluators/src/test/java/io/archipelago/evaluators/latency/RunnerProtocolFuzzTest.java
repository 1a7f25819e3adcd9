package io.archipelago.evaluators.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.archipelago.core.fuzz.Fuzz;
import io.archipelago.core.space.SearchSpaces;
import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target: the device-runner protocol's JSON, both ways. A runner's result line (what a
 * rogue or broken runner may print) and a request (what {@code latency measure --stdin} reads)
 * either parse to what the JSON says, every number as written, or are refused with an
 * {@link IllegalArgumentException} that says why; never another exception. Runs {@value #TRIES}
 * tries per target from a fixed seed; {@code -Darchipelago.fuzz.seconds=N} runs each for N
 * seconds from a random one (see {@link Fuzz}).
 */
class RunnerProtocolFuzzTest {
    static final int TRIES = 300;
    static final String RESULT = "{\"latency_ms\":1.25,\"latency_p10_ms\":1.1,\"latency_p90_ms\":1.5,"
            + "\"latency_min_ms\":1.0,\"repeats\":20,\"threads\":4,\"labels\":{\"cpu\":\"x86\",\"backend\":\"nd4j\"}}";
    static final String REQUEST = "{\"protocol\":1,\"space\":\"nb201\",\"encoding\":"
            + "\"|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|\","
            + "\"input_shape\":[1,3,32,32],\"batch\":1,\"device\":\"pi\","
            + "\"network\":{\"channels\":16,\"cells_per_stage\":5,\"classes\":10},\"warmup\":5,\"repeats\":20}";
    private static final String ALPHABET = "{}[]\":,\\ 0123456789-+.eE_abcdelnrstu\u0000é";
    private static final String[] WORDS = {
        "null", "true", "\"\"", "1e999", "-1", "0", "4294967297", "2147483648", "1.5", "NaN", "[", "{", "\"x\""
    };

    /** Lines found by fuzzing or written by hand, kept so that they stay answered well. */
    static final List<String> RESULT_REGRESSIONS = List.of(
            "",
            "garbage",
            "[]",
            "{}",
            "{\"latency_ms\":0}",
            "{\"latency_ms\":1e999}",
            "{\"latency_ms\":\"1\"}",
            "{\"latency_ms\":1,\"labels\":[]}",
            "{\"latency_ms\":1,\"labels\":{\"a\":null}}",
            "{\"latency_ms\":1,\"repeats\":1e999}");

    static final List<String> REQUEST_REGRESSIONS = List.of(
            "",
            "garbage",
            "{\"protocol\":1}",
            REQUEST.replace("\"protocol\":1", "\"protocol\":4294967297"),
            REQUEST.replace("\"batch\":1,", "\"batch\":4294967297,").replace("[1,3,32,32]", "[4294967297,3,32,32]"),
            REQUEST.replace("\"channels\":16", "\"channels\":4294967312"),
            REQUEST.replace("\"warmup\":5", "\"warmup\":4294967301"));

    @Test
    void regressions() {
        RESULT_REGRESSIONS.forEach(RunnerProtocolFuzzTest::resultParsesOrRefuses);
        REQUEST_REGRESSIONS.forEach(RunnerProtocolFuzzTest::requestParsesOrRefuses);
        resultParsesOrRefuses(RESULT);
        requestParsesOrRefuses(REQUEST);
        assertEquals(1.25, RunnerProtocol.parseResult(RESULT).metrics().get(LatencyEvaluators.LATENCY_MS));
    }

    @Test
    void anyResultLine() {
        Fuzz.check(
                "runner result lines",
                301,
                TRIES,
                RunnerProtocolFuzzTest::anyLines,
                RunnerProtocolFuzzTest::resultParsesOrRefuses);
    }

    @Test
    void mutatedResultLine() {
        Fuzz.check(
                "mutated runner results",
                302,
                TRIES,
                random -> mutated(RESULT, random.nextLong(), 1 + random.nextInt(5)),
                RunnerProtocolFuzzTest::resultParsesOrRefuses);
    }

    @Test
    void mutatedRequest() {
        Fuzz.check(
                "mutated runner requests",
                303,
                TRIES,
                random -> mutated(REQUEST, random.nextLong(), 1 + random.nextInt(5)),
                RunnerProtocolFuzzTest::requestParsesOrRefuses);
    }

    /** Any string, or one over JSON's characters, up to 100 long. */
    static String anyLines(SplittableRandom random) {
        return random.nextBoolean() ? Fuzz.anyString(random, 100) : Fuzz.string(random, ALPHABET, 100);
    }

    static String mutated(String valid, long seed, int edits) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder text = new StringBuilder(valid);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(text.length() + 1);
            switch (random.nextInt(4)) {
                case 0 -> text.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                case 1 -> {
                    // A word in place of a token: most often a number, the likeliest place for one.
                    int end = at;
                    while (end < text.length() && Character.isDigit(text.charAt(end))) {
                        end++;
                    }
                    text.replace(at, end, WORDS[random.nextInt(WORDS.length)]);
                }
                case 2 -> {
                    if (at < text.length()) {
                        text.delete(at, Math.min(text.length(), at + 1 + random.nextInt(4)));
                    }
                }
                default -> {
                    if (at < text.length()) {
                        text.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                    }
                }
            }
        }
        return text.toString();
    }

    static void resultParsesOrRefuses(String line) {
        RunnerProtocol.Result result;
        try {
            result = RunnerProtocol.parseResult(line);
        } catch (IllegalArgumentException refused) {
            assertReason(refused);
            return;
        }
        JsonNode json = json(line);
        double ms = result.metrics().get(LatencyEvaluators.LATENCY_MS);
        assertTrue(ms > 0 && Double.isFinite(ms), "latency_ms " + ms);
        assertEquals(json.get("latency_ms").asDouble(), ms);
        for (Map.Entry<String, Double> metric : result.metrics().entrySet()) {
            assertTrue(Double.isFinite(metric.getValue()), metric.toString());
        }
        assertEquals(json.path("repeats").isNumber(), result.metrics().containsKey(LatencyEvaluators.LATENCY_REPEATS));
    }

    private static <A> io.archipelago.proto.Architecture rewritten(
            io.archipelago.core.space.SearchSpace<A> space, String encoding) {
        return space.toProto(space.parse(encoding));
    }

    static void requestParsesOrRefuses(String text) {
        RunnerProtocol.Request request;
        try {
            request = RunnerProtocol.parseRequest(text);
        } catch (IllegalArgumentException refused) {
            assertReason(refused);
            return;
        }
        JsonNode json = json(text);
        assertEquals(BigInteger.ONE, json.get("protocol").bigIntegerValue(), "protocol");
        assertEquals(json.get("space").asText(), request.architecture().getSpace());
        // the request carries the architecture as its space writes it
        assertEquals(
                rewritten(
                        SearchSpaces.byId(json.get("space").asText()),
                        json.get("encoding").asText()),
                request.architecture());
        JsonNode shape = json.get("input_shape");
        assertExactly(shape.get(0), request.batch(), "input_shape[0]");
        assertExactly(shape.get(1), request.network().inputChannels(), "input_shape[1]");
        assertExactly(shape.get(2), request.network().height(), "input_shape[2]");
        assertExactly(shape.get(3), request.network().width(), "input_shape[3]");
        if (json.has("batch")) {
            assertExactly(json.get("batch"), request.batch(), "batch");
        }
        JsonNode network = json.get("network");
        assertExactly(network.get("channels"), request.network().channels(), "channels");
        assertExactly(network.get("cells_per_stage"), request.network().cellsPerStage(), "cells_per_stage");
        assertExactly(network.get("classes"), request.network().classes(), "classes");
        if (request.warmup() != null) {
            assertExactly(json.get("warmup"), request.warmup(), "warmup");
        }
        if (request.repeats() != null) {
            assertExactly(json.get("repeats"), request.repeats(), "repeats");
        }
    }

    /** A number of the JSON is taken as written, not wrapped around into an int. */
    private static void assertExactly(JsonNode written, int read, String field) {
        assertEquals(
                written.bigIntegerValue(), BigInteger.valueOf(read), field + " " + written + " was read as " + read);
    }

    private static JsonNode json(String text) {
        try {
            return RunnerProtocol.JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("parsed, yet not JSON: " + text, e);
        }
    }

    private static void assertReason(RuntimeException refused) {
        String message = refused.getMessage();
        assertTrue(message != null && !message.isBlank(), "a refusal says why");
        assertFalse(message.contains("Exception"), "a refusal is no exception's text: " + message);
    }
}
