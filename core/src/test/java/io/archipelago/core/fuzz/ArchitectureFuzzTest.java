package io.archipelago.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.space.ArchitectureFormatException;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.SearchSpaces;
import io.archipelago.core.space.TokenEncoding;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target: the architecture strings and token sequences of every space. A string either
 * parses to an architecture whose {@code format} parses back to it, or is refused with an
 * {@link ArchitectureFormatException} that says why; never another exception, never a hang.
 * Runs {@value #TRIES} tries per target from a fixed seed; {@code -Darchipelago.fuzz.seconds=N}
 * runs each for N seconds from a random one (see {@link Fuzz}).
 */
class ArchitectureFuzzTest {
    static final int TRIES = 300;
    /** Every space on the class path: a new space plugin is fuzzed without being named here. */
    static final List<String> SPACES = List.copyOf(SearchSpaces.all().keySet());
    /** A parse that takes more CPU time than this is taken for a hang (the spaces' classes are loaded before). */
    private static final long SLOW_NANOS = 2_000_000_000L;

    static {
        for (String id : SPACES) { // warm up: load each space and its canonical keys
            SearchSpace<?> space = SearchSpaces.byId(id);
            check(space, formatted(space, new SplittableRandom(1)));
            check(space, "x");
        }
    }

    /** The characters the spaces' grammars are written in, and some that they are not. */
    private static final String ALPHABET = "|+~,_0123456789 abcdefghijklmnopqrstuvwxyz\t\n-.é\u0000()[]':=/";

    /** An input to a space: the space's id and the string. */
    record Input(String space, String text) {
        @Override
        public String toString() {
            return "new Input(" + Fuzz.show(space) + ", " + Fuzz.show(text) + ")";
        }
    }

    /** Token sequences, per space implementing {@link TokenEncoding}. */
    record Tokens(String space, int[] tokens) {
        @Override
        public String toString() {
            return "new Tokens(" + Fuzz.show(space) + ", " + Fuzz.show(tokens) + ")";
        }
    }

    /** Inputs found by fuzzing or written by hand, kept so that they stay answered well. */
    static final List<Input> REGRESSIONS = List.of(
            new Input("nb201", ""),
            // anyStringForSeconds took this for a hang when the parse was timed by the wall clock on a busy machine.
            new Input("nb201-mixed", "g\u0000.ul7w|ppu+cp_80ym-"),
            new Input("nb201", "++"),
            new Input("nb201", "|~0|+|~0|~1|+|~0|~1|~2|"),
            new Input("nb201", "|none~0|+|none~0|none~1|+|none~0|none~1|none~~2|"),
            new Input("nb201", "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|+"),
            new Input("nb201-mixed", "|none,none~0|+|none~0|none~1|+|none~0|none~1|none~2|"),
            new Input("nb201-mixed", "|,~0|+|none~0|none~1|+|none~0|none~1|none~2|"),
            new Input("nbgraph", "gcn~0|gin~1|cheb~1|fc~"),
            new Input("nbgraph", "skip~0|skip~1|skip~2|skip~3"),
            new Input("nbgraph", "gcn~0|gin~1|cheb~1|fc~2~"),
            new Input("nbgraph", "gcn~0|gin~1|cheb~1|fc~\u0663"));

    /** Token sequences found by fuzzing or written by hand, kept so that they stay answered well. */
    static final List<Tokens> TOKEN_REGRESSIONS = List.of(
            new Tokens("nb201", new int[] {}),
            new Tokens("nbgraph", new int[] {}),
            new Tokens("nb201", new int[] {-1, 0, 0, 0, 0, 0}),
            new Tokens("nb201", new int[] {Integer.MAX_VALUE, 0, 0, 0, 0, 0}),
            new Tokens("nbgraph", new int[] {Integer.MIN_VALUE, -2, 10, 0}));

    @Test
    void regressions() {
        for (Input input : REGRESSIONS) {
            parsesOrRefuses(input);
        }
        for (Tokens tokens : TOKEN_REGRESSIONS) {
            decodesOrRefuses(tokens);
        }
    }

    @Test
    void anyString() {
        Fuzz.check(
                "architecture strings",
                101,
                TRIES,
                ArchitectureFuzzTest::anyStrings,
                ArchitectureFuzzTest::parsesOrRefuses);
    }

    @Test
    void mutatedEncoding() {
        Fuzz.check(
                "mutated architecture strings",
                102,
                TRIES,
                ArchitectureFuzzTest::mutatedEncodings,
                ArchitectureFuzzTest::parsesOrRefuses);
    }

    @Test
    void anyTokens() {
        Fuzz.check(
                "token sequences",
                103,
                TRIES,
                ArchitectureFuzzTest::anyTokenSequences,
                ArchitectureFuzzTest::decodesOrRefuses);
    }

    /** Any string, or one over the grammars' characters, up to 120 long. */
    static Input anyStrings(SplittableRandom random) {
        String space = Fuzz.pick(random, SPACES);
        String text = random.nextBoolean() ? Fuzz.anyString(random, 120) : Fuzz.string(random, ALPHABET, 120);
        return new Input(space, text);
    }

    /** A valid encoding of a random architecture with 1 to 4 random character edits. */
    static Input mutatedEncodings(SplittableRandom random) {
        String space = Fuzz.pick(random, SPACES);
        return new Input(space, mutated(space, random.nextLong(), 1 + random.nextInt(4)));
    }

    /** Up to 10 tokens, each a likely one (-2 to 10) or any int. */
    static Tokens anyTokenSequences(SplittableRandom random) {
        String space = random.nextBoolean() ? "nb201" : "nbgraph";
        Fuzz.Gen<Integer> token = r -> r.nextBoolean() ? r.nextInt(-2, 11) : Fuzz.anyInt(r);
        return new Tokens(space, Fuzz.ints(random, token, 10));
    }

    static String mutated(String spaceId, long seed, int edits) {
        SplittableRandom random = new SplittableRandom(seed);
        SearchSpace<?> space = SearchSpaces.byId(spaceId);
        StringBuilder text = new StringBuilder(formatted(space, random));
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(text.length() + 1);
            char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
            switch (random.nextInt(3)) {
                case 0 -> text.insert(at, c);
                case 1 -> {
                    if (at < text.length()) {
                        text.deleteCharAt(at);
                    }
                }
                default -> {
                    if (at < text.length()) {
                        text.setCharAt(at, c);
                    }
                }
            }
        }
        return text.toString();
    }

    private static <A> String formatted(SearchSpace<A> space, SplittableRandom random) {
        return space.format(space.sample(random));
    }

    static void parsesOrRefuses(Input input) {
        check(SearchSpaces.byId(input.space()), input.text());
    }

    private static <A> void check(SearchSpace<A> space, String text) {
        long start = Fuzz.cpuNanos();
        A arch;
        try {
            arch = space.parse(text);
        } catch (ArchitectureFormatException refused) {
            assertReason(refused);
            return;
        } finally {
            assertTrue(Fuzz.cpuNanos() - start < SLOW_NANOS, "parse took over two seconds of CPU time");
        }
        String formatted = space.format(arch);
        assertEquals(arch, space.parse(formatted), "format then parse gives the architecture back");
        assertEquals(formatted, space.format(space.parse(formatted)), "format is stable");
        if (!space.id().equals("nb201-mixed") && !space.id().equals("darts")) {
            // One string per architecture (the mixed space also takes an edge's ops in any order;
            // DARTS also reads its genotypes.py form and full op names).
            assertEquals(formatted, text.strip(), "the only encoding of an architecture is its format");
        }
        space.canonicalKey(arch);
        space.graph(arch);
    }

    static void decodesOrRefuses(Tokens input) {
        @SuppressWarnings("unchecked")
        TokenEncoding<Object> encoding = (TokenEncoding<Object>) SearchSpaces.byId(input.space());
        @SuppressWarnings("unchecked")
        SearchSpace<Object> space = (SearchSpace<Object>) SearchSpaces.byId(input.space());
        int[] tokens = input.tokens().clone();
        Object arch;
        try {
            arch = encoding.fromTokens(tokens);
        } catch (ArchitectureFormatException refused) {
            assertReason(refused);
            return;
        }
        assertArrayEquals(input.tokens(), tokens, "fromTokens leaves its argument as it was");
        assertArrayEquals(tokens, encoding.tokens(arch), "tokens of fromTokens give the sequence back");
        assertEquals(arch, space.parse(space.format(arch)));
    }

    private static void assertReason(RuntimeException refused) {
        String message = refused.getMessage();
        assertTrue(message != null && !message.isBlank(), "a refusal says why");
        assertFalse(message.contains("Exception"), "a refusal is no exception's text: " + message);
    }
}
