package io.archipelago.node.supernet;

import io.archipelago.models.supernet.SposTrainer;
import io.archipelago.models.supernet.StepResult;
import io.archipelago.models.supernet.TrainingSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Trains a set-up run to its last step (or {@code --stop-after}): one step at a time, with the
 * progress bar, a checkpoint (and train.json) every interval, and the closing summary on stdout.
 */
final class TrainingLoop {
    /** A default checkpoint interval is at most this much training. */
    private static final double CHECKPOINT_SECONDS = 300;

    private final PrintWriter stdout;
    private final boolean quiet;
    private final Long stopAfter;
    private final Long checkpointEvery;
    private final boolean quarterCheckpoints;
    private final int threads;

    TrainingLoop(
            PrintWriter stdout,
            boolean quiet,
            Long stopAfter,
            Long checkpointEvery,
            boolean quarterCheckpoints,
            int threads) {
        this.stdout = stdout;
        this.quiet = quiet;
        this.stopAfter = stopAfter;
        this.checkpointEvery = checkpointEvery;
        this.quarterCheckpoints = quarterCheckpoints;
        this.threads = threads;
    }

    int run(TrainSetup setup) throws IOException {
        SposTrainer trainer = setup.trainer();
        TrainingSpec ts = trainer.spec();
        RunDirectory run = setup.run();
        long total = ts.totalSteps();
        long firstStep = trainer.step();
        long stop = stopAfter == null ? total : Math.min(total, Math.max(stopAfter, firstStep));
        // Default: every 10% of the run, but at most CHECKPOINT_SECONDS apart: from the probe's timing
        // when there is one, else from the first 20 steps timed here.
        long interval = checkpointEvery != null ? checkpointEvery : Math.max(1, (total + 9) / 10);
        boolean intervalFixed = checkpointEvery != null;
        if (!intervalFixed && setup.secondsPerStep() != null) {
            interval = Math.min(interval, Math.max(1, (long) (CHECKPOINT_SECONDS / setup.secondsPerStep())));
            intervalFixed = true;
        }
        long lastCheckpoint = firstStep;
        long trainNanos = 0;
        long stepsHere = 0;
        String checkpointHash = null;
        int perEpoch = ts.stepsPerEpoch();
        long epochs = (total + perEpoch - 1) / perEpoch;
        ProgressBar progress = quiet ? null : progressBar(total, firstStep);
        try (SposTrainer t = trainer;
                LossLog log = setup.log()) {
            TrainJson.write(
                    setup,
                    "running",
                    log,
                    0,
                    setup.trainingSecondsBefore(),
                    t.supernet().weightsHashHex(),
                    threads);
            while (t.step() < stop) {
                long t0 = System.nanoTime();
                StepResult r = t.trainStep();
                trainNanos += System.nanoTime() - t0;
                stepsHere++;
                log.add(r);
                if (!intervalFixed && stepsHere == 20) {
                    double perStep = trainNanos / 1e9 / stepsHere;
                    interval = Math.min(interval, Math.max(1, (long) (CHECKPOINT_SECONDS / perStep)));
                    intervalFixed = true;
                }
                double imagesPerSecond = stepsHere * ts.batch() / (trainNanos / 1e9);
                if (progress != null) {
                    double[] recent = log.recentMeans(Math.min(100, perEpoch));
                    progress.setExtraMessage(String.format(
                            Locale.ROOT,
                            " epoch %d/%d loss %.4f acc %.3f %.0f img/s",
                            Math.min(t.step(), total - 1) / perEpoch + 1,
                            epochs,
                            recent[0],
                            recent[1],
                            imagesPerSecond));

                    progress.stepTo(t.step());
                }
                // Also on multiples of the interval: checkpoints keep to the same steps when a run is resumed.
                boolean due = t.step() - lastCheckpoint >= interval
                        || t.step() % interval == 0
                        || (quarterCheckpoints && QuarterCheckpoints.isQuarter(t.step(), total));
                if (due || t.step() == stop) {
                    checkpointHash = run.saveCheckpoint(t, log);
                    lastCheckpoint = t.step();
                    TrainJson.write(
                            setup,
                            t.done() ? "done" : (t.step() == stop ? "stopped" : "running"),
                            log,
                            imagesPerSecond,
                            trainingSeconds(setup, trainNanos),
                            t.supernet().weightsHashHex(),
                            threads);
                }
            }
            double imagesPerSecond = stepsHere == 0 ? 0 : stepsHere * ts.batch() / (trainNanos / 1e9);
            if (stepsHere == 0) { // resumed a finished (or stopped-at) run: outputs rewritten as they are
                checkpointHash = run.checkpointSha256();
                TrainJson.write(
                        setup,
                        t.done() ? "done" : "stopped",
                        log,
                        imagesPerSecond,
                        setup.trainingSecondsBefore(),
                        t.supernet().weightsHashHex(),
                        threads);
                run.writeLossChart(ts, log);
            }
            if (progress != null) {
                progress.close();
                progress = null;
            }
            summary(t, total, stepsHere, imagesPerSecond, log, run, checkpointHash);
        } finally {
            if (progress != null) {
                progress.close();
            }
        }
        return 0;
    }

    private static ProgressBar progressBar(long total, long firstStep) {
        return new ProgressBarBuilder()
                .setTaskName("supernet train")
                .setInitialMax(total)
                .startsFrom(firstStep, Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII)
                .setMaxRenderedLength(140)
                .setUpdateIntervalMillis(250)
                .continuousUpdate()
                .build();
    }

    private void summary(
            SposTrainer t,
            long total,
            long stepsHere,
            double imagesPerSecond,
            LossLog log,
            RunDirectory run,
            String checkpointHash) {
        int perEpoch = t.spec().stepsPerEpoch();
        double[] recent = log.recentMeans(Math.min(100, perEpoch));
        stdout.printf(
                Locale.ROOT,
                "supernet train: %s at step %d of %d (%d this run, %.1f img/s); loss %.4f, accuracy %.4f "
                        + "(mean of the last %d steps)%n",
                t.done() ? "done" : "stopped",
                t.step(),
                total,
                stepsHere,
                imagesPerSecond,
                recent[0],
                recent[1],
                Math.min(log.rows().size(), Math.min(100, perEpoch)));
        stdout.printf(
                "  weights sha256 %s%n  checkpoint %s (sha256 %s)%n",
                t.supernet().weightsHashHex(), run.checkpointFile(), checkpointHash);
        stdout.flush();
    }

    /** All training seconds up to now: earlier processes' and this one's (null when the earlier ones are unknown). */
    private static Double trainingSeconds(TrainSetup setup, long trainNanos) {
        return setup.trainingSecondsBefore() == null ? null : setup.trainingSecondsBefore() + trainNanos / 1e9;
    }
}
