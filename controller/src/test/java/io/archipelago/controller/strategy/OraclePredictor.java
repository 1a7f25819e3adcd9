package io.archipelago.controller.strategy;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.predictor.Predictor;
import io.archipelago.core.predictor.PredictorModel;
import io.archipelago.core.table.BenchmarkTable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A predictor that knows the answer (it reads the benchmark), to test the strategies' plumbing
 * apart from any model's quality. Its fits take {@code fitMillis} and are counted and recorded.
 */
public final class OraclePredictor implements Predictor<Nb201Cell> {
    private final BenchmarkTable<Nb201Cell> table;
    private final String metric;
    private final long fitMillis;
    final AtomicInteger fits = new AtomicInteger();
    final List<Integer> fitSizes = java.util.Collections.synchronizedList(new ArrayList<>());

    public OraclePredictor(BenchmarkTable<Nb201Cell> table, String metric, long fitMillis) {
        this.table = table;
        this.metric = metric;
        this.fitMillis = fitMillis;
    }

    public int fits() {
        return fits.get();
    }

    @Override
    public String name() {
        return "oracle";
    }

    @Override
    public PredictorModel<Nb201Cell> fit(List<Nb201Cell> architectures, double[] targets, long seed) {
        Predictor.checkObservations(architectures, targets);
        fits.incrementAndGet();
        fitSizes.add(architectures.size());
        if (fitMillis > 0) {
            try {
                Thread.sleep(fitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return cells -> cells.stream()
                .mapToDouble(c -> table.metricsOf(c).orElseThrow().get(metric))
                .toArray();
    }
}
