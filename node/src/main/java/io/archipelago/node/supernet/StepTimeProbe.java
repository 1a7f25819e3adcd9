package io.archipelago.node.supernet;

import io.archipelago.models.supernet.ImageSet;
import io.archipelago.models.supernet.SposTrainer;
import io.archipelago.models.supernet.TrainingSpec;

/**
 * Turns {@code --minutes} into steps: times a throwaway trainer of the run's own spec on this
 * machine, once, before the run starts. Every plan after that (the cosine schedule, checkpoints,
 * resume) goes by step, so a resumed run never re-times and its schedule does not move.
 */
final class StepTimeProbe {
    /** Untimed first steps: JIT and ND4J warm-up would inflate the estimate. */
    private static final int WARMUP = 5;

    private static final int STEPS = 20;

    private StepTimeProbe() {}

    /**
     * Seconds per step: {@value #WARMUP} untimed steps, then up to {@value #STEPS} timed (at least 3,
     * and no more once 10 seconds have passed, so a slow spec does not spend minutes probing).
     */
    static double secondsPerStep(TrainingSpec base, ImageSet images) {
        try (SposTrainer probe = SposTrainer.create(base.withTotalSteps(WARMUP + STEPS), images)) {
            probe.train(WARMUP, null);
            long t0 = System.nanoTime();
            int timed = 0;
            while (timed < STEPS && (timed < 3 || System.nanoTime() - t0 < 10_000_000_000L)) {
                probe.trainStep();
                timed++;
            }
            return Math.max(1e-6, (System.nanoTime() - t0) / 1e9 / timed);
        }
    }
}
