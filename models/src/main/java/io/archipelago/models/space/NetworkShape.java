package io.archipelago.models.space;

/**
 * The size of a space's network, independent of the architecture: how wide and deep it is built,
 * what it reads and how many classes it tells apart. Each space says how it reads width and
 * depth ({@link SpaceNetworks}); NAS-Bench-201's are below.
 *
 * @param channels C, the first stage's width (NAS-Bench-201: stages have C, 2C, 4C)
 * @param cellsPerStage N (NAS-Bench-201: cells in each of its three stages)
 */
public record NetworkShape(int channels, int cellsPerStage, int inputChannels, int height, int width, int classes) {
    /** The network of the benchmark: C=16, N=5, 3x32x32 inputs, 10 classes. */
    public static final NetworkShape STANDARD = new NetworkShape(16, 5, 3, 32, 32, 10);
    /** TE-NAS's thin copy for counting linear regions: C=1, N=1, 3x3x3 inputs. */
    public static final NetworkShape THIN = new NetworkShape(1, 1, 3, 3, 3, 10);

    public NetworkShape {
        if (channels <= 0 || cellsPerStage <= 0 || inputChannels <= 0 || height <= 0 || width <= 0 || classes <= 0) {
            throw new IllegalArgumentException("invalid network shape: C=" + channels + ", N=" + cellsPerStage
                    + ", input " + inputChannels + "x" + height + "x" + width + ", classes=" + classes);
        }
    }

    public NetworkShape withCells(int channels, int cellsPerStage) {
        return new NetworkShape(channels, cellsPerStage, inputChannels, height, width, classes);
    }
}
