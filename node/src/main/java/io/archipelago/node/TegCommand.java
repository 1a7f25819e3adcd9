package io.archipelago.node;

import io.archipelago.core.nb201.MixedCell;
import io.archipelago.core.nb201.Nb201MixedSpace;
import io.archipelago.core.objective.Objective;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.teg.TegEvaluator;
import io.archipelago.node.setup.TegOptions;
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

/** {@code archipelago teg --arch CELL}: the training-free indicators of one cell. */
@Command(
        name = "teg",
        mixinStandardHelpOptions = true,
        description =
                "Print the training-free TEG indicators (NTK condition number, linear regions, NTK regression error) of one cell.")
public final class TegCommand implements Callable<Integer> {
    @Option(
            names = "--arch",
            required = true,
            paramLabel = "CELL",
            description =
                    "A NAS-Bench-201 cell, e.g. |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
                            + "skip_connect~2| (a supernet cell with several ops per edge joined by ',' works too).")
    String arch;

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
        MixedCell cell = Nb201MixedSpace.INSTANCE.parse(arch); // a plain cell parses as one op per edge
        List<Objective> rankedBy =
                teg.rankedIndicators(); // checked here too: one cell has no ranks, but a bad value is still an error
        TegEvaluator evaluator = new TegEvaluator(teg.indicators(seed));
        long start = System.nanoTime();
        Map<String, Double> metrics;
        try {
            metrics = evaluator.metrics(cell);
        } catch (EvaluationException e) {
            throw new IllegalArgumentException("the indicators of " + arch + " are undefined: " + e.getMessage(), e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        PrintWriter out = spec.commandLine().getOut();
        out.println(Nb201MixedSpace.INSTANCE.format(cell));
        metrics.forEach((name, value) -> out.printf(Locale.ROOT, "  %-16s %.6g%n", name, value));
        out.printf(Locale.ROOT, "  %-16s %.2f%n", "seconds", seconds);
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("arch", Nb201MixedSpace.INSTANCE.format(cell));
            fields.putAll(metrics);
            fields.put("seconds", seconds);
            fields.put("settings", teg.settings(seed).toString());
            fields.put("rank_by", rankedBy.stream().map(Object::toString).toList());
            out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(fields));
        }
        out.flush();
        return 0;
    }
}
