package io.archipelago.evaluators;

import io.archipelago.core.space.CostModel;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.proto.Architecture;
import java.util.HashMap;
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
