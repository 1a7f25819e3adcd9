package io.archipelago.node.supernet;

import com.fasterxml.jackson.databind.JsonNode;
import io.archipelago.models.data.TrainingData;
import io.archipelago.models.supernet.ImageSet;
import io.archipelago.models.supernet.NdThreads;
import io.archipelago.models.supernet.SposCheckpoint;
import io.archipelago.models.supernet.SposTrainer;
import io.archipelago.models.supernet.TrainingSpec;
import io.archipelago.node.setup.OptionChecks;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code archipelago supernet train}: trains a SPOS supernet ({@link SposTrainer}) in a {@link
 * RunDirectory}. This class holds the options, checks them, and sets a run up (new, or resumed from
 * its checkpoint); {@link TrainingLoop} trains it. Every plan (the cosine schedule, checkpoints,
 * resume) goes by step; {@code --minutes} is turned into a number of steps once, at the start, by
 * {@link StepTimeProbe}.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description =
                "Train a single-path one-shot (SPOS) supernet of NAS-Bench-201 cells; resumable from its checkpoints.")
public final class SupernetTrainCommand implements Callable<Integer> {
    private static final int IMAGE_SIZE = 32;

    @Option(
            names = "--space",
            defaultValue = "nb201",
            description = "The cell space; only nb201 (NAS-Bench-201) for now (default: ${DEFAULT-VALUE}).")
    String space;

    @Option(
            names = "--data",
            paramLabel = "SPEC",
            description = "Training images: fashion-mnist[:DIR] (its train split; t10k if DIR has no train files) or "
                    + "cifar10:DIR (its data_batch_*.bin) (default: fashion-mnist; on --resume: the run's own).")
    String data;

    @Option(names = "--channels", paramLabel = "C", description = "C, the first stage's width (default: 8).")
    Integer channels;

    @Option(names = "--cells", paramLabel = "N", description = "N, cells per stage (default: 1).")
    Integer cells;

    @Option(names = "--batch", paramLabel = "B", description = "Mini-batch size (default: 64).")
    Integer batch;

    @Option(names = "--epochs", paramLabel = "E", description = "Epochs to train (default: 1).")
    Integer epochs;

    @Option(
            names = "--minutes",
            paramLabel = "M",
            description = "Train about M minutes: the number of steps is fixed at the start from a short timing "
                    + "(not with --epochs).")
    Double minutes;

    @Option(
            names = "--train-images",
            paramLabel = "K",
            description = "Training images drawn (with the seed) from the data set (default: 10000).")
    Integer trainImages;

    @Option(
            names = "--seed",
            paramLabel = "S",
            description = "Seed of the initialisation, the images drawn and every per-step choice (default: 0).")
    Long seed;

    @Option(names = "--augment", description = "Random crop (4-pixel padding) and horizontal flip.")
    boolean augment;

    @Option(
            names = "--threads",
            defaultValue = "2",
            paramLabel = "T",
            description = "ND4J threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--checkpoint-every",
            paramLabel = "STEPS",
            description = "Checkpoint every STEPS steps (default: every 10% of the run, at most 5 minutes apart).")
    Long checkpointEvery;

    @Option(
            names = "--quarter-checkpoints",
            description = "Also checkpoint at 1/4, 1/2 and 3/4 of the run's steps (what bench supernet evaluates).")
    boolean quarterCheckpoints;

    @Option(names = "--out", paramLabel = "DIR", description = "Directory of a new run (must not hold a run).")
    Path out;

    @Option(
            names = "--resume",
            paramLabel = "DIR",
            description = "Continue the run in DIR from its checkpoint, with its spec and images.")
    Path resume;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Option(
            names = "--stop-after",
            hidden = true,
            paramLabel = "STEPS",
            description = "Testing: checkpoint and stop once STEPS steps are done, as if killed after that checkpoint.")
    Long stopAfter;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!"nb201".equalsIgnoreCase(space.strip())) {
            throw new IllegalArgumentException("unknown --space '" + space + "': only nb201 has a supernet");
        }
        OptionChecks.positive("--threads", threads);
        if (checkpointEvery != null) {
            OptionChecks.positive("--checkpoint-every", checkpointEvery);
        }
        if (stopAfter != null) {
            OptionChecks.positive("--stop-after", stopAfter);
        }
        if (out != null && resume != null) {
            throw new IllegalArgumentException("--out and --resume exclude each other: --resume continues its own DIR");
        }
        TrainSetup setup = resume != null ? resumed() : fresh();
        return new TrainingLoop(
                        spec.commandLine().getOut(), quiet, stopAfter, checkpointEvery, quarterCheckpoints, threads)
                .run(setup);
    }

    /**
     * Runs {@code supernet train ARGS} inside another command, printing to {@code out}. Errors are
     * thrown, not printed: bad arguments as {@link IllegalArgumentException}, so the calling command
     * reports them as its own.
     */
    public static int execute(PrintWriter out, String... args) throws Exception {
        SupernetTrainCommand command = new SupernetTrainCommand();
        CommandLine cli = new CommandLine(command);
        cli.setOut(out);
        try {
            cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return command.call();
    }

    private TrainSetup fresh() throws IOException {
        if (out == null) {
            throw new IllegalArgumentException("--out DIR is required for a new run (or --resume DIR)");
        }
        int c = channels == null ? 8 : channels;
        int n = cells == null ? 1 : cells;
        int b = batch == null ? 64 : batch;
        int k = trainImages == null ? 10_000 : trainImages;
        long s = seed == null ? 0 : seed;
        OptionChecks.positive("--channels", c);
        OptionChecks.positive("--cells", n);
        OptionChecks.positive("--batch", b);
        if (epochs != null && minutes != null) {
            throw new IllegalArgumentException("--epochs and --minutes exclude each other");
        }
        if (epochs != null) {
            OptionChecks.positive("--epochs", epochs);
        }
        if (minutes != null && !(minutes > 0 && Double.isFinite(minutes))) {
            throw new IllegalArgumentException("--minutes must be > 0, got " + minutes);
        }
        if (k < b) {
            throw new IllegalArgumentException(
                    "--train-images " + k + " is smaller than one batch (--batch " + b + ")");
        }
        RunDirectory.checkNew(out);
        String dataSpec = data == null ? "fashion-mnist" : data;
        TrainingData source = TrainingData.train(dataSpec);
        if (k > source.dataset().size()) {
            throw new IllegalArgumentException("--train-images " + k + " but " + source.description() + " has only "
                    + source.dataset().size() + " images");
        }
        NdThreads.configure(threads);
        ImageSet images = ImageSet.sample(source.dataset(), k, s, IMAGE_SIZE, source.description());
        TrainingSpec base = new TrainingSpec(
                c, n, IMAGE_SIZE, images.classes(), b, 0.025, 0.9, 5e-4, 1, k, images.description(), s, augment);
        Map<String, Object> plan = new LinkedHashMap<>();
        long steps;
        Double secondsPerStep = null;
        if (minutes != null) {
            secondsPerStep = StepTimeProbe.secondsPerStep(base, images);
            steps = Math.max(1, (long) Math.floor(minutes * 60 / secondsPerStep));
            plan.put("by", "minutes");
            plan.put("minutes", minutes);
            plan.put("probe_seconds_per_step", secondsPerStep);
        } else {
            int e = epochs == null ? 1 : epochs;
            steps = TrainingSpec.stepsFor(e, k, b);
            plan.put("by", "epochs");
            plan.put("epochs", e);
        }
        plan.put("total_steps", steps);
        Files.createDirectories(out);
        SposTrainer trainer = SposTrainer.create(base.withTotalSteps(steps), images);
        RunDirectory run = new RunDirectory(out);
        return new TrainSetup(trainer, run, dataSpec, plan, secondsPerStep, LossLog.create(run.lossCsv()), 0.0);
    }

    private TrainSetup resumed() throws IOException {
        for (Object[] given : new Object[][] {
            {"--channels", channels},
            {"--cells", cells},
            {"--batch", batch},
            {"--epochs", epochs},
            {"--minutes", minutes},
            {"--train-images", trainImages},
            {"--seed", seed},
            {"--augment", augment ? Boolean.TRUE : null}
        }) {
            if (given[1] != null) {
                throw new IllegalArgumentException(
                        given[0] + " cannot be given with --resume: the run goes on with its checkpoint's spec");
            }
        }
        RunDirectory run = new RunDirectory(resume);
        SposCheckpoint checkpoint = run.readCheckpoint();
        JsonNode previous = run.readTrainJson();
        String dataSpec = data;
        if (dataSpec == null) {
            if (previous == null || !previous.path("data").isTextual()) {
                throw new IllegalArgumentException(resume + " has no readable " + RunDirectory.TRAIN_JSON
                        + " naming its data set: give it with --data");
            }
            dataSpec = previous.get("data").asText();
        }
        TrainingSpec ts = checkpoint.spec();
        TrainingData source = TrainingData.train(dataSpec);
        if (ts.trainImages() > source.dataset().size()) {
            throw new IllegalArgumentException("the checkpoint was trained on " + ts.trainImages() + " images, but "
                    + source.description() + " has only " + source.dataset().size());
        }
        NdThreads.configure(threads);
        ImageSet images =
                ImageSet.sample(source.dataset(), ts.trainImages(), ts.seed(), ts.imageSize(), source.description());
        SposTrainer trainer = SposTrainer.resume(checkpoint, images); // refuses other images (IllegalArgumentException)
        Map<String, Object> plan = new LinkedHashMap<>();
        if (previous != null && previous.path("plan").isObject()) {
            plan.putAll(RunDirectory.asMap(previous.get("plan")));
        } else {
            plan.put("total_steps", ts.totalSteps());
        }
        Double secondsPerStep = plan.get("probe_seconds_per_step") instanceof Number x ? x.doubleValue() : null;
        LossLog log = LossLog.resume(run.lossCsv(), checkpoint.step());
        // train.json is written with every checkpoint: its training seconds are those of the checkpoint's steps
        Double secondsBefore =
                previous != null && previous.path("training_seconds").isNumber()
                        ? previous.get("training_seconds").asDouble()
                        : null;
        return new TrainSetup(trainer, run, dataSpec, plan, secondsPerStep, log, secondsBefore);
    }
}
