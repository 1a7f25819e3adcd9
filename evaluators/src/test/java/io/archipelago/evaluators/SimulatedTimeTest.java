package io.archipelago.evaluators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimulatedTimeTest {
    private static final double EPS = 1e-12;
    private static final int N = 20_000;

    // ---------------------------------------------------------------- parsing: accepted forms

    @ParameterizedTest(name = "{0} -> fixed {1}s")
    @CsvSource(
            delimiter = ';',
            value = {
                "100ms; 0.1",
                "2s; 2.0",
                "250us; 0.00025",
                "1.5s; 1.5",
                "0ms; 0.0",
                "'  100MS  '; 0.1",
                "fixed:20ms; 0.02",
                "FIXED:3s; 3.0",
                "' fixed: 7us '; 0.000007",
                "1e3ms; 1.0",
            })
    void parsesFixedDurations(String spec, double seconds) {
        SimulatedTime time = SimulatedTime.parse(spec);
        SimulatedTime.Fixed fixed = assertInstanceOf(SimulatedTime.Fixed.class, time);
        assertEquals(seconds, fixed.seconds(), EPS);
        assertEquals(seconds, time.meanSeconds(), EPS);
    }

    @Test
    void parsesLogNormal() {
        SimulatedTime.LogNormal t =
                assertInstanceOf(SimulatedTime.LogNormal.class, SimulatedTime.parse("lognormal:100ms,0.5"));
        assertEquals(0.1, t.medianSeconds(), EPS);
        assertEquals(0.5, t.sigma(), EPS);
        assertEquals(0.1 * Math.exp(0.125), t.meanSeconds(), EPS);

        SimulatedTime.LogNormal spaced =
                assertInstanceOf(SimulatedTime.LogNormal.class, SimulatedTime.parse(" LogNormal: 2s , 1.25 "));
        assertEquals(2.0, spaced.medianSeconds(), EPS);
        assertEquals(1.25, spaced.sigma(), EPS);

        SimulatedTime.LogNormal degenerate =
                assertInstanceOf(SimulatedTime.LogNormal.class, SimulatedTime.parse("lognormal:300us,0"));
        assertEquals(0.0003, degenerate.medianSeconds(), EPS);
        assertEquals(0.0, degenerate.sigma(), 0.0);
    }

    @Test
    void parsesUniform() {
        SimulatedTime.Uniform t =
                assertInstanceOf(SimulatedTime.Uniform.class, SimulatedTime.parse("uniform:50ms,150ms"));
        assertEquals(0.05, t.lowSeconds(), EPS);
        assertEquals(0.15, t.highSeconds(), EPS);
        assertEquals(0.1, t.meanSeconds(), EPS);

        // mixed units, and an empty interval is allowed
        SimulatedTime.Uniform mixed =
                assertInstanceOf(SimulatedTime.Uniform.class, SimulatedTime.parse("uniform:500us,1s"));
        assertEquals(0.0005, mixed.lowSeconds(), EPS);
        assertEquals(1.0, mixed.highSeconds(), EPS);
        SimulatedTime.Uniform point =
                assertInstanceOf(SimulatedTime.Uniform.class, SimulatedTime.parse("uniform:1s,1000ms"));
        assertEquals(point.lowSeconds(), point.highSeconds(), EPS);
    }

    @Test
    void parsesExponentialAndItsShortName() {
        SimulatedTime.Exponential t =
                assertInstanceOf(SimulatedTime.Exponential.class, SimulatedTime.parse("exponential:100ms"));
        assertEquals(0.1, t.meanSeconds(), EPS);
        SimulatedTime.Exponential shortName =
                assertInstanceOf(SimulatedTime.Exponential.class, SimulatedTime.parse("exp:2s"));
        assertEquals(2.0, shortName.meanSeconds(), EPS);
    }

    // ---------------------------------------------------------------- parsing: rejected forms

    @ParameterizedTest(name = "\"{0}\" is rejected naming \"{1}\"")
    @CsvSource(
            delimiter = ';',
            value = {
                "100; duration '100' needs a unit",
                "''; duration '' needs a unit",
                "5 min; duration '5 min' needs a unit",
                "abcms; duration 'abc' is not a number",
                "ms; duration '' is not a number",
                "-5ms; duration '-5ms' is negative",
                "1e999s; duration '1e999' is not finite",
                "gamma:1s; unknown distribution 'gamma'",
                "fixed:1s,2s; expected 1 argument(s), found 2",
                "exponential:; duration '' needs a unit",
                "exponential:1s,2s; expected 1 argument(s), found 2",
                "exponential:-1s; is negative",
                "lognormal:100ms; expected 2 argument(s), found 1",
                "lognormal:100ms,0.5,1; expected 2 argument(s), found 3",
                "lognormal:100ms,-1; sigma must be >= 0",
                "lognormal:100ms,abc; sigma 'abc' is not a number",
                "lognormal:100,0.5; duration '100' needs a unit",
                "uniform:1s; expected 2 argument(s), found 1",
                "uniform:2s,1s; upper bound below lower bound",
                "uniform:1s,xs; duration 'x' is not a number",
            })
    void rejectsMalformedSpecsNamingTheProblem(String spec, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SimulatedTime.parse(spec));
        String message = e.getMessage();
        assertTrue(message.contains(problem), () -> "message should name '" + problem + "': " + message);
        assertTrue(message.contains("'" + spec + "'"), () -> "message should quote the spec as written: " + message);
    }

    // ---------------------------------------------------------------- sampling

    private static List<SimulatedTime> allKinds() {
        return List.of(
                SimulatedTime.parse("100ms"),
                SimulatedTime.parse("lognormal:100ms,0.5"),
                SimulatedTime.parse("uniform:50ms,150ms"),
                SimulatedTime.parse("exponential:100ms"));
    }

    private static double[] draw(SimulatedTime time, long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = time.sampleSeconds(random);
        }
        return out;
    }

    private static double mean(double[] xs) {
        return Arrays.stream(xs).average().orElseThrow();
    }

    private static double median(double[] xs) {
        double[] sorted = xs.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    @Test
    void samplingIsDeterministicPerSeed() {
        for (SimulatedTime time : allKinds()) {
            assertArrayEquals(draw(time, 42, 1_000), draw(time, 42, 1_000), 0.0, time::toString);
        }
        for (SimulatedTime time : allKinds().subList(1, 4)) {
            assertFalse(Arrays.equals(draw(time, 42, 100), draw(time, 43, 100)), () -> time + " ignores its seed");
        }
    }

    @Test
    void samplesAreNeverNegativeAndFinite() {
        List<SimulatedTime> kinds = List.of(
                SimulatedTime.parse("0ms"),
                SimulatedTime.parse("lognormal:1us,5"),
                SimulatedTime.parse("uniform:0s,1us"),
                SimulatedTime.parse("exponential:1us"),
                SimulatedTime.parse("lognormal:100ms,0.5"),
                SimulatedTime.parse("exponential:100ms"));
        for (SimulatedTime time : kinds) {
            for (double x : draw(time, 7, 50_000)) {
                assertTrue(x >= 0 && Double.isFinite(x), () -> time + " drew " + x);
            }
        }
    }

    @Test
    void fixedAlwaysDrawsItsValue() {
        SimulatedTime time = SimulatedTime.parse("fixed:20ms");
        for (double x : draw(time, 1, 100)) {
            assertEquals(0.02, x, EPS);
        }
    }

    @Test
    void logNormalMedianAndMeanMatchTheParameters() {
        SimulatedTime time = SimulatedTime.parse("lognormal:100ms,0.5");
        double[] xs = draw(time, 2024, N);
        double median = median(xs);
        assertTrue(Math.abs(median - 0.1) < 0.01, () -> "median " + median + " not within 10% of 0.1");
        double expectedMean = 0.1 * Math.exp(0.5 * 0.5 / 2); // 0.11331
        double mean = mean(xs);
        assertTrue(
                Math.abs(mean - expectedMean) < 0.05 * expectedMean,
                () -> "mean " + mean + " not within 5% of " + expectedMean);
        // the spread is really there: the 84th percentile sits near median * e^sigma
        double[] sorted = xs.clone();
        Arrays.sort(sorted);
        double p84 = sorted[(int) (0.8413 * N)];
        assertTrue(Math.abs(p84 - 0.1 * Math.exp(0.5)) < 0.1 * 0.1 * Math.exp(0.5), () -> "84th percentile " + p84);
    }

    @Test
    void logNormalWithZeroSigmaIsTheMedian() {
        for (double x : draw(SimulatedTime.parse("lognormal:100ms,0"), 3, 100)) {
            assertEquals(0.1, x, EPS);
        }
    }

    @Test
    void uniformStaysInItsBoundsWithTheRightMean() {
        double[] xs = draw(SimulatedTime.parse("uniform:50ms,150ms"), 11, N);
        for (double x : xs) {
            assertTrue(x >= 0.05 && x <= 0.15, () -> "out of bounds: " + x);
        }
        double mean = mean(xs);
        assertTrue(Math.abs(mean - 0.1) < 0.002, () -> "mean " + mean);
        // both halves of the interval are used
        long low = Arrays.stream(xs).filter(x -> x < 0.1).count();
        assertTrue(Math.abs(low - N / 2.0) < 0.03 * N, () -> low + " of " + N + " below the midpoint");
    }

    @Test
    void exponentialHasTheRequestedMean() {
        double[] xs = draw(SimulatedTime.parse("exponential:100ms"), 5, N);
        double mean = mean(xs);
        assertTrue(Math.abs(mean - 0.1) < 0.005, () -> "mean " + mean);
        double median = median(xs); // ln 2 * mean
        assertTrue(Math.abs(median - 0.1 * Math.log(2)) < 0.1 * 0.1 * Math.log(2), () -> "median " + median);
    }

    @Test
    void meanSecondsMatchesTheEmpiricalMeanForEveryKind() {
        for (SimulatedTime time : allKinds()) {
            Supplier<String> what = time::toString;
            double empirical = mean(draw(time, 99, N));
            assertEquals(time.meanSeconds(), empirical, 0.05 * time.meanSeconds(), what);
        }
    }
}
