package io.archipelago.models.teg;

import io.archipelago.models.nn.Pass;
import io.archipelago.models.space.NetworkShape;

/**
 * How the TEG indicators are computed.
 *
 * @param batch B, inputs per NTK batch (train and held-out batches each have B)
 * @param repeats R, seeded repeats each indicator is averaged over (network init and data differ)
 * @param batchNorm statistics batch norm uses while the NTK is computed
 * @param network the network the NTK is computed on
 * @param regionsNetwork the thin network linear regions are counted on
 * @param regionSamples Gaussian inputs whose activation patterns are counted
 * @param ridge NTK regression's ridge, relative to the kernel's mean diagonal
 * @param seed base seed; repeat r uses {@code seed + r}
 */
public record TegSettings(
        int batch,
        int repeats,
        Pass.BatchNorm batchNorm,
        NetworkShape network,
        NetworkShape regionsNetwork,
        int regionSamples,
        double ridge,
        long seed) {
    public static final TegSettings DEFAULTS =
            new TegSettings(32, 3, Pass.BatchNorm.BATCH, NetworkShape.STANDARD, NetworkShape.THIN, 1000, 1e-6, 0);

    public TegSettings {
        if (batch < 2 || repeats < 1 || regionSamples < 1 || ridge < 0) {
            throw new IllegalArgumentException("invalid TEG settings: batch=" + batch + " (>= 2), repeats=" + repeats
                    + " (>= 1), regionSamples=" + regionSamples + " (>= 1), ridge=" + ridge + " (>= 0)");
        }
    }

    public TegSettings withRepeats(int r) {
        return new TegSettings(batch, r, batchNorm, network, regionsNetwork, regionSamples, ridge, seed);
    }

    public TegSettings withBatchNorm(Pass.BatchNorm mode) {
        return new TegSettings(batch, repeats, mode, network, regionsNetwork, regionSamples, ridge, seed);
    }

    public TegSettings withNetwork(NetworkShape shape) {
        return new TegSettings(batch, repeats, batchNorm, shape, regionsNetwork, regionSamples, ridge, seed);
    }

    public TegSettings withBatch(int b) {
        return new TegSettings(b, repeats, batchNorm, network, regionsNetwork, regionSamples, ridge, seed);
    }

    public TegSettings withSeed(long s) {
        return new TegSettings(batch, repeats, batchNorm, network, regionsNetwork, regionSamples, ridge, s);
    }
}
