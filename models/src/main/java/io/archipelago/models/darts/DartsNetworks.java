package io.archipelago.models.darts;

import io.archipelago.core.darts.DartsCost;
import io.archipelago.core.darts.DartsGenotype;
import io.archipelago.core.darts.DartsSpace;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.models.nn.Layer;
import io.archipelago.models.space.LatencyBlocks;
import io.archipelago.models.space.NetworkShape;
import io.archipelago.models.space.SpaceNetworks;
import java.util.Optional;

/**
 * {@code darts}: the evaluation network of a genotype ({@link DartsNetwork}). A shape's cells are
 * the N normal cells of each of the three stages, so the network has 3N + 2 cells with the
 * reductions at cells N and 2N + 1, exactly where DARTS puts them for {@code layers = 3N + 2}
 * (DARTS's 20 layers: N = 6).
 */
public final class DartsNetworks implements SpaceNetworks<DartsGenotype> {
    /** DARTS's CIFAR-10 network: C=36, 20 cells, 3x32x32 inputs, 10 classes ({@link DartsCost#CIFAR}). */
    public static final NetworkShape STANDARD = new NetworkShape(36, 6, 3, 32, 32, 10);
    /**
     * The thinnest network for counting linear regions: C=1, one normal cell per stage (5 cells),
     * 4x4 inputs, the least side that two reductions (FactorizedReduce: even sides) halve down to
     * 1x1. Even so a DARTS network has so many ReLUs that 1,000 Gaussian samples fall in 1,000
     * regions (seen for DARTS-V2, all-pool and all-sep-conv genotypes): the count saturates.
     */
    public static final NetworkShape THIN = new NetworkShape(1, 1, 3, 4, 4, 10);

    @Override
    public SearchSpace<DartsGenotype> space() {
        return DartsSpace.INSTANCE;
    }

    @Override
    public Layer network(DartsGenotype genotype, NetworkShape shape, long seed) {
        return DartsNetwork.of(genotype, size(shape), seed);
    }

    /**
     * The {@link DartsCost} of a shape.
     *
     * @throws IllegalArgumentException for inputs that are not square RGB images with a side
     *     divisible by 4 (DARTS's stem reads RGB; FactorizedReduce halves even sides twice)
     */
    public static DartsCost size(NetworkShape shape) {
        if (shape.inputChannels() != 3 || shape.height() != shape.width()) {
            throw new IllegalArgumentException("DARTS networks read square RGB images, not " + shape.inputChannels()
                    + "x" + shape.height() + "x" + shape.width());
        }
        return new DartsCost(shape.channels(), 3 * shape.cellsPerStage() + 2, shape.classes(), shape.height(), false);
    }

    /** Stem, preprocessing, each edge with its add, head: see {@link DartsLatencyBlocks}. */
    @Override
    public Optional<LatencyBlocks<DartsGenotype>> latencyBlocks() {
        return Optional.of(new DartsLatencyBlocks());
    }

    @Override
    public NetworkShape thin() {
        return THIN;
    }

    @Override
    public NetworkShape standard() {
        return STANDARD;
    }

    @Override
    public String shapeMeaning() {
        return "channels = C (cells of C, 2C and 4C channels), cells = N normal cells per stage (3N + 2 cells; DARTS: C=36,"
                + " N=6)";
    }
}
