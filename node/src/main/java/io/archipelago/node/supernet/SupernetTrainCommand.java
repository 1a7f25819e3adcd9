package io.archipelago.node.supernet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.archipelago.models.supernet.CheckpointException;
import io.archipelago.models.supernet.ImageSet;
import io.archipelago.models.supernet.NdThreads;
import io.archipelago.models.supernet.SposCheckpoint;
import io.archipelago.models.supernet.SposTrainer;
import io.archipelago.models.supernet.StepResult;
import io.archipelago.models.supernet.TrainingSpec;
import io.archipelago.node.setup.OptionChecks;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code archipelago supernet train}: trains a SPOS supernet ({@link SposTrainer}) and writes, in
 * its directory, {@value #CHECKPOINT} (the latest checkpoint), {@code checkpoints/step-NNNNNNNN.spos}
 * (every checkpoint, kept), {@value #LOSS_CSV}, {@value #LOSS_PNG} and {@value #TRAIN_JSON}. Every
 * plan (the cosine schedule, checkpoints, resume) goes by step; {@code --minutes} is turned into a
 * number of steps once, at the start, from a short timing on this machine.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description =
                "Train a single-path one-shot (SPOS) supernet of NAS-Bench-201 cells; resumable from its checkpoints.")
public final class SupernetTrainCommand implements Callable<Integer> {
    static final String CHECKPOINT = "checkpoint.spos";
    static final String CHECKPOINTS = "checkpoints";
    static final String TRAIN_JSON = "train.json";
    static final String LOSS_CSV = "loss.csv";
    static final String LOSS_PNG = "loss.png";
    private static final List<String> RUN_FILES = List.of(CHECKPOINT, CHECKPOINTS, TRAIN_JSON, LOSS_CSV, LOSS_PNG);
    private static final int IMAGE_SIZE = 32;
    private static final int PROBE_WARMUP = 5;
    private static final int PROBE_STEPS = 20;
    /** A default checkpoint interval is at most this much training. */
    private static final double CHECKPOINT_SECONDS = 300;

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

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

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
        Setup setup = resume != null ? resumed() : fresh();
        return train(setup);
    }

    /** What a run needs to start: the trainer, its directory, its data spec, its plan, its loss log. */
    private record Setup(
            SposTrainer trainer,
            Path dir,
            String data,
            Map<String, Object> plan,
            Double secondsPerStep,
            LossLog log,
            boolean resumed) {}

    private Setup fresh() throws IOException {
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
        checkNewRunDirectory(out);
        String dataSpec = data == null ? "fashion-mnist" : data;
        TrainingImages source = TrainingImages.open(dataSpec);
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
            secondsPerStep = probeSecondsPerStep(base, images);
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
        return new Setup(trainer, out, dataSpec, plan, secondsPerStep, LossLog.create(out.resolve(LOSS_CSV)), false);
    }

    private Setup resumed() throws IOException {
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
        Path file = resume.resolve(CHECKPOINT);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(resume + " holds no checkpoint (" + CHECKPOINT + "): nothing to resume");
        }
        SposCheckpoint checkpoint;
        try {
            checkpoint = SposCheckpoint.read(file);
        } catch (CheckpointException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        JsonNode previous = readTrainJson(resume.resolve(TRAIN_JSON));
        String dataSpec = data;
        if (dataSpec == null) {
            if (previous == null || !previous.path("data").isTextual()) {
                throw new IllegalArgumentException(
                        resume + " has no readable " + TRAIN_JSON + " naming its data set: give it with --data");
            }
            dataSpec = previous.get("data").asText();
        }
        TrainingSpec ts = checkpoint.spec();
        TrainingImages source = TrainingImages.open(dataSpec);
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
            plan.putAll(JSON.convertValue(previous.get("plan"), Map.class));
        } else {
            plan.put("total_steps", ts.totalSteps());
        }
        Double secondsPerStep = plan.get("probe_seconds_per_step") instanceof Number x ? x.doubleValue() : null;
        LossLog log = LossLog.resume(resume.resolve(LOSS_CSV), checkpoint.step());
        return new Setup(trainer, resume, dataSpec, plan, secondsPerStep, log, true);
    }

    private static JsonNode readTrainJson(Path file) {
        try {
            return Files.isRegularFile(file) ? JSON.readTree(file.toFile()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static void checkNewRunDirectory(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + dir + " is a file, not a directory");
        }
        for (String name : RUN_FILES) {
            if (Files.exists(dir.resolve(name))) {
                throw new IllegalArgumentException("--out " + dir + " already holds a run (" + name
                        + "); continue it with --resume " + dir + " or choose another --out");
            }
        }
    }

    /** Seconds per step of a throwaway trainer of the same spec: {@value #PROBE_WARMUP} untimed steps, then up to {@value #PROBE_STEPS} timed. */
    private double probeSecondsPerStep(TrainingSpec base, ImageSet images) {
        try (SposTrainer probe = SposTrainer.create(base.withTotalSteps(PROBE_WARMUP + PROBE_STEPS), images)) {
            probe.train(PROBE_WARMUP, null);
            long t0 = System.nanoTime();
            int timed = 0;
            while (timed < PROBE_STEPS && (timed < 3 || System.nanoTime() - t0 < 10_000_000_000L)) {
                probe.trainStep();
                timed++;
            }
            return Math.max(1e-6, (System.nanoTime() - t0) / 1e9 / timed);
        }
    }

    private Integer train(Setup setup) throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        SposTrainer trainer = setup.trainer();
        TrainingSpec ts = trainer.spec();
        Path dir = setup.dir();
        long total = ts.totalSteps();
        long firstStep = trainer.step();
        long stop = stopAfter == null ? total : Math.min(total, Math.max(stopAfter, firstStep));
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
        ProgressBar progress = quiet
                ? null
                : new ProgressBarBuilder()
                        .setTaskName("supernet train")
                        .setInitialMax(total)
                        .startsFrom(firstStep, Duration.ZERO)
                        .setStyle(ProgressBarStyle.ASCII)
                        .setMaxRenderedLength(140)
                        .setUpdateIntervalMillis(250)
                        .continuousUpdate()
                        .build();
        try (SposTrainer t = trainer;
                LossLog log = setup.log()) {
            writeTrainJson(setup, "running", log, 0, t.supernet().weightsHashHex());
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
                boolean due = t.step() - lastCheckpoint >= interval || t.step() % interval == 0;
                if (due || t.step() == stop) {
                    checkpointHash = checkpoint(t, dir, log);
                    lastCheckpoint = t.step();
                    writeTrainJson(
                            setup,
                            t.done() ? "done" : (t.step() == stop ? "stopped" : "running"),
                            log,
                            imagesPerSecond,
                            t.supernet().weightsHashHex());
                }
            }
            double imagesPerSecond = stepsHere == 0 ? 0 : stepsHere * ts.batch() / (trainNanos / 1e9);
            if (stepsHere == 0) { // resumed a finished (or stopped-at) run: outputs rewritten as they are
                checkpointHash = sha256(dir.resolve(CHECKPOINT));
                writeTrainJson(
                        setup,
                        t.done() ? "done" : "stopped",
                        log,
                        imagesPerSecond,
                        t.supernet().weightsHashHex());
                LossChart.write(dir.resolve(LOSS_PNG), title(ts), log.rows());
            }
            if (progress != null) {
                progress.close();
                progress = null;
            }
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
                    t.supernet().weightsHashHex(), dir.resolve(CHECKPOINT), checkpointHash);
            stdout.flush();
        } finally {
            if (progress != null) {
                progress.close();
            }
        }
        return 0;
    }

    private static String title(TrainingSpec ts) {
        return String.format(
                Locale.ROOT,
                "SPOS supernet C=%d N=%d, batch %d, seed %d",
                ts.channels(),
                ts.cells(),
                ts.batch(),
                ts.seed());
    }

    /** Writes the checkpoint to checkpoints/ and over {@value #CHECKPOINT}, then loss.csv and loss.png; returns the file's SHA-256. */
    private static String checkpoint(SposTrainer t, Path dir, LossLog log) throws IOException {
        SposCheckpoint cp = t.checkpoint();
        Path kept = dir.resolve(CHECKPOINTS).resolve(String.format(Locale.ROOT, "step-%08d.spos", t.step()));
        cp.write(kept);
        cp.write(dir.resolve(CHECKPOINT));
        log.flush();
        LossChart.write(dir.resolve(LOSS_PNG), title(t.spec()), log.rows());
        return sha256(dir.resolve(CHECKPOINT));
    }

    private void writeTrainJson(Setup setup, String status, LossLog log, double imagesPerSecond, String weightsHash)
            throws IOException {
        SposTrainer t = setup.trainer();
        TrainingSpec ts = t.spec();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", "supernet train");
        json.put("space", "nb201");
        json.put("data", setup.data());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("channels", ts.channels());
        s.put("cells", ts.cells());
        s.put("image_size", ts.imageSize());
        s.put("classes", ts.classes());
        s.put("batch", ts.batch());
        s.put("learning_rate", ts.learningRate());
        s.put("momentum", ts.momentum());
        s.put("weight_decay", ts.weightDecay());
        s.put("total_steps", ts.totalSteps());
        s.put("train_images", ts.trainImages());
        s.put("data", ts.data());
        s.put("seed", ts.seed());
        s.put("augment", ts.augment());
        json.put("spec", s);
        json.put("plan", setup.plan());
        json.put("steps_per_epoch", ts.stepsPerEpoch());
        json.put("epochs", ts.totalSteps() / (double) ts.stepsPerEpoch());
        json.put("status", status);
        json.put("steps_done", t.step());
        json.put("threads", threads);
        json.put("omp_wait_policy_passive", NdThreads.passiveWaiting());
        int n = Math.min(100, ts.stepsPerEpoch());
        double[] recent = log.recentMeans(n);
        json.put("images_per_second", imagesPerSecond);
        json.put("final_loss", finite(recent[0]));
        json.put("final_accuracy", finite(recent[1]));
        json.put("final_window_steps", Math.min(n, log.rows().size()));
        if (Files.isRegularFile(setup.dir().resolve(CHECKPOINT))) { // written just before: its step is the trainer's
            json.put("checkpoint", CHECKPOINT);
            json.put("checkpoint_step", t.step());
            json.put("checkpoint_sha256", sha256(setup.dir().resolve(CHECKPOINT)));
            json.put("weights_sha256", weightsHash);
        }
        Path file = setup.dir().resolve(TRAIN_JSON);
        Path tmp = file.resolveSibling("." + TRAIN_JSON + ".tmp");
        Files.write(tmp, JSON.writeValueAsBytes(json));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static String sha256(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
