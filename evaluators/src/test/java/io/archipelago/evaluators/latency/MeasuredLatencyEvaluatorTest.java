package io.archipelago.evaluators.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.models.space.NetworkShape;
import io.archipelago.proto.Architecture;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeasuredLatencyEvaluatorTest {
    static final String ALL_CONV =
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|";
    static final String ALL_SKIP =
            "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|";
    static final String ALL_NONE = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|";
    /** A reduced network for plumbing checks: C=4, N=1. */
    static final LatencySettings TINY = new LatencySettings(NetworkShape.STANDARD.withCells(4, 1), 1, 1, 3, 0, 0);

    static Architecture nb201(String cell) {
        return Architecture.newBuilder()
                .setSpace(Nb201Space.ID)
                .setEncoding(cell)
                .build();
    }

    @Test
    void measuresPositiveFiniteLatencyWithItsSpreadAndLabels() throws Exception {
        MeasuredLatencyEvaluator evaluator = new MeasuredLatencyEvaluator("cpu-test", TINY);
        assertEquals("latency:cpu-test", evaluator.kind());
        Evaluation e = evaluator.evaluate(
                nb201(
                        "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"),
                0);
        Map<String, Double> m = e.metrics();
        double ms = m.get(LatencyEvaluators.LATENCY_MS);
        assertTrue(ms > 0 && Double.isFinite(ms), m.toString());
        assertTrue(m.get(LatencyEvaluators.LATENCY_MIN_MS) <= m.get(LatencyEvaluators.LATENCY_P10_MS), m.toString());
        assertTrue(
                m.get(LatencyEvaluators.LATENCY_P10_MS) <= ms && ms <= m.get(LatencyEvaluators.LATENCY_P90_MS),
                m.toString());
        assertEquals(3.0, m.get(LatencyEvaluators.LATENCY_REPEATS));
        assertEquals(1.0, m.get(LatencyEvaluators.LATENCY_BATCH));
        assertTrue(m.get(LatencyEvaluators.LATENCY_THREADS) >= 1, m.toString());
        Map<String, String> l = e.labels();
        assertEquals("cpu-test", l.get(LatencyEvaluators.LABEL_DEVICE));
        assertEquals("measured", l.get(LatencyEvaluators.LABEL_METHOD));
        assertEquals("1", l.get(LatencyEvaluators.LABEL_BATCH));
        assertTrue(
                l.containsKey(LatencyEvaluators.LABEL_CPU) || l.containsKey(LatencyEvaluators.LABEL_GPU), l.toString());
        assertTrue(l.get(LatencyEvaluators.LABEL_BACKEND).length() > 0, l.toString());
        assertEquals(
                String.valueOf(m.get(LatencyEvaluators.LATENCY_THREADS).intValue()),
                l.get(LatencyEvaluators.LABEL_THREADS));
        assertTrue(e.costSeconds() > 0);
    }

    @Test
    void aCellWithoutAnyPathStillBuildsAndIsMeasured() throws Exception {
        Evaluation e = new MeasuredLatencyEvaluator("cpu-test", TINY).evaluate(nb201(ALL_NONE), 0);
        assertTrue(e.metrics().get(LatencyEvaluators.LATENCY_MS) > 0, e.toString());
    }

    /**
     * Six 3x3 convolutions per cell against none, on the standard width (C=16) with N=2. At batch 1
     * a forward pass here is mostly ND4J's per-op dispatch, which both networks pay alike, so the
     * ratio depends on the machine (1.4x on CI's, once). A batch of 16 on one thread makes the
     * convolutions' arithmetic dominate (about 5x the FLOPs of the skip network): a margin of 1.5x
     * between the fastest conv median and the slowest skip or none median then holds on any CPU.
     */
    @Test
    void sixConvolutionsAreMeasurablySlowerThanSkipsOrNothing() throws Exception {
        LatencySettings settings = new LatencySettings(NetworkShape.STANDARD.withCells(16, 2), 16, 1, 5, 1, 0);
        MeasuredLatencyEvaluator evaluator = new MeasuredLatencyEvaluator("cpu-test", settings);
        double conv = Double.MAX_VALUE;
        double cheap = 0;
        for (int round = 0; round < 2; round++) {
            conv = Math.min(
                    conv, evaluator.measure(Nb201Space.INSTANCE.parse(ALL_CONV)).medianMs());
            cheap = Math.max(
                    cheap,
                    evaluator.measure(Nb201Space.INSTANCE.parse(ALL_SKIP)).medianMs());
            cheap = Math.max(
                    cheap,
                    evaluator.measure(Nb201Space.INSTANCE.parse(ALL_NONE)).medianMs());
        }
        System.out.println("all-conv3x3 " + conv + " ms, skip/none at most " + cheap + " ms");
        assertTrue(conv > 1.5 * cheap, "all-conv3x3 " + conv + " ms vs skip/none at most " + cheap + " ms");
    }

    @Test
    void otherSpacesAndMalformedCellsFailTheEvaluationNamingThem() {
        MeasuredLatencyEvaluator evaluator = new MeasuredLatencyEvaluator("cpu-test", TINY);
        EvaluationException space = assertThrows(
                EvaluationException.class,
                () -> evaluator.evaluate(
                        Architecture.newBuilder()
                                .setSpace("nb101")
                                .setEncoding("x")
                                .build(),
                        0));
        assertTrue(space.getMessage().contains("'nb101'"), space.getMessage());
        EvaluationException cell =
                assertThrows(EvaluationException.class, () -> evaluator.evaluate(nb201("|conv~0|"), 0));
        assertTrue(cell.getMessage().contains("conv"), cell.getMessage());
    }

    @Test
    void deviceNamesAreChecked() {
        assertEquals("latency:pixel-7.a_1", LatencyEvaluators.kind("pixel-7.a_1"));
        for (String bad : new String[] {"", "two words", "a/b", "latency:x"}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> LatencyEvaluators.kind(bad));
            assertTrue(e.getMessage().contains("device name"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new MeasuredLatencyEvaluator("a b", TINY));
    }

    @Test
    void statsAreOrderStatistics() {
        LatencyEvaluators.Stats s = LatencyEvaluators.Stats.of(new double[] {5, 1, 4, 2, 3, 100, 6, 7, 8, 9, 10});
        assertEquals(6, s.medianMs(), 1e-12);
        assertEquals(1, s.minMs(), 1e-12);
        assertEquals(2, s.p10Ms(), 1e-12);
        assertEquals(10, s.p90Ms(), 1e-12);
        assertEquals(11, s.repeats());
    }
}
