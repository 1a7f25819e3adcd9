package io.archipelago.node.latency;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.latency.LatencyEvaluators;
import io.archipelago.evaluators.latency.LatencySettings;
import io.archipelago.evaluators.latency.MeasuredLatencyEvaluator;
import io.archipelago.evaluators.latency.RunnerProtocol;
import io.archipelago.models.space.NetworkShape;
import io.archipelago.models.space.SpaceNetworks;
import io.archipelago.models.space.SpaceNetworksRegistry;
import io.archipelago.node.setup.OptionChecks;
import io.archipelago.proto.Architecture;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
        description = "Measure inference latency of networks on this machine, and build latency lookup tables.",
        subcommands = {BuildTableCommand.class, LatencyCommand.Measure.class, CommandLine.HelpCommand.class})
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
                paramLabel = "C",
                description =
                        "C of a NAS-Bench-201 network (default: 16); for build-table --space S, the channels "
                                + "of S's shape (`archipelago spaces`: DARTS's C, MnasNet's stem filters) (default: S's standard).")
        Integer channels;

        @Option(
                names = "--cells",
                paramLabel = "N",
                description = "Cells per stage of a NAS-Bench-201 network (default: 5); for build-table --space darts, "
                        + "DARTS's N (default: 6).")
        Integer cells;

        @Option(
                names = "--batch",
                defaultValue = "1",
                paramLabel = "B",
                description = "Inputs per forward pass (default: ${DEFAULT-VALUE}).")
        int batch;

        /** @throws IllegalArgumentException naming the bad option */
        LatencySettings settings(long seed) {
            int c = channels == null ? NetworkShape.STANDARD.channels() : channels;
            int n = cells == null ? NetworkShape.STANDARD.cellsPerStage() : cells;
            OptionChecks.positive("--channels", c);
            OptionChecks.positive("--cells", n);
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
            return new LatencySettings(NetworkShape.STANDARD.withCells(c, n), batch, w, r, threads, seed);
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
