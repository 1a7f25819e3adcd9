package io.archipelago.node.setup;

import io.archipelago.evaluators.supernet.SharedSupernet;
import io.archipelago.models.data.TrainingData;
import io.archipelago.models.supernet.CheckpointException;
import io.archipelago.models.supernet.EvalImages;
import io.archipelago.models.supernet.HeldOutImages;
import io.archipelago.models.supernet.ImageSet;
import io.archipelago.models.supernet.SposCheckpoint;
import io.archipelago.models.supernet.TrainingSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How the {@code supernet} evaluator scores candidates: which trained supernet (a {@code supernet
 * train} run directory or one of its checkpoint files) and how many held-out images. The images
 * come from the training split of {@code --data} (the set the supernet was trained on), minus the
 * images it trained on, drawn with a fixed seed, so every node of a cluster scores on the same
 * images without being told which.
 */
public final class SupernetOptions {
    /** The seed of the held-out images: fixed, so every node draws the same ones. */
    static final long IMAGES_SEED = 0;

    private static final String CHECKPOINT = "checkpoint.spos";

    @Option(
            names = "--supernet",
            paramLabel = "DIR",
            description =
                    "supernet evaluator: a `supernet train` run directory (its latest checkpoint) or a checkpoint "
                            + "file.")
    public Path supernet;

    @Option(
            names = "--eval-images",
            defaultValue = "2000",
            description =
                    "supernet evaluator: held-out images each candidate is scored on (default: ${DEFAULT-VALUE}).")
    public int evalImages;

    @Option(
            names = "--eval-batch",
            defaultValue = "250",
            description =
                    "supernet evaluator: images per batch; batch norm uses each batch's statistics, so this is part "
                            + "of the score (default: ${DEFAULT-VALUE}).")
    public int evalBatch;

    /** The checkpoint file {@code --supernet} names. */
    Path checkpointFile() {
        if (supernet == null) {
            throw new IllegalArgumentException("--evaluator supernet needs --supernet DIR (a `supernet train` run)");
        }
        Path file = Files.isDirectory(supernet) ? supernet.resolve(CHECKPOINT) : supernet;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--supernet " + supernet + ": no checkpoint there ("
                    + (Files.isDirectory(supernet) ? "no " + CHECKPOINT : "no such file") + ")");
        }
        return file;
    }

    /** Checks the options that need no file, naming the bad one. */
    void check() {
        OptionChecks.positive("--eval-images", evalImages);
        OptionChecks.positive("--eval-batch", evalBatch);
        checkpointFile();
    }

    /**
     * Reads the supernet and draws its held-out images from {@code data}.
     *
     * @throws IllegalArgumentException for an unreadable checkpoint, or data that is not what it was trained on
     */
    SharedSupernet load(String data) {
        Path file = checkpointFile();
        SposCheckpoint checkpoint;
        try {
            checkpoint = SposCheckpoint.read(file);
        } catch (CheckpointException e) {
            throw new IllegalArgumentException("--supernet " + supernet + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "--supernet " + supernet + ": cannot read " + file + ": " + e.getMessage(), e);
        }
        TrainingSpec spec = checkpoint.spec();
        TrainingData split = TrainingData.train(data);
        int total = split.dataset().size();
        // as ImageSet.sample describes the images it trains on: same split, same size
        String trainedOn = split.description() + ", " + Math.min(spec.trainImages(), total) + " of " + total + " ";
        if (!spec.data().startsWith(trainedOn)) {
            throw new IllegalArgumentException("--supernet " + supernet + " was trained on '" + spec.data()
                    + "', but --data " + data + " is '" + split.description() + "'");
        }
        ImageSet images = HeldOutImages.of(split.dataset(), spec, evalImages, IMAGES_SEED, split.description());
        return SharedSupernet.of(checkpoint, EvalImages.of(images, evalBatch));
    }
}
