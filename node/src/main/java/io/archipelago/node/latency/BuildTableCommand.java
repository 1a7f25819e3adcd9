package io.archipelago.node.latency;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.latency.LatencyEvaluators;
import io.archipelago.evaluators.latency.LatencySettings;
import io.archipelago.evaluators.latency.LatencyTable;
import io.archipelago.evaluators.latency.LatencyTableBuilder;
import io.archipelago.evaluators.latency.SpaceLatencyTable;
import io.archipelago.evaluators.latency.SpaceLatencyTableBuilder;
import io.archipelago.models.space.NetworkShape;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code archipelago latency build-table}: a latency lookup table of one space, measured on this machine. */
@Command(
        name = "build-table",
        mixinStandardHelpOptions = true,
        description =
                "Measure a latency lookup table on this machine (each block of the space's networks in isolation, "
                        + "plus an overhead model fitted on fully measured random networks) and write it as JSON.")
final class BuildTableCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(
            names = "--device",
            required = true,
            paramLabel = "NAME",
            description = "The device's name ([A-Za-z0-9._-]+): latency requests "
                    + "for it are routed to nodes that declare it.")
    String device;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE",
            description = "Where to write the table (an existing file is not replaced).")
    Path out;

    @Option(
            names = "--space",
            defaultValue = Nb201Space.ID,
            description =
                    "The space: nb201 (blocks by op, channels, resolution), or a space whose networks are cut into "
                            + "blocks (darts, mnasnet) (default: ${DEFAULT-VALUE}).")
    String space;

    @Option(
            names = "--image-size",
            paramLabel = "PIXELS",
            description = "Side of the square input images (default: the space's standard: 32, MnasNet 224).")
    Integer imageSize;

    @Option(
            names = "--fit-cells",
            defaultValue = "24",
            paramLabel = "K",
            description = "Random cells (networks of other spaces) measured whole to fit the overhead model; "
                    + "0: none (default: ${DEFAULT-VALUE}).")
    int fitCells;

    @Option(
            names = "--fit-rounds",
            defaultValue = "3",
            paramLabel = "N",
            description =
                    "Interleaved measurements of each fit cell, combined by a trimmed geometric mean (default: ${DEFAULT-VALUE}).")
    int fitRounds;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "Seed of the fit cells, weights and inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "End with one JSON line.")
    boolean json;

    @CommandLine.Mixin
    LatencyCommand.MeasureOptions measure = new LatencyCommand.MeasureOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        LatencyEvaluators.checkDevice(device);
        if (Files.exists(out)) {
            throw new IllegalArgumentException(
                    out + " exists; refusing to overwrite it (remove it or choose another --out)");
        }
        LatencyTableSpaces.checkSpace(space);
        NetworkShape shape = LatencyTableSpaces.shape(space, measure.channels, measure.cells, imageSize);
        LatencySettings settings = measure.settings(seed).withNetwork(shape, measure.batch);
        PrintWriter o = spec.commandLine().getOut();
        Consumer<String> progress = line -> {
            o.println(line);
            o.flush();
        };
        long start = System.nanoTime();
        int entries;
        LatencyTable.Model model;
        Map<String, String> labels;
        try {
            if (space.equals(Nb201Space.ID)) {
                LatencyTable table =
                        new LatencyTableBuilder(device, settings, fitCells, fitRounds, seed, progress).build();
                save(() -> table.save(out));
                entries = table.entries().size();
                model = table.model();
                labels = table.labels();
            } else {
                SpaceLatencyTable table = new SpaceLatencyTableBuilder(
                                space, device, settings, fitCells, fitRounds, seed, progress)
                        .build();
                save(() -> table.save(out));
                entries = table.entries().size();
                model = table.model();
                labels = table.labels();
            }
        } catch (EvaluationException e) {
            spec.commandLine().getErr().println("latency build-table: error: " + e.getMessage());
            return 1;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        o.printf(Locale.ROOT, "wrote %s: %s, %d entries", out, space, entries);
        if (model != null) {
            o.printf(
                    Locale.ROOT,
                    ", model %s on %d networks (leave-one-out MAPE %.1f%%)",
                    model.coefficients(),
                    model.fitCells(),
                    100 * model.fitMape());
        }
        o.printf(Locale.ROOT, ", %.1f s%n", seconds);
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("out", out.toString());
            fields.put("space", space);
            fields.put("device", device);
            fields.put("entries", entries);
            fields.put("labels", labels);
            if (model != null) {
                fields.put("model", model.coefficients());
                fields.put("fit_cells", model.fitCells());
                fields.put("fit_mape", model.fitMape());
            }
            fields.put("seconds", seconds);
            o.println(JSON.writeValueAsString(fields));
        }
        o.flush();
        return 0;
    }

    @FunctionalInterface
    private interface Save {
        void to() throws java.io.IOException;
    }

    private void save(Save save) throws java.io.IOException {
        try {
            save.to();
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException(
                    out + " exists; refusing to overwrite it (remove it or choose another --out)");
        }
    }
}
