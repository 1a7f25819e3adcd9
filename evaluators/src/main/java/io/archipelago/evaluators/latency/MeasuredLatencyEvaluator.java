package io.archipelago.evaluators.latency;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.Evaluator;
import io.archipelago.models.nb201.Nb201Network;
import io.archipelago.models.nn.Pass;
import io.archipelago.proto.Architecture;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Latency measured on this machine: the cell's network (NAS-Bench-201's C=16, N=5 on 3x32x32 by
 * default, built by {@code models/}) runs {@code warmup} untimed inference passes (batch norm with
 * running statistics), then {@code repeats} timed ones; the latency is their median, with the 10th
 * and 90th percentiles and the minimum as the spread.
 *
 * <p>What is timed is the forward pass alone: the input is made once and reused, each pass's
 * result is forced by reading a value back, garbage is collected before the timed passes and the
 * network's weights are freed afterwards. Only one measurement runs at a time in a process, so
 * several slots of a node take turns instead of timing each other. A cell whose output depends on
 * no op (all {@code none} on the paths to the output) still builds, and is measured as it runs.
 */
public final class MeasuredLatencyEvaluator implements Evaluator {
    private final String device;
    private final LatencySettings settings;
    private INDArray input; // made on first use, then reused

    /** @throws IllegalArgumentException on a bad device name */
    public MeasuredLatencyEvaluator(String device, LatencySettings settings) {
        this.device = LatencyEvaluators.checkDevice(device);
        this.settings = settings;
        Timing.applyThreads(settings.threads());
    }

    public LatencySettings settings() {
        return settings;
    }

    @Override
    public String kind() {
        return LatencyEvaluators.kind(device);
    }

    /** The fidelity is ignored. */
    @Override
    public Evaluation evaluate(Architecture architecture, int fidelity) throws EvaluationException {
        long start = System.nanoTime();
        Nb201Cell cell = LatencyEvaluators.cell(architecture, LatencyEvaluators.METHOD_MEASURED);
        LatencyEvaluators.Stats stats = measure(cell);
        return new Evaluation(metrics(stats), (System.nanoTime() - start) / 1e9, labels());
    }

    /**
     * Times the cell's network; waits while another measurement in this process runs. The first
     * measurement in a process first warms the JIT up (about 1.5 s).
     */
    public LatencyEvaluators.Stats measure(Nb201Cell cell) throws EvaluationException {
        Timing.lock();
        try {
            Timing.warmProcess(settings);
            if (input == null) {
                input = Timing.input(settings.seed(), settings.inputShape());
            }
            Nb201Network network = Nb201Network.of(cell, settings.network(), settings.seed());
            try {
                Pass pass = Pass.inference(Pass.BatchNorm.RUNNING, settings.batch());
                INDArray x = input;
                double[] ms = Timing.time(() -> network.forward(x, pass), settings.warmup(), settings.repeats());
                return LatencyEvaluators.Stats.of(ms);
            } catch (RuntimeException e) {
                throw new EvaluationException("the network of " + cell + " failed to run: " + e, e);
            } finally {
                Timing.release(network.parameters());
            }
        } finally {
            Timing.LOCK.unlock();
        }
    }

    public Map<String, Double> metrics(LatencyEvaluators.Stats stats) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(LatencyEvaluators.LATENCY_MS, stats.medianMs());
        metrics.put(LatencyEvaluators.LATENCY_P10_MS, stats.p10Ms());
        metrics.put(LatencyEvaluators.LATENCY_P90_MS, stats.p90Ms());
        metrics.put(LatencyEvaluators.LATENCY_MIN_MS, stats.minMs());
        metrics.put(LatencyEvaluators.LATENCY_REPEATS, (double) stats.repeats());
        metrics.put(LatencyEvaluators.LATENCY_BATCH, (double) settings.batch());
        metrics.put(LatencyEvaluators.LATENCY_THREADS, (double) LatencyEvaluators.threads());
        return metrics;
    }

    /** device, cpu (or gpu), backend, threads, batch and method {@code measured}. */
    public Map<String, String> labels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LatencyEvaluators.LABEL_DEVICE, device);
        labels.putAll(LatencyEvaluators.hostLabels());
        labels.put(LatencyEvaluators.LABEL_BATCH, Integer.toString(settings.batch()));
        labels.put(LatencyEvaluators.LABEL_METHOD, LatencyEvaluators.METHOD_MEASURED);
        return labels;
    }
}
