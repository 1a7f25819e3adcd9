package io.archipelago.evaluators.train;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.Evaluator;
import io.archipelago.evaluators.Progress;
import io.archipelago.models.data.TrainingData;
import io.archipelago.models.supernet.NdThreads;
import io.archipelago.models.supernet.Precision;
import io.archipelago.models.supernet.SposSupernet;
import io.archipelago.models.supernet.StandaloneImages;
import io.archipelago.models.supernet.StandaloneTraining;
import io.archipelago.models.supernet.TrainingSpec;
import io.archipelago.proto.Architecture;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains each NAS-Bench-201 cell alone, from scratch ({@link StandaloneTraining}), and reports
 * {@code valid_accuracy} and {@code test_accuracy} in percent (as the NB201 table does) after the
 * last epoch, {@code params} (the network's parameters), {@code train_loss} (the last epoch's mean
 * mini-batch loss), and per epoch an intermediate result with {@code valid_accuracy},
 * {@code valid_loss} and {@code train_loss}. The fidelity is the number of epochs (0: the
 * settings' default); the learning rate anneals to 0 over the epochs asked for, so 4 epochs is its
 * own run, not the first 4 of 12 (as NB201's 12- and 200-epoch columns).
 *
 * <p>A cell with no input-to-output path of non-{@code none} edges computes a constant: it is not
 * trained, and reports chance (100 / classes percent) with a loss of ln(classes) and no learning
 * curve, as NB201 lists such cells at chance; the {@code untrained} label says why.
 *
 * <p>Deterministic per (settings, cell, epochs): the numbers, not the seconds, repeat exactly.
 */
public final class TrainEvaluator implements Evaluator {
    public static final String KIND = "train";
    public static final String VALID_ACCURACY = "valid_accuracy";
    public static final String TEST_ACCURACY = "test_accuracy";
    public static final String VALID_LOSS = "valid_loss";
    public static final String TRAIN_LOSS = "train_loss";
    public static final String PARAMS = "params";

    private final TrainSettings settings;
    private final StandaloneImages images;

    /** An evaluator on images already drawn (several evaluators, e.g. one per seed, can share them). */
    public TrainEvaluator(TrainSettings settings, StandaloneImages images) {
        if (images.train().size() != settings.trainImages() || images.train().imageSize() != settings.imageSize()) {
            throw new IllegalArgumentException("images (" + images.train().size() + " of "
                    + images.train().imageSize() + "px) do not match the settings " + settings);
        }
        this.settings = settings;
        this.images = images;
    }

    /**
     * Draws the settings' images ({@link StandaloneImages}) and sets ND4J's threads.
     *
     * @throws IllegalArgumentException for unknown data, missing files or too few images
     */
    public static TrainEvaluator open(TrainSettings settings) {
        NdThreads.configure(settings.threads());
        return new TrainEvaluator(settings, images(settings));
    }

    /** The train, validation and test images {@code settings} name. */
    public static StandaloneImages images(TrainSettings settings) {
        TrainingData train = TrainingData.train(settings.data());
        TrainingData test = TrainingData.test(settings.data());
        return StandaloneImages.sample(
                train.dataset(),
                train.description(),
                test.dataset(),
                test.description(),
                settings.trainImages(),
                settings.validImages(),
                settings.testImages(),
                settings.imageSeed(),
                settings.imageSize());
    }

    public TrainSettings settings() {
        return settings;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Evaluation evaluate(Architecture architecture, int fidelity) throws EvaluationException {
        return evaluate(architecture, fidelity, Progress.IGNORED);
    }

    /**
     * Reports each epoch as it ends; a stop ends the training there (the test images are not
     * evaluated): the result is that epoch's curve point, with {@code params}.
     */
    @Override
    public Evaluation evaluate(Architecture architecture, int fidelity, Progress progress) throws EvaluationException {
        if (!Nb201Space.ID.equals(architecture.getSpace())) {
            throw new EvaluationException("the train evaluator trains NAS-Bench-201 cells (space " + Nb201Space.ID
                    + "); got space '" + architecture.getSpace() + "'");
        }
        if (fidelity < 0) {
            throw new EvaluationException("fidelity is a number of epochs, got " + fidelity);
        }
        Nb201Cell cell;
        try {
            cell = Nb201Space.INSTANCE.parse(architecture.getEncoding());
        } catch (IllegalArgumentException e) {
            throw new EvaluationException(e.getMessage(), e);
        }
        return evaluate(cell, fidelity == 0 ? settings.epochs() : fidelity, progress);
    }

    /** Trains {@code cell} for {@code epochs} epochs. */
    public Evaluation evaluate(Nb201Cell cell, int epochs) {
        return evaluate(cell, epochs, Progress.IGNORED);
    }

    /** Thrown from the epoch listener to end a training a scheduler stopped; carries the curve so far. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }

    private Evaluation evaluate(Nb201Cell cell, int epochs, Progress progress) {
        long start = System.nanoTime();
        TrainingSpec spec = spec(epochs);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("train_recipe", settings.recipe(epochs));
        labels.put("train_images", images.train().description());
        int classes = images.train().classes();
        if (SposSupernet.liveEdges(cell).length == 0) {
            labels.put("untrained", "no input-output path of non-none edges: the network's output is constant");
            Map<String, Double> chance = new LinkedHashMap<>();
            chance.put(VALID_ACCURACY, 100.0 / classes);
            chance.put(TEST_ACCURACY, 100.0 / classes);
            chance.put(TRAIN_LOSS, Math.log(classes));
            chance.put(PARAMS, (double)
                    SposSupernet.create(spec.shape(), Precision.FLOAT, 0).childParameterCount(cell));
            return new Evaluation(chance, seconds(start), labels);
        }
        List<Evaluation.Intermediate> curve = new ArrayList<>();
        StandaloneTraining.Result r;
        try {
            r = StandaloneTraining.train(cell, spec, images, e -> {
                Map<String, Double> point = new LinkedHashMap<>();
                point.put(VALID_ACCURACY, 100 * e.validAccuracy());
                point.put(VALID_LOSS, e.validLoss());
                point.put(TRAIN_LOSS, e.trainLoss());
                curve.add(new Evaluation.Intermediate(e.epoch(), point, e.seconds()));
                if (!progress.report(e.epoch(), point) && e.epoch() < epochs) {
                    throw new Stopped();
                }
            });
        } catch (Stopped stopped) {
            Evaluation.Intermediate last = curve.get(curve.size() - 1);
            Map<String, Double> metrics = new LinkedHashMap<>(last.metrics());
            metrics.put(PARAMS, (double)
                    SposSupernet.create(spec.shape(), Precision.FLOAT, 0).childParameterCount(cell));
            labels.put(Evaluation.STOPPED_AT_STEP, Integer.toString(last.step()));
            return new Evaluation(metrics, seconds(start), labels, curve);
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(VALID_ACCURACY, 100 * r.validAccuracy());
        metrics.put(TEST_ACCURACY, 100 * r.testAccuracy());
        metrics.put(TRAIN_LOSS, r.trainLoss());
        metrics.put(PARAMS, (double) r.parameters());
        return new Evaluation(metrics, seconds(start), labels, curve);
    }

    private TrainingSpec spec(int epochs) {
        int k = settings.trainImages();
        return new TrainingSpec(
                settings.channels(),
                settings.cells(),
                settings.imageSize(),
                images.train().classes(),
                settings.batch(),
                0.025,
                0.9,
                5e-4,
                TrainingSpec.stepsFor(epochs, k, settings.batch()),
                k,
                images.train().description(),
                settings.seed(),
                settings.augment());
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
