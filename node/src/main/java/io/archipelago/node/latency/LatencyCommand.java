package io.archipelago.node.latency;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.latency.LatencyEvaluators;
import io.archipelago.evaluators.latency.LatencySettings;
import io.archipelago.evaluators.latency.LatencyTable;
import io.archipelago.evaluators.latency.LatencyTableBuilder;
import io.archipelago.evaluators.latency.MeasuredLatencyEvaluator;
import io.archipelago.evaluators.latency.RunnerProtocol;
import io.archipelago.models.space.NetworkShape;
import io.archipelago.models.space.SpaceNetworks;
import io.archipelago.models.space.SpaceNetworksRegistry;
import io.archipelago.node.setup.OptionChecks;
import io.archipelago.proto.Architecture;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code archipelago latency ...}: latency tables and single measurements on this machine. */
@Command(
        name = "latency",
        mixinStandardHelpOptions = true,
        description =
                "Measure inference latency of NAS-Bench-201 cells on this machine, and build latency lookup tables.",
        subcommands = {LatencyCommand.BuildTable.class, LatencyCommand.Measure.class, CommandLine.HelpCommand.class})
public final class LatencyCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: build-table or measure");
    }

    /** The network and measurement options the subcommands share. */
    static final class MeasureOptions {
        @Option(
                names = "--repeats",
                paramLabel = "R",
                description = "Timed forward passes per measurement; the latency is their median " + "(default: "
                        + LatencySettings.DEFAULT_REPEATS + ").")
        Integer repeats;

        @Option(
                names = "--warmup",
                paramLabel = "W",
                description = "Untimed forward passes before them (default: " + LatencySettings.DEFAULT_WARMUP + ").")
        Integer warmup;

        @Option(
                names = "--threads",
                defaultValue = "0",
                paramLabel = "T",
                description =
                        "Threads of ND4J's native ops; 0 keeps the default (OMP_NUM_THREADS, else all cores) (default: ${DEFAULT-VALUE}).")
        int threads;

        @Option(
                names = "--channels",
                defaultValue = "16",
                paramLabel = "C",
                description = "C of the network (default: ${DEFAULT-VALUE}).")
        int channels;

        @Option(
                names = "--cells",
                defaultValue = "5",
                paramLabel = "N",
                description = "Cells per stage (default: ${DEFAULT-VALUE}).")
        int cells;

        @Option(
                names = "--batch",
                defaultValue = "1",
                paramLabel = "B",
                description = "Inputs per forward pass (default: ${DEFAULT-VALUE}).")
        int batch;

        /** @throws IllegalArgumentException naming the bad option */
        LatencySettings settings(long seed) {
            OptionChecks.positive("--channels", channels);
            OptionChecks.positive("--cells", cells);
            OptionChecks.positive("--batch", batch);
            int r = repeats == null ? LatencySettings.DEFAULT_REPEATS : repeats;
            int w = warmup == null ? LatencySettings.DEFAULT_WARMUP : warmup;
            OptionChecks.positive("--repeats", r);
            if (w < 0) {
                throw new IllegalArgumentException("--warmup must be >= 0, got " + w);
            }
            if (threads < 0) {
                throw new IllegalArgumentException("--threads must be >= 0, got " + threads);
            }
            return new LatencySettings(NetworkShape.STANDARD.withCells(channels, cells), batch, w, r, threads, seed);
        }
    }

    @Command(
            name = "build-table",
            mixinStandardHelpOptions = true,
            description =
                    "Measure a latency lookup table on this machine (each NAS-Bench-201 block in isolation, plus an overhead model "
                            + "fitted on fully measured random cells) and write it as JSON.")
    static final class BuildTable implements Callable<Integer> {
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
                names = "--fit-cells",
                defaultValue = "24",
                paramLabel = "K",
                description =
                        "Random cells measured whole to fit the overhead model; 0: none (default: ${DEFAULT-VALUE}).")
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
        MeasureOptions measure = new MeasureOptions();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            LatencyEvaluators.checkDevice(device);
            if (Files.exists(out)) {
                throw new IllegalArgumentException(
                        out + " exists; refusing to overwrite it (remove it or choose another --out)");
            }
            LatencySettings settings = measure.settings(seed);
            PrintWriter o = spec.commandLine().getOut();
            long start = System.nanoTime();
            LatencyTable table;
            try {
                table = new LatencyTableBuilder(device, settings, fitCells, fitRounds, seed, line -> {
                            o.println(line);
                            o.flush();
                        })
                        .build();
            } catch (EvaluationException e) {
                spec.commandLine().getErr().println("latency build-table: error: " + e.getMessage());
                return 1;
            }
            try {
                table.save(out);
            } catch (FileAlreadyExistsException e) {
                throw new IllegalArgumentException(
                        out + " exists; refusing to overwrite it (remove it or choose another --out)");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            o.printf(Locale.ROOT, "wrote %s: %d entries", out, table.entries().size());
            if (table.model() != null) {
                o.printf(
                        Locale.ROOT,
                        ", model %s on %d cells (leave-one-out MAPE %.1f%%)",
                        table.model().coefficients(),
                        table.model().fitCells(),
                        100 * table.model().fitMape());
            }
            o.printf(Locale.ROOT, ", %.1f s%n", seconds);
            if (json) {
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("out", out.toString());
                fields.put("device", device);
                fields.put("entries", table.entries().size());
                fields.put("labels", table.labels());
                if (table.model() != null) {
                    fields.put("model", table.model().coefficients());
                    fields.put("fit_cells", table.model().fitCells());
                    fields.put("fit_mape", table.model().fitMape());
                }
                fields.put("seconds", seconds);
                o.println(JSON.writeValueAsString(fields));
            }
            o.flush();
            return 0;
        }
    }

    @Command(
            name = "measure",
            mixinStandardHelpOptions = true,
            description =
                    "Measure the latency of one architecture on this machine. With --stdin it reads a device-runner request "
                            + "(JSON, see runners/README.md) and prints the one-line JSON result: what runners/local-cpu runs.")
    static final class Measure implements Callable<Integer> {
        @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        static final class Source {
            @Option(
                    names = "--arch",
                    paramLabel = "ARCH",
                    description =
                            "An architecture of --space; a NAS-Bench-201 cell, e.g. "
                                    + "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")
            String arch;

            @Option(
                    names = "--stdin",
                    description = "Read the request JSON from stdin; print only the result JSON line.")
            boolean stdin;
        }

        @Option(
                names = "--device",
                paramLabel = "NAME",
                description = "The device's name (default: the request's, else local).")
        String device;

        @Option(
                names = "--space",
                defaultValue = Nb201Space.ID,
                description =
                        "The space of --arch: any space whose networks Archipelago builds (`archipelago spaces`); "
                                + "--channels and --cells size NAS-Bench-201 cells, other spaces are timed at their standard "
                                + "size (default: ${DEFAULT-VALUE}).")
        String space;

        @Option(
                names = "--seed",
                defaultValue = "0",
                description = "Seed of the weights and input (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--json", description = "End with one JSON line (always, with --stdin).")
        boolean json;

        @CommandLine.Mixin
        MeasureOptions measure = new MeasureOptions();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter o = spec.commandLine().getOut();
            Architecture architecture;
            NetworkShape shape;
            LatencySettings settings;
            String name;
            if (source.stdin) {
                String text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
                if (text.isBlank()) {
                    throw new IllegalArgumentException(
                            "no request on stdin (expected one JSON object, see runners/README.md)");
                }
                RunnerProtocol.Request request = RunnerProtocol.parseRequest(text);
                if (measure.repeats == null && request.repeats() != null) {
                    measure.repeats = request.repeats();
                }
                if (measure.warmup == null && request.warmup() != null) {
                    measure.warmup = request.warmup();
                }
                settings = measure.settings(seed).withNetwork(request.network(), request.batch());
                architecture = request.architecture();
                shape = request.network();
                name = device != null ? device : request.device();
            } else {
                SpaceNetworks<?> networks = SpaceNetworksRegistry.require(space, "latency measure");
                architecture = reencoded(networks.space(), source.arch);
                settings = measure.settings(seed);
                shape = space.equals(Nb201Space.ID) ? settings.network() : networks.standard();
                name = device != null ? device : "local";
            }
            MeasuredLatencyEvaluator evaluator = new MeasuredLatencyEvaluator(name, settings);
            LatencyEvaluators.Stats stats;
            try {
                stats = evaluator.measure(
                        SpaceNetworksRegistry.require(architecture.getSpace(), "latency measure")
                                .factory(architecture),
                        shape,
                        architecture.getEncoding());
            } catch (EvaluationException e) {
                spec.commandLine().getErr().println("latency measure: error: " + e.getMessage());
                return 1;
            }
            Map<String, String> labels = evaluator.labels();
            String result = RunnerProtocol.result(stats, LatencyEvaluators.threads(), labels);
            if (!source.stdin) {
                o.println(architecture.getEncoding());
                o.printf(
                        Locale.ROOT,
                        "  %-16s %.4f ms (p10 %.4f, p90 %.4f, min %.4f; %d repeats after %d warm-up)%n",
                        "latency",
                        stats.medianMs(),
                        stats.p10Ms(),
                        stats.p90Ms(),
                        stats.minMs(),
                        stats.repeats(),
                        settings.warmup());
                labels.forEach((k, v) -> o.printf(Locale.ROOT, "  %-16s %s%n", k, v));
            }
            if (source.stdin || json) {
                o.println(source.stdin ? result : withArch(result, architecture.getEncoding()));
            }
            o.flush();
            return 0;
        }

        private static <A> Architecture reencoded(SearchSpace<A> space, String encoding) {
            return space.toProto(space.parse(encoding));
        }

        private static String withArch(String result, String arch) throws JsonProcessingException {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("arch", arch);
            fields.putAll(JSON.readValue(
                    result, JSON.getTypeFactory().constructMapType(LinkedHashMap.class, String.class, Object.class)));
            return JSON.writeValueAsString(fields);
        }
    }
}
