package io.archipelago.evaluators.fuzz;

import java.time.Duration;
import java.util.Iterator;
import java.util.function.Consumer;
import net.jqwik.api.Arbitrary;
import org.junit.jupiter.api.Assumptions;

/**
 * (A copy of core's {@code io.archipelago.core.fuzz.Fuzz}: modules share no test classes.)
 *
 * The time-bounded mode of the fuzz targets. Each target is a jqwik {@code @Property} with a
 * small fixed number of tries (a few seconds in {@code mvn verify}), and a twin JUnit test that
 * runs only when {@code -Darchipelago.fuzz.seconds=N} is given: it draws from the same
 * {@link Arbitrary} for N seconds and checks each input as the property does, failing with the
 * input that broke it (paste that into the target's regression list).
 *
 * <pre>mvn -B -pl evaluators test -Dtest='*FuzzTest' -Darchipelago.fuzz.seconds=60</pre>
 */
public final class Fuzz {
    /** The system property naming how long each target runs in its time-bounded mode. */
    public static final String SECONDS = "archipelago.fuzz.seconds";

    private Fuzz() {}

    /** Seconds given with {@link #SECONDS}, or 0 when not given (the time-bounded tests are then skipped). */
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
     * Checks inputs drawn from {@code inputs} for {@link #seconds()} seconds; skipped unless
     * {@link #SECONDS} is set. Prints how many inputs were checked.
     */
    public static <T> void forSeconds(String target, Arbitrary<T> inputs, Consumer<? super T> check) {
        long seconds = seconds();
        Assumptions.assumeTrue(seconds > 0, "-D" + SECONDS + " not set");
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long tries = 0;
        Iterator<T> drawn = inputs.sampleStream().iterator();
        while (System.nanoTime() < end) {
            T input = drawn.next();
            tries++;
            try {
                check.accept(input);
            } catch (Throwable failure) {
                throw new AssertionError(
                        target + ": try " + tries + " failed on input " + show(input) + ": " + failure, failure);
            }
        }
        System.out.printf("fuzz %s: %d inputs in %d s, no finding%n", target, tries, seconds);
    }

    /**
     * CPU time of this thread, in nanoseconds: what the hang checks measure, so that a loaded
     * machine or a GC pause is not taken for a hang.
     */
    public static long cpuNanos() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

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
            return java.util.Arrays.toString(ints);
        }
        if (input instanceof byte[] bytes) {
            return "hex " + java.util.HexFormat.of().formatHex(bytes);
        }
        return String.valueOf(input);
    }
}
