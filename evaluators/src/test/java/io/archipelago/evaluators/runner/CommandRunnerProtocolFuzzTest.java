package io.archipelago.evaluators.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.fuzz.Fuzz;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target: protocol 2's stdout lines, what a broken runner may print. Each either parses to a
 * report whose metrics are all finite numbers (and whose step is positive or 0 for a final line)
 * or is refused with an {@link IllegalArgumentException} that says why; never another exception.
 * Runs {@value #TRIES} tries per target from a fixed seed ({@code -Darchipelago.fuzz.seconds=N}
 * runs each for N seconds, see {@link Fuzz}).
 */
class CommandRunnerProtocolFuzzTest {
    static final int TRIES = 300;
    static final String INTERMEDIATE =
            "{\"step\":3,\"metrics\":{\"valid_accuracy\":61.2,\"train_loss\":0.9},\"elapsed_seconds\":40.5}";
    static final String FINAL = "{\"metrics\":{\"valid_accuracy\":71.9},\"labels\":{\"gpu\":\"A100\",\"epochs\":12}}";
    private static final String ALPHABET = "{}[]\":,\\ 0123456789-+.eE_abcdelnrstu\u0000é";
    private static final String[] WORDS = {
        "null", "true", "\"\"", "1e999", "-1", "0", "4294967297", "1.5", "NaN", "Infinity", "[", "{", "\"epoch\":2,"
    };

    static final List<String> REGRESSIONS = List.of(
            "",
            "{}",
            "{\"metrics\":{}}",
            "{\"metrics\":{\"a\":NaN}}",
            "{\"metrics\":{\"a\":1},\"metrics\":{\"a\":2}}",
            "{\"metrics\":{\"\":1}}",
            "{\"step\":4294967297,\"metrics\":{\"a\":1}}",
            "{\"step\":null,\"metrics\":{\"a\":1}}",
            "{\"epoch\":1,\"step\":1,\"metrics\":{\"a\":1}}",
            "{\"metrics\":{\"a\":1},\"labels\":{\"k\":{}}}",
            "{\"metrics\":{\"a\":1}}]");

    @Test
    void regressions() {
        REGRESSIONS.forEach(CommandRunnerProtocolFuzzTest::parsesOrRefuses);
        CommandRunnerProtocol.Report i = CommandRunnerProtocol.parse(INTERMEDIATE);
        assertEquals(3, i.step());
        assertEquals(Map.of("valid_accuracy", 61.2, "train_loss", 0.9), i.metrics());
        assertEquals(40.5, i.elapsedSeconds());
        CommandRunnerProtocol.Report f = CommandRunnerProtocol.parse(FINAL);
        assertTrue(f.isFinal());
        assertEquals(Map.of("gpu", "A100", "epochs", "12"), f.labels());
    }

    @Test
    void mutatedIntermediateLine() {
        Fuzz.check(
                "mutated protocol 2 intermediate lines",
                401,
                TRIES,
                random -> mutated(INTERMEDIATE, random),
                CommandRunnerProtocolFuzzTest::parsesOrRefuses);
    }

    @Test
    void mutatedFinalLine() {
        Fuzz.check(
                "mutated protocol 2 final lines",
                402,
                TRIES,
                random -> mutated(FINAL, random),
                CommandRunnerProtocolFuzzTest::parsesOrRefuses);
    }

    @Test
    void anyLine() {
        Fuzz.check(
                "any protocol 2 line",
                403,
                TRIES,
                random ->
                        "{" + (random.nextBoolean() ? Fuzz.anyString(random, 100) : Fuzz.string(random, ALPHABET, 100)),
                CommandRunnerProtocolFuzzTest::parsesOrRefuses);
    }

    /** Up to 5 edits: a character inserted, replaced or deleted, or a word in place of a number. */
    private static String mutated(String valid, SplittableRandom random) {
        StringBuilder text = new StringBuilder(valid);
        for (int e = 1 + random.nextInt(5); e > 0; e--) {
            int at = random.nextInt(text.length() + 1);
            switch (random.nextInt(4)) {
                case 0 -> text.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                case 1 -> {
                    int end = at;
                    while (end < text.length() && Character.isDigit(text.charAt(end))) {
                        end++;
                    }
                    text.replace(at, end, WORDS[random.nextInt(WORDS.length)]);
                }
                case 2 -> text.delete(at, Math.min(text.length(), at + 1 + random.nextInt(4)));
                default -> {
                    if (at < text.length()) {
                        text.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                    }
                }
            }
        }
        return text.toString();
    }

    private static void parsesOrRefuses(String line) {
        CommandRunnerProtocol.Report report;
        try {
            report = CommandRunnerProtocol.parse(line);
        } catch (IllegalArgumentException refused) {
            String message = refused.getMessage();
            assertTrue(message != null && !message.isBlank(), "a refusal says why");
            assertFalse(message.contains("Exception"), "a refusal is no exception's text: " + message);
            assertFalse(message.contains("\n"), "a refusal is one line: " + message);
            return;
        }
        assertTrue(report.step() >= 0, "step " + report.step());
        assertFalse(report.metrics().isEmpty(), "no metrics from " + line);
        report.metrics().forEach((name, value) -> {
            assertFalse(name.isBlank(), "a metric without a name from " + line);
            assertTrue(Double.isFinite(value), name + " = " + value + " from " + line);
        });
        if (report.elapsedSeconds() != null) {
            assertTrue(report.elapsedSeconds() >= 0 && Double.isFinite(report.elapsedSeconds()), line);
        }
    }
}
