package io.archipelago.models.supernet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.models.data.FashionMnist;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Evaluation with inherited weights, and a short real training run on the shipped Fashion-MNIST sample. */
class SupernetEvaluatorTest {
    @org.junit.jupiter.api.BeforeAll
    static void oneThread() {
        NdThreads.configure(1); // ND4J's default (every core) makes these tiny ops many times slower on a busy machine
    }

    static ImageSet fashionSample(int size) {
        try {
            Path dir = Path.of(SupernetEvaluatorTest.class
                            .getResource("/fashion-mnist/t10k-images-idx3-ubyte.gz")
                            .toURI())
                    .getParent();
            return ImageSet.sample(FashionMnist.open(dir), 64, 0, size, "fashion-mnist t10k sample");
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void batchesAreEqualAndFixed() {
        ImageSet data = SposTrainerTest.synthetic(); // 48 images
        EvalImages e = EvalImages.of(data, 20);
        assertEquals(3, e.batchCount());
        assertArrayEquals(new int[] {16, 16, 16}, new int[] {e.batchSize(0), e.batchSize(1), e.batchSize(2)});
        EvalImages f = EvalImages.of(data, 10); // 5 batches: 10 10 10 9 9
        assertEquals(5, f.batchCount());
        assertEquals(10, f.batchSize(0));
        assertEquals(9, f.batchSize(4));
    }

    @Test
    void evaluationIsDeterministicAndThreadSafe() throws Exception {
        ImageSet data = SposTrainerTest.synthetic();
        EvalImages images = EvalImages.of(data, 16);
        SposSupernet net;
        try (SposTrainer t = SposTrainer.create(SposTrainerTest.spec(data, 10, 8, false), data)) {
            t.train(3, null);
            net = t.supernet();
        }
        List<Nb201Cell> cells = new ArrayList<>();
        for (int s = 0; s < 8; s++) {
            cells.add(SposTrainer.cellAt(77, s));
        }
        try (SupernetEvaluator ev = new SupernetEvaluator(net)) {
            List<Evaluation> sequential = new ArrayList<>();
            for (Nb201Cell c : cells) {
                Evaluation e = ev.evaluate(c, images);
                assertEquals(e, ev.evaluate(c, images), "same result twice");
                assertTrue(e.accuracy() >= 0 && e.accuracy() <= 1);
                assertTrue(e.meanLoss() > 0);
                assertEquals(net.childParameterCount(c), e.childParameters());
                sequential.add(e);
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Evaluation>> futures = new ArrayList<>();
                for (int round = 0; round < 2; round++) {
                    for (Nb201Cell c : cells) {
                        futures.add(pool.submit(() -> ev.evaluate(c, images)));
                    }
                }
                for (int i = 0; i < futures.size(); i++) {
                    assertEquals(
                            sequential.get(i % cells.size()), futures.get(i).get(), "concurrent evaluation " + i);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void shortTrainingOnFashionMnistLowersTheLoss() {
        ImageSet data = fashionSample(16);
        EvalImages images = EvalImages.of(data, 32);
        TrainingSpec spec =
                new TrainingSpec(4, 1, 16, 10, 8, 0.05, 0.9, 5e-4, 64, data.size(), data.description(), 0, false);
        List<Nb201Cell> cells = List.of(
                SposTrainer.cellAt(5, 0),
                SposTrainer.cellAt(5, 1),
                SposTrainer.cellAt(5, 2),
                SposTrainerTest.parse(
                        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"));
        try (SposTrainer t = SposTrainer.create(spec, data);
                SupernetEvaluator ev = new SupernetEvaluator(t.supernet())) {
            double before = meanLoss(ev, cells, images);
            List<StepResult> steps = new ArrayList<>();
            t.train(64, steps::add);
            assertTrue(t.done());
            double after = meanLoss(ev, cells, images);
            double firstEpoch = steps.subList(0, 8).stream()
                    .mapToDouble(StepResult::loss)
                    .average()
                    .orElseThrow();
            double lastEpoch = steps.subList(56, 64).stream()
                    .mapToDouble(StepResult::loss)
                    .average()
                    .orElseThrow();
            System.out.printf(
                    "fashion-mnist sample: eval loss %.3f -> %.3f, training loss %.3f -> %.3f%n",
                    before, after, firstEpoch, lastEpoch);
            assertTrue(after < before - 0.05, "eval loss " + before + " -> " + after);
            assertTrue(lastEpoch < firstEpoch, "training loss " + firstEpoch + " -> " + lastEpoch);
        }
    }

    private static double meanLoss(SupernetEvaluator ev, List<Nb201Cell> cells, EvalImages images) {
        return cells.stream()
                .mapToDouble(c -> ev.evaluate(c, images).meanLoss())
                .average()
                .orElseThrow();
    }
}
