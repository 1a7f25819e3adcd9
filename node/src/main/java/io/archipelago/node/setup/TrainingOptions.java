package io.archipelago.node.setup;

import io.archipelago.evaluators.train.TrainSettings;
import picocli.CommandLine.Option;

/**
 * How the {@code train} evaluator trains each cell alone. The names carry a {@code --train-}
 * prefix so that they do not clash with the options of {@code search} (its {@code --seed}, and
 * TEG's {@code --data}, whose value names the data set here too).
 */
public final class TrainingOptions {
    /** The images of {@code supernet train}'s default seed, so the truth is trained on the supernet's images. */
    static final long IMAGE_SEED = 0;

    static final int IMAGE_SIZE = 32;

    @Option(
            names = "--train-epochs",
            defaultValue = "4",
            paramLabel = "E",
            description = "Epochs each cell is trained alone when the search asks for no fidelity "
                    + "(default: ${DEFAULT-VALUE}).")
    public int epochs;

    @Option(
            names = "--train-images",
            defaultValue = "10000",
            paramLabel = "K",
            description = "Training images, drawn from the data set's train split as supernet train --train-images K "
                    + "draws them (default: ${DEFAULT-VALUE}).")
    public int trainImages;

    @Option(
            names = "--train-valid-images",
            defaultValue = "5000",
            paramLabel = "V",
            description = "Validation images, from the train split but none of the training ones "
                    + "(default: ${DEFAULT-VALUE}).")
    public int validImages;

    @Option(
            names = "--train-test-images",
            defaultValue = "10000",
            paramLabel = "T",
            description = "Test images, from the test split; only reported (default: ${DEFAULT-VALUE}).")
    public int testImages;

    @Option(
            names = "--train-channels",
            defaultValue = "8",
            paramLabel = "C",
            description = "C of the trained network (default: ${DEFAULT-VALUE}).")
    public int channels;

    @Option(
            names = "--train-cells",
            defaultValue = "1",
            paramLabel = "N",
            description = "N, cells per stage of the trained network (default: ${DEFAULT-VALUE}).")
    public int cells;

    @Option(
            names = "--train-batch",
            defaultValue = "64",
            paramLabel = "B",
            description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    public int batch;

    @Option(
            names = "--train-threads",
            defaultValue = "2",
            paramLabel = "T",
            description = "ND4J threads of the process (default: ${DEFAULT-VALUE}).")
    public int threads;

    @Option(names = "--train-augment", description = "Random crop (4-pixel padding) and horizontal flip.")
    public boolean augment;

    /**
     * The evaluator's settings on data set {@code data} ({@code fashion-mnist[:DIR]} or
     * {@code cifar10:DIR}) with training seed {@code seed}.
     *
     * @throws IllegalArgumentException naming the bad option
     */
    public TrainSettings settings(String data, long seed) {
        OptionChecks.positive("--train-epochs", epochs);
        OptionChecks.positive("--train-images", trainImages);
        OptionChecks.positive("--train-valid-images", validImages);
        OptionChecks.positive("--train-test-images", testImages);
        OptionChecks.positive("--train-channels", channels);
        OptionChecks.positive("--train-cells", cells);
        OptionChecks.positive("--train-batch", batch);
        OptionChecks.positive("--train-threads", threads);
        if (trainImages < batch) {
            throw new IllegalArgumentException(
                    "--train-images " + trainImages + " is smaller than one batch (--train-batch " + batch + ")");
        }
        return new TrainSettings(
                data,
                channels,
                cells,
                IMAGE_SIZE,
                batch,
                trainImages,
                validImages,
                testImages,
                epochs,
                IMAGE_SEED,
                seed,
                threads,
                augment);
    }
}
