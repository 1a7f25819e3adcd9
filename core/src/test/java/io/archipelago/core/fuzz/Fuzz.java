package io.archipelago.core.fuzz;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Runs the fuzz targets: plain JUnit tests that draw their inputs from small generators
 * ({@link Gen}) on {@link SplittableRandom}. By default a target checks a fixed number of
 * inputs drawn from its fixed seed (the same inputs every run, a few seconds in
 * {@code mvn verify}). With {@code -Darchipelago.fuzz.seconds=N} it instead runs for N seconds
 * from a random seed that it prints at the start ({@code -Darchipelago.fuzz.seed=S} replays
 * one); a failure names the seed, the try and the input as Java source, to paste into the
 * target's regression list.
 *
 * <p>The other modules' fuzz targets use it from core's test jar.
 *
 * <pre>mvn -B -pl core,controller,evaluators,node test -Dtest='*FuzzTest' -Darchipelago.fuzz.seconds=60</pre>
 */
public final class Fuzz {
    /** The system property naming how long each target runs in its time-bounded mode. */
    public static final String SECONDS = "archipelago.fuzz.seconds";
    /** The system property giving the time-bounded mode's seed (by default a random one). */
    public static final String SEED = "archipelago.fuzz.seed";

    /** A generator of inputs. */
    @FunctionalInterface
    public interface Gen<T> {
        T draw(SplittableRandom random);

        /** This generator's inputs passed through {@code f}. */
        default <R> Gen<R> map(java.util.function.Function<? super T, ? extends R> f) {
            return random -> f.apply(draw(random));
        }
    }

    private Fuzz() {}

    /** Seconds given with {@link #SECONDS}, or 0 when not given (the targets then run their fixed tries). */
    public static long seconds() {
        String value = System.getProperty(SECONDS, "").strip();
        if (value.isEmpty()) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(value));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + SECONDS + "=" + value + " is not a number of seconds", e);
        }
    }

    /**
     * Checks inputs drawn from {@code inputs}: {@code tries} of them from {@code seed}, or, with
     * {@link #SECONDS} set, as many as {@link #seconds()} seconds allow from a random seed (printed).
     */
    public static <T> void check(
            String target, long seed, int tries, Gen<? extends T> inputs, Consumer<? super T> check) {
        long seconds = seconds();
        if (seconds > 0) {
            String given = System.getProperty(SEED, "").strip();
            seed = given.isEmpty() ? new SplittableRandom().nextLong() : Long.parseLong(given);
            System.out.printf("fuzz %s: seed %dL for %d s (-D%s=%d replays it)%n", target, seed, seconds, SEED, seed);
        }
        SplittableRandom random = new SplittableRandom(seed);
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long tried = 0;
        while (seconds > 0 ? System.nanoTime() < end : tried < tries) {
            T input = inputs.draw(random);
            tried++;
            try {
                check.accept(input);
            } catch (Throwable failure) {
                String shown = show(input);
                System.out.printf("fuzz %s: seed %dL, try %d failed on input%n    %s%n", target, seed, tried, shown);
                throw new AssertionError(
                        target + ": seed " + seed + "L, try " + tried + " failed on input " + shown + ": " + failure,
                        failure);
            }
        }
        if (seconds > 0) {
            System.out.printf("fuzz %s: %d inputs in %d s, no finding%n", target, tried, seconds);
        }
    }

    /**
     * CPU time of this thread, in nanoseconds: what the hang checks measure, so that a loaded
     * machine or a GC pause is not taken for a hang.
     */
    public static long cpuNanos() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    // Generators.

    /** One of {@code gens}, each as likely. */
    @SafeVarargs
    public static <T> Gen<T> oneOf(Gen<? extends T>... gens) {
        return random -> gens[random.nextInt(gens.length)].draw(random);
    }

    /** One of {@code values}, each as likely. */
    public static <T> T pick(SplittableRandom random, List<? extends T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** A size from 0 to {@code max}: often 0, 1 or {@code max}, often small, else any. */
    public static int size(SplittableRandom random, int max) {
        return switch (random.nextInt(10)) {
            case 0 -> 0;
            case 1 -> Math.min(1, max);
            case 2 -> max;
            case 3, 4, 5 -> random.nextInt(Math.min(max, 10) + 1);
            default -> random.nextInt(max + 1);
        };
    }

    /** Any int, often an edge value (0, ±1, the extremes and their neighbours). */
    public static int anyInt(SplittableRandom random) {
        if (random.nextInt(4) == 0) {
            int[] edges = {
                0, 1, -1, 2, Integer.MIN_VALUE, Integer.MIN_VALUE + 1, Integer.MAX_VALUE, Integer.MAX_VALUE - 1
            };
            return edges[random.nextInt(edges.length)];
        }
        return random.nextInt();
    }

    /** Any char: ASCII (printable or control), any of the basic plane (surrogates included), or an edge value. */
    public static char anyChar(SplittableRandom random) {
        return switch (random.nextInt(8)) {
            case 0 -> (char) random.nextInt(0x20);
            case 1, 2, 3 -> (char) random.nextInt(0x20, 0x7f);
            case 4 ->
                "\u0000\u007f\u0085\u00a0\u00e9\u2028\u2029\ufeff\ufffd\ufffe\uffff\ud800\udc00"
                        .charAt(random.nextInt(13));
            default -> (char) random.nextInt(0x10000);
        };
    }

    /** A string of {@link #anyChar}s, up to {@code maxLength} long; sometimes with a whole surrogate pair. */
    public static String anyString(SplittableRandom random, int maxLength) {
        int length = size(random, maxLength);
        StringBuilder out = new StringBuilder(length);
        while (out.length() < length) {
            if (length - out.length() >= 2 && random.nextInt(16) == 0) {
                out.appendCodePoint(random.nextInt(0x10000, Character.MAX_CODE_POINT + 1));
            } else {
                out.append(anyChar(random));
            }
        }
        return out.toString();
    }

    /** A string of characters of {@code chars}, up to {@code maxLength} long. */
    public static String string(SplittableRandom random, String chars, int maxLength) {
        int length = size(random, maxLength);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(chars.charAt(random.nextInt(chars.length())));
        }
        return out.toString();
    }

    /** Any bytes, up to {@code maxSize} of them, often edge values (0, ±1, the extremes, CR, LF, '"', ','). */
    public static byte[] anyBytes(SplittableRandom random, int maxSize) {
        byte[] out = new byte[size(random, maxSize)];
        byte[] edges = {0, 1, -1, Byte.MIN_VALUE, Byte.MAX_VALUE, '\n', '\r', '"', ','};
        for (int i = 0; i < out.length; i++) {
            out[i] = random.nextInt(4) == 0 ? edges[random.nextInt(edges.length)] : (byte) random.nextInt(256);
        }
        return out;
    }

    /** Ints drawn from {@code element}, up to {@code maxSize} of them. */
    public static int[] ints(SplittableRandom random, Gen<Integer> element, int maxSize) {
        int[] out = new int[size(random, maxSize)];
        for (int i = 0; i < out.length; i++) {
            out[i] = element.draw(random);
        }
        return out;
    }

    // Inputs as Java source.

    /** An input as Java source would write it, so that it can be kept as a regression example. */
    public static String show(Object input) {
        if (input instanceof String s) {
            StringBuilder out = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (c < 0x20 || c > 0x7e) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            return out.append('"').toString();
        }
        if (input instanceof int[] ints) {
            StringBuilder out = new StringBuilder("new int[] {");
            for (int i = 0; i < ints.length; i++) {
                out.append(i == 0 ? "" : ", ").append(ints[i]);
            }
            return out.append('}').toString();
        }
        if (input instanceof byte[] bytes) {
            StringBuilder out = new StringBuilder("new byte[] {");
            for (int i = 0; i < bytes.length; i++) {
                out.append(i == 0 ? "" : ", ");
                out.append(bytes[i] < 0 ? String.format("(byte) 0x%02x", bytes[i] & 0xff) : String.valueOf(bytes[i]));
            }
            return out.append('}').toString();
        }
        if (input instanceof Long l) {
            return l + "L";
        }
        return String.valueOf(input);
    }
}
