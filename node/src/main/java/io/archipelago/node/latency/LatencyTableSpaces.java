package io.archipelago.node.latency;

import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.models.space.NetworkShape;
import io.archipelago.models.space.SpaceNetworksRegistry;
import io.archipelago.node.setup.OptionChecks;
import java.util.List;

/** Which spaces have latency tables, and the network a table is built at: shared by build-table and the bench. */
public final class LatencyTableSpaces {
    private LatencyTableSpaces() {}

    /**
     * The network a table of {@code space} is built at: the space's standard shape with the
     * channels, cells and image size given (NAS-Bench-201: C=16, N=5, 32x32).
     */
    public static NetworkShape shape(String space, Integer channels, Integer cells, Integer imageSize) {
        NetworkShape standard = space.equals(Nb201Space.ID)
                ? NetworkShape.STANDARD
                : SpaceNetworksRegistry.require(space, "a latency table").standard();
        int side = imageSize == null ? standard.height() : imageSize;
        OptionChecks.positive("--image-size", side);
        int c = channels == null ? standard.channels() : channels;
        int n = cells == null ? standard.cellsPerStage() : cells;
        OptionChecks.positive("--channels", c);
        OptionChecks.positive("--cells", n);
        return new NetworkShape(c, n, standard.inputChannels(), side, side, standard.classes());
    }

    /** Refuses a space that has no latency table (its networks are not cut into blocks), naming those that have. */
    public static void checkSpace(String space) {
        if (!space.equals(Nb201Space.ID) && !tableSpaces().contains(space)) {
            throw new IllegalArgumentException("latency tables are built for spaces nb201, "
                    + String.join(", ", tableSpaces()) + "; space '" + space + "' has none");
        }
    }

    /** The spaces besides nb201 whose networks are cut into blocks, sorted. */
    public static List<String> tableSpaces() {
        return SpaceNetworksRegistry.spaces().stream()
                .filter(id -> SpaceNetworksRegistry.find(id)
                        .map(n -> n.latencyBlocks().isPresent())
                        .orElse(false))
                .toList();
    }
}
