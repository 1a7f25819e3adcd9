package io.archipelago.evaluators.teg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Cost;
import io.archipelago.core.nb201.Nb201MixedSpace;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.models.data.GaussianNoise;
import io.archipelago.models.nn.Pass;
import io.archipelago.models.space.NetworkShape;
import io.archipelago.models.teg.TegIndicators;
import io.archipelago.models.teg.TegSettings;
import io.archipelago.proto.Architecture;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The TEG evaluator on a small network (C=4, N=1, batches of 8), real computations throughout. */
class TegEvaluatorTest {
    private static final NetworkShape SMALL = NetworkShape.STANDARD.withCells(4, 1);
    private static final TegSettings SETTINGS =
            TegSettings.DEFAULTS.withNetwork(SMALL).withBatch(8).withRepeats(2);
    private static final String CELL =
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|";

    private static TegEvaluator evaluator(Pass.BatchNorm mode) {
        return new TegEvaluator(new TegIndicators(SETTINGS.withBatchNorm(mode), new GaussianNoise()));
    }

    private static Architecture arch(String space, String encoding) {
        return Architecture.newBuilder().setSpace(space).setEncoding(encoding).build();
    }

    @Test
    void returnsTheThreeIndicatorsAndTheCostsOfACell() throws Exception {
        for (Pass.BatchNorm mode : Pass.BatchNorm.values()) {
            Evaluation evaluation = evaluator(mode).evaluate(arch(Nb201Space.ID, CELL), 0);
            Map<String, Double> m = evaluation.metrics();
            assertEquals(java.util.Set.of("ntk_cond", "linear_regions", "ntk_mse", "params", "flops"), m.keySet());
            assertTrue(
                    m.get("ntk_cond") >= 1 && Double.isFinite(m.get("ntk_cond")), mode + " cond " + m.get("ntk_cond"));
            assertTrue(
                    m.get("linear_regions") >= 2 && m.get("linear_regions") <= SETTINGS.regionSamples(),
                    "regions " + m.get("linear_regions"));
            assertTrue(m.get("ntk_mse") > 0 && Double.isFinite(m.get("ntk_mse")), "mse " + m.get("ntk_mse"));
            Nb201Cost cost = new Nb201Cost(4, 1, 32, 10);
            assertEquals(cost.params(Nb201Space.INSTANCE.parse(CELL)), m.get("params"), 0.0);
            assertEquals(cost.flops(Nb201Space.INSTANCE.parse(CELL)), m.get("flops"), 1e-6);
            assertTrue(evaluation.costSeconds() > 0);
        }
    }

    @Test
    void isDeterministicPerSeedAndChangesWithIt() throws Exception {
        Map<String, Double> a = evaluator(Pass.BatchNorm.BATCH)
                .evaluate(arch(Nb201Space.ID, CELL), 0)
                .metrics();
        Map<String, Double> b = evaluator(Pass.BatchNorm.BATCH)
                .evaluate(arch(Nb201Space.ID, CELL), 0)
                .metrics();
        Map<String, Double> c = new TegEvaluator(new TegIndicators(SETTINGS.withSeed(42), new GaussianNoise()))
                .evaluate(arch(Nb201Space.ID, CELL), 0)
                .metrics();
        assertEquals(a, b);
        assertFalse(a.get("ntk_cond").equals(c.get("ntk_cond")));
    }

    /** A network of only 'none' ops ignores its input: its NTK is singular, a failed evaluation, not a crash. */
    @Test
    void aCellOfOnlyNoneOpsFailsWithItsReason() {
        EvaluationException failure = assertThrows(
                EvaluationException.class,
                () -> evaluator(Pass.BatchNorm.BATCH)
                        .evaluate(arch(Nb201Space.ID, "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"), 0));
        assertTrue(failure.getMessage().contains("singular"), failure.getMessage());
    }

    @Test
    void evaluatesSupernetCellsWithoutCosts() throws Exception {
        String supernet =
                "|nor_conv_3x3,skip_connect~0|+|nor_conv_3x3~0|avg_pool_3x3,none~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3,nor_conv_1x1~2|";
        Map<String, Double> m = evaluator(Pass.BatchNorm.RUNNING)
                .evaluate(arch(Nb201MixedSpace.ID, supernet), 0)
                .metrics();
        assertEquals(java.util.Set.of("ntk_cond", "linear_regions", "ntk_mse"), m.keySet());
    }

    @Test
    void rejectsOtherSpacesAndMalformedCells() {
        EvaluationException space = assertThrows(
                EvaluationException.class,
                () -> evaluator(Pass.BatchNorm.RUNNING).evaluate(arch("nb301", CELL), 0));
        assertTrue(space.getMessage().contains("nb301"), space.getMessage());
        EvaluationException malformed = assertThrows(
                EvaluationException.class,
                () -> evaluator(Pass.BatchNorm.RUNNING)
                        .evaluate(arch(Nb201Space.ID, "|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|"), 0));
        assertTrue(malformed.getMessage().contains("conv"), malformed.getMessage());
    }
}
