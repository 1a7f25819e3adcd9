package io.archipelago.models.teg;

import io.archipelago.core.nb201.MixedCell;
import io.archipelago.core.objective.Objective;
import io.archipelago.models.data.Batch;
import io.archipelago.models.data.ImageDataset;
import io.archipelago.models.data.InputShape;
import io.archipelago.models.nb201.Nb201Network;
import io.archipelago.models.nn.Init;
import io.archipelago.models.nn.Layer;
import io.archipelago.models.space.NetworkFactory;
import io.archipelago.models.space.NetworkShape;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Computes the three training-free indicators of TEG-NAS for a cell, on the real network at
 * initialisation:
 * <ul>
 *   <li>T {@code ntk_cond}: condition number of the NTK of a batch (lower is better);</li>
 *   <li>E {@code linear_regions}: distinct ReLU patterns of the thin network over Gaussian inputs
 *       (higher is better);</li>
 *   <li>G {@code ntk_mse}: NTK regression error on a held-out batch (lower is better).</li>
 * </ul>
 * Each is the mean over {@link TegSettings#repeats()} seeded repeats. Not thread-safe is fine:
 * every call builds its own networks.
 */
public final class TegIndicators {
    public static final String NTK_COND = "ntk_cond";
    public static final String LINEAR_REGIONS = "linear_regions";
    public static final String NTK_MSE = "ntk_mse";
    /** T, E and G as objectives, for combining by rank (TEG-NAS). */
    public static final List<Objective> TEG = List.of(
            Objective.parse(NTK_COND + ":min"),
            Objective.parse(LINEAR_REGIONS + ":max"),
            Objective.parse(NTK_MSE + ":min"));
    /** T and E only (TE-NAS). */
    public static final List<Objective> TE = TEG.subList(0, 2);

    /** The indicators of one cell, averaged over the repeats. */
    public record Measurement(double ntkCond, double linearRegions, double ntkMse) {}

    private final TegSettings settings;
    private final ImageDataset data;

    public TegIndicators(TegSettings settings, ImageDataset data) {
        this.settings = settings;
        this.data = data;
    }

    public TegSettings settings() {
        return settings;
    }

    /** @throws IndicatorException when an indicator is undefined for this cell (e.g. singular NTK) */
    public Measurement measure(MixedCell cell) {
        return measure((shape, seed) -> Nb201Network.of(cell, shape, seed), settings.regionsNetwork());
    }

    /**
     * The indicators of any space's architecture: the NTK on its network at the settings' size,
     * linear regions on its network at {@code thin}.
     *
     * @throws IndicatorException when an indicator is undefined for this network (e.g. singular NTK)
     */
    public Measurement measure(NetworkFactory networks, NetworkShape thin) {
        double cond = 0;
        double regions = 0;
        double mse = 0;
        for (int r = 0; r < settings.repeats(); r++) {
            long seed = settings.seed() + r;
            Layer net = networks.build(settings.network(), seed);
            InputShape shape = new InputShape(
                    settings.network().inputChannels(),
                    settings.network().height(),
                    settings.network().width());
            List<Batch> batches = data.disjointBatches(2, settings.batch(), seed, shape);
            Batch train = batches.get(0);
            Batch heldOut = batches.get(1);
            Jacobian jx = Jacobian.of(net, train.images(), settings.batchNorm());
            double[][] kxx = jx.kernel();
            cond += Kernels.conditionNumber(kxx);
            double[][] kyx = jx.crossKernel(net, heldOut.images(), settings.batchNorm());
            mse += Kernels.regressionError(
                    kxx, kyx, train.labels(), heldOut.labels(), data.classes(), settings.ridge());
            regions += linearRegions(networks, thin, seed);
            // ND4J frees a network's off-heap buffers only when the GC collects their handles, and
            // a repeat's few handles barely touch the heap, so without this a pruning run's resident
            // memory climbed past 17 GB. One collection per repeat (seconds of work) costs nothing
            // measurable (shared notes: held at ~1.4 GB).
            System.gc();
        }
        int n = settings.repeats();
        return new Measurement(cond / n, regions / n, mse / n);
    }

    /** E alone (cheap: the thin network, forward only). */
    public int linearRegions(MixedCell cell, long seed) {
        return linearRegions((shape, s) -> Nb201Network.of(cell, shape, s), settings.regionsNetwork(), seed);
    }

    /** E alone of any space's network at {@code shape}. */
    public int linearRegions(NetworkFactory networks, NetworkShape shape, long seed) {
        Layer thin = networks.build(shape, seed);
        INDArray inputs = Init.normal(
                new SplittableRandom(seed ^ 0x5DEECE66DL),
                1.0,
                settings.regionSamples(),
                shape.inputChannels(),
                shape.height(),
                shape.width());
        return LinearRegions.count(thin, inputs);
    }
}
