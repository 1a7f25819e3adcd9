package io.archipelago.node;

import io.archipelago.core.nb201.Nb201MixedSpace;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.SearchSpaces;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.teg.TegEvaluator;
import io.archipelago.models.space.SpaceNetworksRegistry;
import io.archipelago.models.teg.TegIndicators;
import io.archipelago.node.setup.TegOptions;
import io.archipelago.proto.Architecture;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code archipelago teg [--space S] --arch A}: the training-free indicators of one architecture. */
@Command(
        name = "teg",
        mixinStandardHelpOptions = true,
        description =
                "Print the training-free TEG indicators (NTK condition number, linear regions, NTK regression error) of one "
                        + "architecture, with its parameter and FLOP counts.")
public final class TegCommand implements Callable<Integer> {
    @Option(
            names = "--arch",
            required = true,
            paramLabel = "CELL",
            description =
                    "The architecture in its space's encoding; for nb201 a cell, e.g. |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
                            + "skip_connect~2| (a supernet cell with several ops per edge joined by ',' works too).")
    String arch;

    @Option(
            names = "--space",
            defaultValue = Nb201Space.ID,
            description = "The architecture's search space: any space whose networks Archipelago builds "
                    + "(`archipelago spaces` lists them) (default: ${DEFAULT-VALUE}).")
    String space;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "Seed of network initialisation and data (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "End with one JSON line.")
    boolean json;

    @Mixin
    TegOptions teg;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<Objective> rankedBy =
                teg.rankedIndicators(); // checked here too: one cell has no ranks, but a bad value is still an error
        TegEvaluator evaluator = new TegEvaluator(teg.indicators(seed));
        Architecture architecture;
        if (space.equals(Nb201Space.ID)) {
            // A plain cell parses as one op per edge; a supernet cell with op sets is measured as it is.
            architecture = Nb201MixedSpace.INSTANCE.toProto(Nb201MixedSpace.INSTANCE.parse(arch));
        } else {
            SpaceNetworksRegistry.require(space, "teg");
            var parsed = SearchSpaces.byId(space);
            architecture = reencoded(parsed, arch);
        }
        long start = System.nanoTime();
        Map<String, Double> metrics;
        try {
            metrics = inPrintedOrder(evaluator.evaluate(architecture, 0).metrics());
        } catch (EvaluationException e) {
            throw new IllegalArgumentException("the indicators of " + arch + " are undefined: " + e.getMessage(), e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        PrintWriter out = spec.commandLine().getOut();
        out.println(architecture.getEncoding());
        metrics.forEach((name, value) -> out.printf(Locale.ROOT, "  %-16s %.6g%n", name, value));
        out.printf(Locale.ROOT, "  %-16s %.2f%n", "seconds", seconds);
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("space", space);
            fields.put("arch", architecture.getEncoding());
            fields.putAll(metrics);
            fields.put("seconds", seconds);
            fields.put("settings", teg.settings(seed).toString());
            fields.put("rank_by", rankedBy.stream().map(Object::toString).toList());
            out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(fields));
        }
        out.flush();
        return 0;
    }

    /** The three indicators as TEG names them, then the costs by name. */
    private static Map<String, Double> inPrintedOrder(Map<String, Double> metrics) {
        Map<String, Double> ordered = new LinkedHashMap<>();
        for (String indicator : List.of(TegIndicators.NTK_COND, TegIndicators.LINEAR_REGIONS, TegIndicators.NTK_MSE)) {
            ordered.put(indicator, metrics.get(indicator));
        }
        new java.util.TreeMap<>(metrics).forEach(ordered::putIfAbsent);
        return ordered;
    }

    /** The architecture in its space's own (canonical printed) encoding: parse errors name what is wrong. */
    private static <A> Architecture reencoded(SearchSpace<A> space, String encoding) {
        return space.toProto(space.parse(encoding));
    }
}
