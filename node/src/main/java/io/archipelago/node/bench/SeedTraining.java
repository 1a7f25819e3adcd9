package io.archipelago.node.bench;

import io.archipelago.models.supernet.CheckpointException;
import io.archipelago.models.supernet.SposCheckpoint;
import io.archipelago.node.supernet.RunDirectory;
import io.archipelago.node.supernet.SupernetTrainCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One seed of {@code bench supernet}: a {@code supernet train --quarter-checkpoints} run in its own
 * directory, started, resumed from its checkpoint (after a kill or {@code --stop-after}), or left
 * alone when it is finished. Going through the command itself keeps the bench's runs the same as
 * the ones {@code supernet train} makes by hand.
 */
final class SeedTraining {
    private final SupernetBenchSettings settings;
    private final int threads;
    private final boolean quiet;
    private final Long stopAfter;
    private final PrintWriter out;

    SeedTraining(SupernetBenchSettings settings, int threads, boolean quiet, Long stopAfter, PrintWriter out) {
        this.settings = settings;
        this.threads = threads;
        this.quiet = quiet;
        this.stopAfter = stopAfter;
        this.out = out;
    }

    /** Where a run stands: its latest checkpoint's step, of its total steps. */
    record Progress(long step, long total) {
        boolean done() {
            return step == total;
        }
    }

    /** Trains seed {@code seed} in {@code dir} as far as it goes; returns where it stands then. */
    Progress train(long seed, Path dir) throws Exception {
        RunDirectory run = new RunDirectory(dir);
        Progress at = progress(run);
        if (at != null && at.done()) {
            out.printf("seed %d: trained already (%d steps)%n", seed, at.total());
            return at;
        }
        List<String> args = new ArrayList<>();
        if (at != null) {
            out.printf("seed %d: resuming at step %d of %d%n", seed, at.step(), at.total());
            args.addAll(List.of("--resume", dir.toString()));
        } else {
            if (Files.isDirectory(dir)) {
                // Killed before its first checkpoint: nothing to resume. Scores left beside it were of
                // other weights (its checkpoint deleted by hand), and a new run may reach the same steps.
                run.discardUnstarted();
                CheckpointScores.deleteAll(dir);
            }
            out.printf("seed %d: training%n", seed);
            args.addAll(newRun(seed, dir));
        }
        args.addAll(List.of("--data", settings.data(), "--quarter-checkpoints", "--threads", String.valueOf(threads)));
        if (quiet) {
            args.add("--quiet");
        }
        if (stopAfter != null) {
            args.addAll(List.of("--stop-after", stopAfter.toString()));
        }
        out.flush();
        SupernetTrainCommand.execute(out, args.toArray(String[]::new));
        return progress(run);
    }

    private List<String> newRun(long seed, Path dir) {
        SupernetBenchSettings s = settings;
        List<String> args = new ArrayList<>(List.of(
                "--out",
                dir.toString(),
                "--seed",
                String.valueOf(seed),
                "--channels",
                String.valueOf(s.channels()),
                "--cells",
                String.valueOf(s.cells()),
                "--batch",
                String.valueOf(s.batch()),
                "--train-images",
                String.valueOf(s.trainImages())));
        if (s.minutes() != null) {
            args.addAll(List.of("--minutes", s.minutes().toString()));
        } else {
            args.addAll(List.of("--epochs", s.epochs().toString()));
        }
        if (s.augment()) {
            args.add("--augment");
        }
        return args;
    }

    /** The step and total steps of the run's latest checkpoint, or null when it has none. */
    static Progress progress(RunDirectory run) throws IOException {
        Path file = run.checkpointFile();
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            SposCheckpoint cp = SposCheckpoint.read(file);
            return new Progress(cp.step(), cp.spec().totalSteps());
        } catch (CheckpointException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
