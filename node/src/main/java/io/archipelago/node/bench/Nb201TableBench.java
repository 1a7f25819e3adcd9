package io.archipelago.node.bench;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.latency.LatencySettings;
import io.archipelago.evaluators.latency.LatencyTable;
import io.archipelago.evaluators.latency.LatencyTableBuilder;
import io.archipelago.evaluators.latency.SpaceLatencyTable;
import io.archipelago.node.latency.LatencyTableSpaces;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code bench latency-table} on NAS-Bench-201: builds or loads a {@link LatencyTable}, samples
 * distinct random cells (none a fit cell of a table built here), measures their networks in
 * interleaved rounds and pairs each with the table's prediction.
 */
final class Nb201TableBench {
    private final BenchLatencyTableCommand options;

    Nb201TableBench(BenchLatencyTableCommand options) {
        this.options = options;
    }

    BenchLatencyTableCommand.Outcome run(PrintWriter out, long start) throws Exception {
        BenchLatencyTableCommand o = options;
        LatencySettings settings = new LatencySettings(
                LatencyTableSpaces.shape(o.space, o.channels, o.cells, o.imageSize),
                1,
                o.warmup,
                o.repeats,
                o.threads,
                o.seed);
        LatencyTable lookup;
        Set<Nb201Cell> exclude = new HashSet<>();
        String source;
        if (o.table != null) {
            if (SpaceLatencyTable.isSpaceTable(o.table)) {
                throw new IllegalArgumentException("--table " + o.table + " is a latency table of space '"
                        + SpaceLatencyTable.load(o.table).space() + "', not of --space " + o.space);
            }
            lookup = LatencyTable.load(o.table);
            settings = settings.withNetwork(lookup.network(), lookup.batch());
            source = o.table.toString();
            out.printf(Locale.ROOT, "loaded %s%n", lookup);
            BenchLatencyTableCommand.noteOtherMachine(out, lookup.labels());
        } else {
            try {
                lookup = new LatencyTableBuilder(o.device, settings, o.fitCells, o.fitRounds, o.seed, line -> {
                            out.println(line);
                            out.flush();
                        })
                        .build();
            } catch (EvaluationException e) {
                throw new IllegalStateException("building the latency table failed: " + e.getMessage(), e);
            }
            exclude.addAll(LatencyTableBuilder.sampleCells(o.fitCells, o.seed));
            source = "built here";
        }
        double buildSeconds = (System.nanoTime() - start) / 1e9;
        List<Nb201Cell> sampled = new ArrayList<>();
        for (Nb201Cell c : LatencyTableBuilder.sampleCells(o.sample + exclude.size(), o.seed ^ 0x9E3779B97F4A7C15L)) {
            if (!exclude.contains(c) && sampled.size() < o.sample) {
                sampled.add(c);
            }
        }
        long measureStart = System.nanoTime();
        double[][] perRound;
        try {
            perRound = LatencyTableBuilder.measureCellRounds(sampled, settings, o.device, o.rounds, o.seed);
        } catch (EvaluationException e) {
            throw new IllegalStateException("measuring failed: " + e.getMessage(), e);
        }
        double measureSeconds = (System.nanoTime() - measureStart) / 1e9;
        double[] predicted = new double[sampled.size()];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < sampled.size(); i++) {
            predicted[i] = lookup.predict(sampled.get(i));
            names.add(sampled.get(i).toString());
        }
        return new BenchLatencyTableCommand.Outcome(
                names,
                perRound,
                predicted,
                source,
                lookup.device(),
                lookup.labels(),
                lookup.model(),
                buildSeconds,
                measureSeconds);
    }
}
