package io.archipelago.models.supernet;

import io.archipelago.core.nb201.Nb201Cell;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Trains one NB201 cell's network alone, from scratch, with the SPOS trainer's recipe
 * ({@link SposTrainer#standalone}): the truth that weight-sharing estimates are compared with.
 * After every epoch the network is evaluated on the validation images, and at the end on the test
 * images, both in batches of {@link #EVAL_BATCH} with batch norm on each batch's statistics (the
 * networks keep no running statistics, as in the supernet), so a cell's numbers here and with
 * inherited weights are measured the same way.
 *
 * <p>Deterministic: the same cell, spec and images give the same accuracies and losses (the
 * seconds aside).
 */
public final class StandaloneTraining {
    /** Images per evaluation batch, as the SPOS reference's {@code --eval-batch}. */
    public static final int EVAL_BATCH = 250;

    private StandaloneTraining() {}

    /**
     * One epoch's learning-curve point.
     *
     * @param epoch 1-based
     * @param trainLoss mean of the epoch's mini-batch losses (each before its update)
     * @param trainAccuracy mean of the epoch's mini-batch accuracies (fraction)
     * @param validAccuracy validation accuracy after the epoch (fraction)
     * @param validLoss validation mean cross-entropy after the epoch
     * @param seconds since training started
     */
    public record Epoch(
            int epoch,
            double trainLoss,
            double trainAccuracy,
            double validAccuracy,
            double validLoss,
            double seconds) {}

    /**
     * @param epochs the learning curve, one per epoch
     * @param validAccuracy after the last epoch (fraction)
     * @param testAccuracy after the last epoch (fraction)
     * @param parameters the network's parameter count ({@link SposSupernet#childParameterCount})
     * @param seconds the whole run, training and evaluation
     */
    public record Result(
            Nb201Cell cell,
            List<Epoch> epochs,
            double validAccuracy,
            double testAccuracy,
            double testLoss,
            long parameters,
            double seconds) {
        public Result {
            epochs = List.copyOf(epochs);
        }

        /** The last epoch's mean training loss. */
        public double trainLoss() {
            return epochs.get(epochs.size() - 1).trainLoss();
        }
    }

    /** The epochs {@code spec} trains: its total steps must be a whole number of epochs. */
    public static int epochs(TrainingSpec spec) {
        if (spec.totalSteps() % spec.stepsPerEpoch() != 0) {
            throw new IllegalArgumentException(
                    spec.totalSteps() + " steps are not whole epochs of " + spec.stepsPerEpoch() + " steps");
        }
        return Math.toIntExact(spec.totalSteps() / spec.stepsPerEpoch());
    }

    /**
     * Trains {@code cell} for {@code spec}'s epochs on {@code images.train()}.
     *
     * @param listener told each epoch as it ends (may be null)
     */
    public static Result train(Nb201Cell cell, TrainingSpec spec, StandaloneImages images, Consumer<Epoch> listener) {
        int epochs = epochs(spec);
        long start = System.nanoTime();
        EvalImages valid = EvalImages.of(images.valid(), EVAL_BATCH);
        List<Epoch> curve = new ArrayList<>(epochs);
        try (SposTrainer trainer = SposTrainer.standalone(spec, images.train(), cell);
                SupernetEvaluator evaluator = new SupernetEvaluator(trainer.supernet())) {
            for (int e = 1; e <= epochs; e++) {
                double[] sums = new double[2];
                int steps = spec.stepsPerEpoch();
                trainer.train(steps, r -> {
                    sums[0] += r.loss();
                    sums[1] += r.accuracy();
                });
                Evaluation v = evaluator.evaluate(cell, valid);
                Epoch epoch =
                        new Epoch(e, sums[0] / steps, sums[1] / steps, v.accuracy(), v.meanLoss(), seconds(start));
                curve.add(epoch);
                if (listener != null) {
                    listener.accept(epoch);
                }
            }
            Evaluation t = evaluator.evaluate(cell, EvalImages.of(images.test(), EVAL_BATCH));
            Epoch last = curve.get(curve.size() - 1);
            return new Result(
                    cell, curve, last.validAccuracy(), t.accuracy(), t.meanLoss(), t.childParameters(), seconds(start));
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
