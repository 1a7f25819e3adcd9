package io.archipelago.node.setup;

import io.archipelago.core.objective.Objective;
import io.archipelago.models.data.ImageDataset;
import io.archipelago.models.data.ImageDatasets;
import io.archipelago.models.nn.Pass;
import io.archipelago.models.space.NetworkShape;
import io.archipelago.models.teg.TegIndicators;
import io.archipelago.models.teg.TegSettings;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** How the training-free (TEG) evaluator computes its indicators. */
public final class TegOptions {
    @Option(
            names = "--data",
            defaultValue = "fashion-mnist",
            paramLabel = "SPEC",
            description =
                    "Inputs of the NTK batches: fashion-mnist[:DIR] (Debian's dataset-fashion-mnist; scripts/install-datasets.sh), "
                            + "cifar10:PATH (CIFAR-10 binary files), or gaussian (default: ${DEFAULT-VALUE}).")
    public String data;

    @Option(
            names = "--teg-batch",
            defaultValue = "32",
            description = "Inputs per NTK batch (default: ${DEFAULT-VALUE}).")
    public int batch;

    @Option(
            names = "--teg-repeats",
            defaultValue = "3",
            description = "Seeded repeats each indicator is averaged over (default: ${DEFAULT-VALUE}).")
    public int repeats;

    @Option(
            names = "--teg-bn",
            defaultValue = "running",
            description =
                    "Batch-norm statistics while the NTK is computed: batch (as TE-NAS) or running (samples independent, "
                            + "much faster) (default: ${DEFAULT-VALUE}).")
    public String batchNorm;

    @Option(
            names = "--teg-channels",
            defaultValue = "8",
            description = "C of the network the NTK is computed on (default: ${DEFAULT-VALUE}).")
    public int channels;

    @Option(
            names = "--teg-cells",
            defaultValue = "1",
            description = "N, cells per stage of that network (default: ${DEFAULT-VALUE}).")
    public int cells;

    @Option(
            names = "--rank-by",
            defaultValue = "teg",
            description =
                    "Indicators teg-evolution and tenas-prune combine by rank: teg (T, E and G) or te (T and E, as TE-NAS) "
                            + "(default: ${DEFAULT-VALUE}).")
    public String rankBy;

    /** The indicators combined by rank. */
    public List<Objective> rankedIndicators() {
        return switch (rankBy.toLowerCase(Locale.ROOT)) {
            case "teg" -> TegIndicators.TEG;
            case "te" -> TegIndicators.TE;
            default -> throw new IllegalArgumentException("--rank-by must be teg or te, got '" + rankBy + "'");
        };
    }

    /** @throws IllegalArgumentException naming the bad option */
    public TegSettings settings(long seed) {
        Pass.BatchNorm mode = switch (batchNorm.toLowerCase(Locale.ROOT)) {
            case "batch" -> Pass.BatchNorm.BATCH;
            case "running" -> Pass.BatchNorm.RUNNING;
            default -> throw new IllegalArgumentException("--teg-bn must be batch or running, got '" + batchNorm + "'");
        };
        OptionChecks.positive("--teg-channels", channels);
        OptionChecks.positive("--teg-cells", cells);
        return new TegSettings(
                batch,
                repeats,
                mode,
                NetworkShape.STANDARD.withCells(channels, cells),
                NetworkShape.THIN,
                TegSettings.DEFAULTS.regionSamples(),
                TegSettings.DEFAULTS.ridge(),
                seed);
    }

    public ImageDataset dataset() {
        return ImageDatasets.open(data);
    }

    public TegIndicators indicators(long seed) {
        return new TegIndicators(settings(seed), dataset());
    }
}
