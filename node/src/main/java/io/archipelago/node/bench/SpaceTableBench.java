package io.archipelago.node.bench;

import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.latency.LatencySettings;
import io.archipelago.evaluators.latency.LatencyTable;
import io.archipelago.evaluators.latency.SpaceLatencyTable;
import io.archipelago.evaluators.latency.SpaceLatencyTableBuilder;
import io.archipelago.node.latency.LatencyTableSpaces;
import io.archipelago.proto.Architecture;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code bench latency-table --space S} for a space with latency blocks (darts, mnasnet): builds
 * or loads S's {@link SpaceLatencyTable}, samples distinct random architectures of S (none a fit
 * network of a table built here), measures their networks whole at the table's shape in
 * interleaved rounds and pairs each with the table's prediction.
 */
final class SpaceTableBench {
    private final BenchLatencyTableCommand options;

    SpaceTableBench(BenchLatencyTableCommand options) {
        this.options = options;
    }

    BenchLatencyTableCommand.Outcome run(PrintWriter out, long start) throws Exception {
        BenchLatencyTableCommand o = options;
        SpaceLatencyTable lookup;
        Set<String> exclude = new HashSet<>();
        String source;
        if (o.table != null) {
            if (!SpaceLatencyTable.isSpaceTable(o.table)) {
                LatencyTable.load(o.table); // says what is wrong with a broken file
                throw new IllegalArgumentException(
                        "--table " + o.table + " is a NAS-Bench-201 latency table, not of --space " + o.space);
            }
            lookup = SpaceLatencyTable.load(o.table);
            if (!lookup.space().equals(o.space)) {
                throw new IllegalArgumentException("--table " + o.table + " is a latency table of space '"
                        + lookup.space() + "', not of --space " + o.space);
            }
            source = o.table.toString();
            out.printf(Locale.ROOT, "loaded %s%n", lookup);
            BenchLatencyTableCommand.noteOtherMachine(out, lookup.labels());
        } else {
            LatencySettings settings =
                    settings().withNetwork(LatencyTableSpaces.shape(o.space, o.channels, o.cells, o.imageSize), 1);
            try {
                lookup = new SpaceLatencyTableBuilder(
                                o.space, o.device, settings, o.fitCells, o.fitRounds, o.seed, line -> {
                                    out.println(line);
                                    out.flush();
                                })
                        .build();
            } catch (EvaluationException e) {
                throw new IllegalStateException("building the latency table failed: " + e.getMessage(), e);
            }
            SpaceLatencyTableBuilder.sample(o.space, o.fitCells, o.seed).forEach(a -> exclude.add(a.getEncoding()));
            source = "built here";
        }
        double buildSeconds = (System.nanoTime() - start) / 1e9;
        List<Architecture> sampled = new ArrayList<>();
        for (Architecture a :
                SpaceLatencyTableBuilder.sample(o.space, o.sample + exclude.size(), o.seed ^ 0x9E3779B97F4A7C15L)) {
            if (!exclude.contains(a.getEncoding()) && sampled.size() < o.sample) {
                sampled.add(a);
            }
        }
        LatencySettings settings =
                settings().withNetwork(lookup.network(), lookup.measurement().batch());
        long measureStart = System.nanoTime();
        double[][] perRound;
        try {
            perRound = SpaceLatencyTableBuilder.measureRounds(
                    sampled, lookup.network(), settings, o.device, o.rounds, o.seed);
        } catch (EvaluationException e) {
            throw new IllegalStateException("measuring failed: " + e.getMessage(), e);
        }
        double measureSeconds = (System.nanoTime() - measureStart) / 1e9;
        double[] predicted = new double[sampled.size()];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < sampled.size(); i++) {
            predicted[i] = lookup.predict(SpaceLatencyTableBuilder.blocksOf(sampled.get(i), lookup.network()));
            names.add(sampled.get(i).getEncoding());
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

    private LatencySettings settings() {
        BenchLatencyTableCommand o = options;
        return new LatencySettings(
                io.archipelago.models.space.NetworkShape.STANDARD, 1, o.warmup, o.repeats, o.threads, o.seed);
    }
}
