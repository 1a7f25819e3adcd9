package io.archipelago.core.mnasnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.space.ArchitectureFormatException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The MnasNet grammar under random edits of valid strings and random token sequences, as the
 * project's architecture fuzz target treats the other spaces: an input either decodes to an
 * architecture that encodes back to it, or is refused with an {@link ArchitectureFormatException}
 * that says why; never another exception.
 */
class MnasNetFuzzTest {
    private static final MnasNetSpace SPACE = MnasNetSpace.INSTANCE;
    private static final String ALPHABET = "/-.0123456789 abcdefgiklmnoprsv_\t\u0663é";

    @Test
    void editedStringsParseBackOrAreRefusedWithAReason() {
        SplittableRandom random = new SplittableRandom(101);
        int parsed = 0;
        for (int t = 0; t < 5000; t++) {
            StringBuilder text = new StringBuilder(SPACE.format(SPACE.sample(random)));
            for (int e = random.nextInt(4); e >= 0; e--) {
                int at = random.nextInt(text.length() + 1);
                char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
                switch (random.nextInt(3)) {
                    case 0 -> text.insert(at, c);
                    case 1 -> text.deleteCharAt(Math.min(at, text.length() - 1));
                    default -> text.setCharAt(Math.min(at, text.length() - 1), c);
                }
            }
            String input = text.toString();
            try {
                MnasArch arch = SPACE.parse(input);
                assertEquals(input.strip(), SPACE.format(arch), "the only encoding of an architecture is its format");
                parsed++;
            } catch (ArchitectureFormatException refused) {
                assertTrue(refused.getMessage().contains("MnasNet architecture"), refused.getMessage());
                assertFalse(refused.getMessage().contains("Exception"), refused.getMessage());
            }
        }
        assertTrue(parsed > 0 && parsed < 1000, "parsed " + parsed); // a few edits give another member (f16 -> f12)
    }

    @Test
    void tokenSequencesDecodeBackOrAreRefusedWithAReason() {
        SplittableRandom random = new SplittableRandom(103);
        int decoded = 0;
        for (int t = 0; t < 5000; t++) {
            int[] tokens = random.nextInt(10) == 0
                    ? random.ints(random.nextInt(50), -2, 6).toArray()
                    : SPACE.tokens(SPACE.sample(random));
            if (tokens.length > 0 && random.nextBoolean()) {
                tokens[random.nextInt(tokens.length)] = random.nextBoolean() ? random.nextInt() : random.nextInt(-1, 5);
            }
            int[] copy = tokens.clone();
            try {
                MnasArch arch = SPACE.fromTokens(tokens);
                assertArrayEquals(copy, tokens, "fromTokens leaves its argument as it was");
                assertArrayEquals(tokens, SPACE.tokens(arch));
                decoded++;
            } catch (ArchitectureFormatException refused) {
                assertTrue(refused.getMessage().contains("token"), refused.getMessage());
            }
        }
        assertTrue(decoded > 1000, "decoded " + decoded);
    }
}
