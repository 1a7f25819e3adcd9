package io.archipelago.node.setup;

import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.evaluators.Evaluator;
import io.archipelago.evaluators.SimulatedTime;
import io.archipelago.evaluators.TabularEvaluator;
import io.archipelago.evaluators.runner.CommandRunnerEvaluator;
import io.archipelago.evaluators.supernet.SharedSupernet;
import io.archipelago.evaluators.supernet.WeightSharingEvaluator;
import io.archipelago.evaluators.teg.TegEvaluator;
import io.archipelago.evaluators.train.TrainEvaluator;
import io.archipelago.evaluators.train.TrainSettings;
import io.archipelago.models.data.ImageDataset;
import io.archipelago.models.supernet.NdThreads;
import io.archipelago.models.supernet.StandaloneImages;
import io.archipelago.models.teg.TegIndicators;
import io.archipelago.models.teg.TegSettings;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The evaluators of a node's slots, checked from the command line before anything starts: a
 * search's own slots ({@code search}) and a worker node's ({@code node --roles evaluator}) are
 * made the same way. What every slot of a JVM reads (TEG's images, a supernet's weights, the
 * images cells are trained on) is loaded once here and shared read-only.
 */
public final class EvaluatorSetup {
    public static final List<String> KINDS =
            List.of(TabularEvaluator.KIND, TegEvaluator.KIND, WeightSharingEvaluator.KIND, TrainEvaluator.KIND);
    /** {@code worker:KIND}: slots are the worker processes of that kind connected to a gateway ({@code worker/}). */
    public static final String WORKER_PREFIX = "worker:";
    /** {@code runner:CMD}: each slot runs CMD per candidate (runner protocol 2, runners/README.md). */
    public static final String RUNNER_PREFIX = "runner:";

    private static final java.util.regex.Pattern WORKER_KIND =
            java.util.regex.Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    public final String kind;
    private final String runnerCommand; // null unless runner:CMD
    private final java.time.Duration runnerTimeout;
    public final BenchmarkTable<?> table;
    public final SimulatedTime evalTime; // null: none
    private final TegOptions teg;
    private final ImageDataset tegData; // null unless teg
    private final SharedSupernet supernet; // null unless supernet
    private final TrainingOptions training;
    private final StandaloneImages trainImages; // null unless train

    /**
     * @param kind tabular, teg, supernet, train, runner:CMD or worker:KIND
     * @param table what the tabular evaluator answers from
     * @param evalTime simulated time of the tabular evaluator (null: none)
     * @param teg the teg evaluator's options, whose {@code --data} the supernet and train evaluators read too
     * @param supernet the supernet evaluator's options (null when the kind cannot be supernet)
     * @param training the train evaluator's options (null when the kind cannot be train)
     * @param runnerTimeout how long a runner:CMD process may take before it is killed
     * @throws IllegalArgumentException naming the bad option
     */
    public EvaluatorSetup(
            String kind,
            BenchmarkTable<?> table,
            String evalTime,
            TegOptions teg,
            SupernetOptions supernet,
            TrainingOptions training,
            java.time.Duration runnerTimeout) {
        this.runnerTimeout = runnerTimeout;
        this.runnerCommand = kind.startsWith(RUNNER_PREFIX)
                ? kind.substring(RUNNER_PREFIX.length()).strip()
                : null;
        if (runnerCommand != null) {
            if (runnerCommand.isEmpty()) {
                throw new IllegalArgumentException("--evaluator runner:CMD needs a command after 'runner:'");
            }
        } else if (kind.startsWith(WORKER_PREFIX)) {
            String worker = kind.substring(WORKER_PREFIX.length());
            if (!io.archipelago.node.worker.WorkerGateway.KIND.matcher(worker).matches()) {
                throw new IllegalArgumentException("--evaluator " + kind + ": a worker kind is 1-64 of a-z 0-9 . _ - "
                        + "(starting with a letter or digit), as its workers declare it");
            }
        } else if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException(
                    "unknown evaluator '" + kind + "' (known: " + String.join(", ", KINDS) + ", worker:KIND)");
        }
        this.kind = runnerCommand != null ? CommandRunnerEvaluator.DEFAULT_KIND : kind;
        this.table = table;
        this.evalTime = evalTime == null ? null : SimulatedTime.parse(evalTime);
        this.teg = teg;
        this.training = training;
        if (evalTime != null && !TabularEvaluator.KIND.equals(kind)) {
            throw new IllegalArgumentException(
                    "--eval-time simulates the tabular evaluator's cost; the " + kind + " evaluator's cost is real");
        }
        if (TabularEvaluator.KIND.equals(this.kind) && table.isNone()) {
            throw new IllegalArgumentException(
                    "space '" + table.space().id() + "' has no benchmark table for the "
                            + "tabular evaluator: pass --benchmark FILE, or measure with --evaluator teg (or runner:CMD, worker:KIND)");
        }
        if (isTeg()) {
            teg.settings(0); // checks the TEG options before the data set is read
            this.tegData = teg.dataset();
        } else {
            this.tegData = null;
        }
        if (isSupernet()) {
            supernet.check(); // before the data set is read
            this.supernet = supernet.load(teg.data);
        } else {
            this.supernet = null;
        }
        if (isTrain()) {
            TrainSettings settings = training.settings(teg.data, 0); // checks the options before the data is read
            NdThreads.configure(settings.threads());
            this.trainImages = TrainEvaluator.images(settings);
        } else {
            this.trainImages = null;
        }
    }

    public boolean isTrain() {
        return TrainEvaluator.KIND.equals(kind);
    }

    /** The evaluator runs outside Archipelago (worker processes): it reports metrics of its own choosing. */
    public boolean isWorker() {
        return kind.startsWith(WORKER_PREFIX);
    }

    /** The evaluator is a user's program, run per candidate: it reports metrics of its own choosing. */
    public boolean isRunner() {
        return runnerCommand != null;
    }

    /** The metrics are the evaluator's own choice (a worker's or a runner's): the search names the ones it uses. */
    public boolean isExternal() {
        return isWorker() || isRunner();
    }

    /** Whether this JVM runs the kind's evaluations itself (a worker kind's run in the workers). */
    public boolean runsHere() {
        return !isWorker();
    }

    public boolean isTeg() {
        return TegEvaluator.KIND.equals(kind);
    }

    public boolean isSupernet() {
        return WeightSharingEvaluator.KIND.equals(kind);
    }

    /** Makes slot i's evaluator; the seed fixes simulated times, TEG initialisations and training runs. */
    public IntFunction<Evaluator> factory(long seed) {
        if (!runsHere()) {
            throw new IllegalStateException(kind + " evaluations run in worker processes, not in this JVM");
        }
        if (isTeg()) {
            TegSettings settings = teg.settings(seed);
            return slot -> new TegEvaluator(new TegIndicators(settings, tegData));
        }
        if (isSupernet()) {
            return slot -> new WeightSharingEvaluator(supernet);
        }
        if (isTrain()) {
            TrainSettings settings = training.settings(teg.data, seed);
            return slot -> new TrainEvaluator(settings, trainImages);
        }
        if (isRunner()) {
            return slot -> new CommandRunnerEvaluator(kind, runnerCommand, runnerTimeout);
        }
        return slot -> new TabularEvaluator<>(table, evalTime, seed * 1_000_003L + slot);
    }
}
