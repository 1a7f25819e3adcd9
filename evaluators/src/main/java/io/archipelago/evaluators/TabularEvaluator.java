package io.archipelago.evaluators;

import io.archipelago.core.space.CostModel;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.core.table.MetricName;
import io.archipelago.proto.Architecture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Answers from a tabular benchmark: the table's metrics at the requested fidelity (epochs), plus
 * the space's analytic costs ({@code params}, {@code flops}) where the space has a
 * {@link CostModel} and the table has no column of that name.
 * Optionally sleeps for a {@link SimulatedTime} draw first, so a search behaves as if each
 * evaluation cost time; the reported cost is then the time the slot was held (at least the simulated draw).
 */
public final class TabularEvaluator<A> implements Evaluator {
    public static final String KIND = "tabular";

    private final BenchmarkTable<A> table;
    private final SimulatedTime simulatedTime; // null: answer at once
    private final SplittableRandom random;

    public TabularEvaluator(BenchmarkTable<A> table, SimulatedTime simulatedTime, long seed) {
        this.table = table;
        this.simulatedTime = simulatedTime;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Evaluation evaluate(Architecture architecture, int fidelity) throws EvaluationException {
        long start = System.nanoTime();
        SearchSpace<A> space = table.space();
        A arch;
        Map<String, Double> metrics;
        try {
            arch = space.fromProto(architecture);
            Optional<Map<String, Double>> found = table.metricsAt(arch, fidelity);
            if (found.isEmpty()) {
                throw new EvaluationException(
                        "architecture " + architecture.getEncoding() + " is not in the benchmark " + table.source());
            }
            metrics = withCosts(space, arch, found.get());
        } catch (IllegalArgumentException e) {
            throw new EvaluationException(e.getMessage(), e);
        }
        if (simulatedTime == null) {
            return new Evaluation(metrics, (System.nanoTime() - start) / 1e9);
        }
        sleepUntil(start + (long) (simulatedTime.sampleSeconds(random) * 1e9));
        return new Evaluation(metrics, (System.nanoTime() - start) / 1e9); // the time the slot was really held
    }

    /**
     * The table's fidelities up to the one asked are the learning curve: at each (e.g. 12, then
     * 200 epochs of NB201) it reports that fidelity's metrics under the names of the one asked (so
     * {@code cifar10_valid_200}'s curve has a point at step 12), after the share of the simulated
     * time those epochs take. A stop ends it there, with those metrics.
     */
    @Override
    public Evaluation evaluate(Architecture architecture, int fidelity, Progress progress) throws EvaluationException {
        if (progress == Progress.IGNORED) {
            return evaluate(architecture, fidelity);
        }
        long start = System.nanoTime();
        SearchSpace<A> space = table.space();
        A arch;
        int epochs;
        try {
            arch = space.fromProto(architecture);
            epochs = table.resolveFidelity(fidelity);
        } catch (IllegalArgumentException e) {
            throw new EvaluationException(e.getMessage(), e);
        }
        if (epochs < 0 || table.metricsAt(arch, epochs).isEmpty()) {
            return evaluate(architecture, fidelity); // no fidelities, or not in the table: no curve
        }
        double seconds = simulatedTime == null ? 0 : simulatedTime.sampleSeconds(random);
        List<Evaluation.Intermediate> curve = new ArrayList<>();
        Map<String, Double> last = null;
        int lastStep = 0;
        for (int step : table.fidelities()) {
            if (step > epochs) {
                break;
            }
            boolean stopped = !sleepUntil(start + (long) (seconds * 1e9 * step / epochs), progress);
            if (stopped && last != null) {
                return stoppedAt(lastStep, last, start, curve); // asked to stop while "training" towards this step
            }
            Map<String, Double> metrics =
                    withCosts(space, arch, renamed(table.metricsAt(arch, step).orElseThrow(), step, epochs));
            curve.add(new Evaluation.Intermediate(step, metrics, (System.nanoTime() - start) / 1e9));
            boolean goOn = progress.report(step, metrics);
            if (step == epochs) {
                return new Evaluation(metrics, (System.nanoTime() - start) / 1e9, Map.of(), curve);
            }
            if (!goOn) {
                return stoppedAt(step, metrics, start, curve);
            }
            last = metrics;
            lastStep = step;
        }
        throw new IllegalStateException("fidelity " + epochs + " is not among the table's " + table.fidelities());
    }

    private static Evaluation stoppedAt(
            int step, Map<String, Double> metrics, long start, List<Evaluation.Intermediate> curve) {
        return new Evaluation(
                metrics,
                (System.nanoTime() - start) / 1e9,
                Map.of(Evaluation.STOPPED_AT_STEP, Integer.toString(step)),
                curve);
    }

    /** {@code cifar10_valid_12} as {@code cifar10_valid_200} when 200 epochs were asked; names without epochs stay. */
    private static Map<String, Double> renamed(Map<String, Double> metrics, int measuredAt, int asked) {
        Map<String, Double> out = new LinkedHashMap<>();
        metrics.forEach((name, value) -> out.put(
                MetricName.parse(name)
                        .filter(m -> m.epochs() == measuredAt)
                        .map(m -> new MetricName(m.dataset(), m.split(), asked).toString())
                        .orElse(name),
                value));
        return out;
    }

    private static <A> Map<String, Double> withCosts(SearchSpace<A> space, A arch, Map<String, Double> metrics) {
        if (!(space instanceof CostModel<?>)) {
            return metrics;
        }
        @SuppressWarnings("unchecked")
        Map<String, Double> costs = ((CostModel<A>) space).costs(arch);
        Map<String, Double> all = new HashMap<>(costs);
        all.putAll(metrics); // the table's own columns win
        return all;
    }

    /** Sleeps in slices of at most 10 ms, so a stop asked meanwhile ends it: false when one was. */
    private static boolean sleepUntil(long deadlineNanos, Progress progress) throws EvaluationException {
        for (long left = deadlineNanos - System.nanoTime(); left > 0; left = deadlineNanos - System.nanoTime()) {
            if (progress.stopRequested()) {
                return false;
            }
            sleepUntil(System.nanoTime() + Math.min(left, 10_000_000L));
        }
        return true;
    }

    private static void sleepUntil(long deadlineNanos) throws EvaluationException {
        for (long left = deadlineNanos - System.nanoTime(); left > 0; left = deadlineNanos - System.nanoTime()) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new EvaluationException("interrupted during simulated evaluation time");
            }
        }
    }
}
