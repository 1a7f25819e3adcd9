package io.archipelago.evaluators.latency;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.Evaluator;
import io.archipelago.models.nb201.Nb201Network;
import io.archipelago.models.nn.Layer;
import io.archipelago.models.nn.Parameter;
import io.archipelago.models.nn.Pass;
import io.archipelago.models.space.NetworkFactory;
import io.archipelago.models.space.NetworkShape;
import io.archipelago.models.space.SpaceNetworks;
import io.archipelago.models.space.SpaceNetworksRegistry;
import io.archipelago.proto.Architecture;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Latency measured on this machine: the architecture's network (a NAS-Bench-201 cell's at the
 * settings' size, C=16, N=5 on 3x32x32 by default; any other space's at its standard size, built
 * by its {@link SpaceNetworks} plugin) runs {@code warmup} untimed inference passes (batch norm with
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
        LatencyEvaluators.Stats stats;
        if (Nb201Space.ID.equals(architecture.getSpace())) {
            stats = measure(LatencyEvaluators.cell(architecture, LatencyEvaluators.METHOD_MEASURED));
        } else {
            SpaceNetworks<?> networks;
            NetworkFactory factory;
            try {
                networks = SpaceNetworksRegistry.require(architecture.getSpace(), "the measured latency evaluator");
                factory = networks.factory(architecture);
            } catch (IllegalArgumentException e) {
                throw new EvaluationException(e.getMessage(), e);
            }
            stats = measure(factory, networks.standard(), architecture.getEncoding());
        }
        return new Evaluation(metrics(stats), (System.nanoTime() - start) / 1e9, labels());
    }

    /**
     * Times the cell's network; waits while another measurement in this process runs. The first
     * measurement in a process first warms the JIT up (about 1.5 s).
     */
    public LatencyEvaluators.Stats measure(Nb201Cell cell) throws EvaluationException {
        return measure((shape, seed) -> Nb201Network.of(cell, shape, seed), settings.network(), cell.toString());
    }

    /**
     * Times any space's network at {@code shape} (with the settings' batch); waits while another
     * measurement in this process runs.
     *
     * @param what the architecture, for messages
     */
    public LatencyEvaluators.Stats measure(NetworkFactory factory, NetworkShape shape, String what)
            throws EvaluationException {
        Timing.lock();
        try {
            Timing.warmProcess(settings);
            long[] inputShape = {settings.batch(), shape.inputChannels(), shape.height(), shape.width()};
            if (input == null || !java.util.Arrays.equals(input.shape(), inputShape)) {
                input = Timing.input(settings.seed(), inputShape);
            }
            Layer network = factory.build(shape, settings.seed());
            List<Parameter> weights = new ArrayList<>();
            network.collectParameters(weights);
            try {
                Pass pass = Pass.inference(Pass.BatchNorm.RUNNING, settings.batch());
                INDArray x = input;
                double[] ms = Timing.time(() -> network.forward(x, pass), settings.warmup(), settings.repeats());
                return LatencyEvaluators.Stats.of(ms);
            } catch (RuntimeException e) {
                throw new EvaluationException("the network of " + what + " failed to run: " + e, e);
            } finally {
                Timing.release(weights);
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
