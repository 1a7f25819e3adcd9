package io.archipelago.evaluators.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.models.supernet.NdThreads;
import io.archipelago.models.supernet.StandaloneImages;
import io.archipelago.proto.Architecture;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The train evaluator on the tiny Fashion-MNIST copy (64 t10k images): C=2, N=1, 16px, batches of 8. */
class TrainEvaluatorTest {
    static final Path TINY = Path.of("../models/src/test/resources/fashion-mnist")
            .toAbsolutePath()
            .normalize();
    static final String CELL =
            "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|avg_pool_3x3~1|nor_conv_3x3~2|";

    static TrainSettings settings;
    static StandaloneImages images;

    @BeforeAll
    static void tinyImages() {
        settings = new TrainSettings("fashion-mnist:" + TINY, 2, 1, 16, 8, 24, 16, 16, 2, 0, 0, 1, false);
        NdThreads.configure(1);
        images = TrainEvaluator.images(settings);
    }

    static Architecture nb201(String cell) {
        return Architecture.newBuilder()
                .setSpace(Nb201Space.ID)
                .setEncoding(cell)
                .build();
    }

    @Test
    void reportsAccuraciesLossParamsAndOneIntermediatePerEpoch() throws EvaluationException {
        Evaluation e = new TrainEvaluator(settings, images).evaluate(nb201(CELL), 0);
        assertEquals(
                Set.of("valid_accuracy", "test_accuracy", "train_loss", "params"),
                e.metrics().keySet());
        double valid = e.metrics().get("valid_accuracy");
        assertTrue(valid >= 0 && valid <= 100, "percent: " + valid);
        assertTrue(e.metrics().get("params") > 0);
        assertEquals(2, e.intermediates().size());
        assertEquals(1, e.intermediates().get(0).step());
        assertEquals(valid, e.intermediates().get(1).metrics().get("valid_accuracy"));
        assertTrue(
                e.labels().get("train_recipe").contains("2 epochs"), e.labels().toString());
        assertTrue(e.costSeconds() > 0);

        assertEquals(
                3,
                new TrainEvaluator(settings, images)
                        .evaluate(nb201(CELL), 3)
                        .intermediates()
                        .size());
    }

    @Test
    void theSameSeedGivesTheSameNumbersAndAnotherSeedOthers() throws EvaluationException {
        Evaluation a = new TrainEvaluator(settings, images).evaluate(nb201(CELL), 1);
        Evaluation b = new TrainEvaluator(settings, TrainEvaluator.images(settings)).evaluate(nb201(CELL), 1);
        assertEquals(a.metrics(), b.metrics());
        assertEquals(
                a.intermediates().get(0).metrics(), b.intermediates().get(0).metrics());
        Evaluation c = new TrainEvaluator(settings.withSeed(1), images).evaluate(nb201(CELL), 1);
        assertNotEquals(a.metrics().get("train_loss"), c.metrics().get("train_loss"));
    }

    @Test
    void eachEpochIsReportedAsItEndsAndAStopEndsTheTrainingThere() throws EvaluationException {
        java.util.List<Integer> reported = new java.util.ArrayList<>();
        Evaluation stopped = new TrainEvaluator(settings, images).evaluate(nb201(CELL), 3, (step, metrics) -> {
            reported.add(step);
            assertTrue(metrics.containsKey(TrainEvaluator.VALID_ACCURACY), metrics.toString());
            return step < 2; // stop after the second epoch
        });
        assertEquals(java.util.List.of(1, 2), reported);
        assertEquals("2", stopped.labels().get(Evaluation.STOPPED_AT_STEP));
        assertEquals(2, stopped.intermediates().size());
        assertEquals(
                stopped.intermediates().get(1).metrics().get(TrainEvaluator.VALID_ACCURACY),
                stopped.metrics().get(TrainEvaluator.VALID_ACCURACY));
        assertTrue(stopped.metrics().get(TrainEvaluator.PARAMS) > 0);
        assertFalse(stopped.metrics().containsKey(TrainEvaluator.TEST_ACCURACY), "the test images are not evaluated");

        // the same run up to the stop: the 3-epoch training unstopped has the same first two epochs
        Evaluation full = new TrainEvaluator(settings, images).evaluate(nb201(CELL), 3, (step, metrics) -> true);
        assertEquals(3, full.intermediates().size());
        assertEquals(
                full.intermediates().get(1).metrics(),
                stopped.intermediates().get(1).metrics());
    }

    @Test
    void aCellWithoutAPathReportsChanceUntrained() throws EvaluationException {
        Evaluation e = new TrainEvaluator(settings, images)
                .evaluate(nb201("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"), 0);
        assertEquals(10.0, e.metrics().get("valid_accuracy"), 1e-9);
        assertEquals(0, e.intermediates().size());
        assertTrue(e.labels().containsKey("untrained"));
    }

    @Test
    void otherSpacesAndBadCellsFailWithTheReason() {
        TrainEvaluator evaluator = new TrainEvaluator(settings, images);
        EvaluationException space = assertThrows(
                EvaluationException.class,
                () -> evaluator.evaluate(
                        Architecture.newBuilder()
                                .setSpace("nb101")
                                .setEncoding("x")
                                .build(),
                        0));
        assertTrue(space.getMessage().contains("nb101"), space.getMessage());
        assertThrows(EvaluationException.class, () -> evaluator.evaluate(nb201("|nope~0|"), 0));
        assertThrows(EvaluationException.class, () -> evaluator.evaluate(nb201(CELL), -1));
    }
}
