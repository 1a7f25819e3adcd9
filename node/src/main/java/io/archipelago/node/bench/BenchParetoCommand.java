package io.archipelago.node.bench;

import io.archipelago.controller.SearchEvent;
import io.archipelago.controller.router.Router;
import io.archipelago.core.objective.Hypervolume;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.objective.Objectives;
import io.archipelago.core.space.CostModel;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.engine.SearchParent;
import io.archipelago.node.run.ParetoFront;
import io.archipelago.node.setup.SearchOptions;
import io.archipelago.node.setup.SearchSetup;
import io.archipelago.proto.EvaluationStatus;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench pareto}: how much of the benchmark's true trade-off a multi-objective search finds.
 * The exact front is computed from the whole table; each seeded search's evaluated cells give a
 * found front; the figure is the found front's hypervolume as a fraction of the exact one's.
 *
 * <p>Both are measured on one scale: every objective is mapped linearly over its range in the
 * table (worst 0, best 1), and the reference point is, for maximised objectives, their 90th
 * percentile over the table's cells and, for minimised ones, their worst value. The percentile
 * keeps the figure about the interesting corner: on NAS-Bench-201 most cells are far from the
 * front, and a reference at the worst accuracy would let any search score close to 1.
 */
@Command(
        name = "pareto",
        mixinStandardHelpOptions = true,
        description = "Hypervolume of the front K seeded searches find, as a fraction of the table's exact front.")
public final class BenchParetoCommand implements Callable<Integer> {
    /** Percentile of a maximised objective over the table that is the reference point's coordinate. */
    static final double REFERENCE_PERCENTILE = 0.9;

    @Mixin
    SearchOptions options;

    @Mixin
    SeededSearchOptions runs;

    @Option(names = "--json", description = "End with one JSON line.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        runs.check();
        if (options.objectives == null) {
            options.objectives = "cifar10_valid_12:max,params:min";
        }
        if (!spec.commandLine().getParseResult().hasMatchedOption("--slots")) {
            options.slots = 1; // one slot: each seed's search is exactly reproducible
        }
        SearchSetup<?> setup = SearchSetup.from(options);
        if (setup.objectives.size() < 2 || setup.measuresLatency()) {
            throw new IllegalArgumentException(
                    "bench pareto needs two or more objectives that the benchmark table and the space's costs "
                            + "give (e.g. cifar10_valid_12:max,params:min); got " + setup.objectives);
        }
        return run(setup);
    }

    private <A> int run(SearchSetup<A> setup) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Scale scale = Scale.of(setup);
        double exact = scale.hypervolume(scale.tableScores);
        out.printf(
                Locale.ROOT,
                "exact front of %s over %d cells: hypervolume %.6f (reference %s)%n",
                setup.objectives,
                scale.cells,
                exact,
                scale.referenceMap(setup.objectives));
        double[] ratios = new double[runs.seeds];
        List<Map<String, Object>> perSeed = new ArrayList<>();
        long start = System.nanoTime();
        for (int s = 1; s <= runs.seeds; s++) {
            ParetoFront found = new ParetoFront(setup.objectives, setup.constraints);
            SearchEvent.SearchReport report;
            try (Engine engine = setup.engine(s)) {
                report = engine.run(
                                setup.settings("bench-pareto-" + options.strategy + "-" + s, runs.budget),
                                setup.space,
                                setup.strategy(s),
                                setup.routerSettings,
                                done -> collecting(found, done))
                        .toCompletableFuture()
                        .get();
            }
            List<ParetoFront.Point> points = found.points();
            double[][] scores = new double[points.size()][];
            for (int i = 0; i < scores.length; i++) {
                scores[i] = points.get(i).scores();
            }
            ratios[s - 1] = scale.hypervolume(scores) / exact;
            out.printf(
                    Locale.ROOT,
                    "seed %3d  hv_ratio %.4f  (%d evaluations, %d on the found front)%n",
                    s,
                    ratios[s - 1],
                    report.evaluations(),
                    found.front().size());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("seed", s);
            row.put("hv_ratio", ratios[s - 1]);
            row.put("evaluations", report.evaluations());
            row.put("front_size", found.front().size());
            perSeed.add(row);
        }
        double mean = BenchOutput.mean(ratios);
        double std = BenchOutput.std(ratios);
        double wall = (System.nanoTime() - start) / 1e9;
        out.printf(
                Locale.ROOT,
                "%s, budget %d, %d seeds: hv_ratio mean %.4f, std %.4f (%.1f s)%n",
                options.strategy,
                runs.budget,
                runs.seeds,
                mean,
                std,
                wall);
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("strategy", options.strategy);
            fields.put(
                    "objectives",
                    setup.objectives.stream().map(Object::toString).toList());
            fields.put("budget", runs.budget);
            fields.put("seeds", runs.seeds);
            fields.put("hv_ratio", mean);
            fields.put("hv_ratio_std", std);
            fields.put("exact_hypervolume", exact);
            fields.put("reference", scale.referenceMap(setup.objectives));
            fields.put("wall_seconds", wall);
            fields.put("per_seed", perSeed);
            BenchOutput.json(out, fields);
        }
        return 0;
    }

    /** An observer that adds every evaluated success to {@code front}. */
    private static Behavior<SearchEvent> collecting(
            ParetoFront front, CompletableFuture<SearchEvent.SearchReport> done) {
        return Behaviors.receive(SearchEvent.class)
                .onMessage(SearchEvent.ResultRecorded.class, recorded -> {
                    var result = recorded.result();
                    if (recorded.source() == Router.Source.EVALUATED
                            && result.getStatus() == EvaluationStatus.EVALUATION_STATUS_OK) {
                        front.add(
                                result.getCandidateId(),
                                result.getArchitecture().getEncoding(),
                                result.getMetricsMap());
                    }
                    return Behaviors.same();
                })
                .onMessage(SearchEvent.SearchFinished.class, finished -> {
                    done.complete(finished.report());
                    return Behaviors.stopped();
                })
                .onMessage(SearchEvent.SearchAborted.class, aborted -> SearchParent.failWith(done, aborted))
                .build();
    }

    /** The table's objective scores, their range and the reference point: the scale both hypervolumes are measured on. */
    static final class Scale {
        final double[][] tableScores;
        final int cells;
        final double[] worst;
        final double[] best;
        final double[] reference; // in normalised units
        final double[] referenceValues; // as measured

        private Scale(double[][] tableScores, int cells, double[] worst, double[] best, double[] referenceScores) {
            this.tableScores = tableScores;
            this.cells = cells;
            this.worst = worst;
            this.best = best;
            this.reference = Objectives.normalised(new double[][] {referenceScores}, worst, best)[0];
            this.referenceValues = referenceScores.clone();
        }

        static <A> Scale of(SearchSetup<A> setup) {
            @SuppressWarnings("unchecked")
            BenchmarkTable<A> table = (BenchmarkTable<A>) setup.table;
            List<Objective> objectives = setup.objectives;
            int m = objectives.size();
            // Every cell, not one per canonical class: cells that compute the same function share
            // their accuracy but not their parameter count (a dead edge still has weights).
            List<double[]> scores = new ArrayList<>();
            setup.space
                    .enumerate()
                    .forEach(cell -> table.metricsOf(cell).ifPresent(found -> {
                        Map<String, Double> metrics = new HashMap<>(found);
                        if (setup.space instanceof CostModel<?>) {
                            @SuppressWarnings("unchecked")
                            CostModel<A> costs = (CostModel<A>) setup.space;
                            costs.costs(cell).forEach(metrics::putIfAbsent);
                        }
                        double[] s = Objectives.scores(metrics, objectives);
                        if (Arrays.stream(s).noneMatch(Double::isNaN)) {
                            scores.add(s);
                        }
                    }));
            if (scores.isEmpty()) {
                throw new IllegalArgumentException("no cell of the table has all of " + objectives);
            }
            double[] worst = new double[m];
            double[] best = new double[m];
            double[] referenceScores = new double[m];
            int rows = scores.size();
            for (int k = 0; k < m; k++) {
                double[] column = new double[rows];
                for (int i = 0; i < rows; i++) {
                    column[i] = scores.get(i)[k];
                }
                Arrays.sort(column);
                worst[k] = column[0];
                best[k] = column[rows - 1];
                if (!(best[k] > worst[k])) {
                    throw new IllegalArgumentException(
                            objectives.get(k) + " has one value over the whole table: nothing to trade off");
                }
                // A maximised objective's reference is its 90th percentile over the cells; a minimised one's its worst
                // value.
                referenceScores[k] = objectives.get(k).maximize()
                        ? column[(int) Math.floor(REFERENCE_PERCENTILE * (rows - 1))]
                        : worst[k];
            }
            return new Scale(scores.toArray(new double[0][]), rows, worst, best, referenceScores);
        }

        double hypervolume(double[][] scores) {
            return Hypervolume.of(Objectives.normalised(scores, worst, best), reference);
        }

        Map<String, Double> referenceMap(List<Objective> objectives) {
            Map<String, Double> map = new LinkedHashMap<>();
            for (int k = 0; k < objectives.size(); k++) {
                Objective o = objectives.get(k);
                map.put(o.metric(), o.maximize() ? referenceValues[k] : -referenceValues[k]);
            }
            return map;
        }
    }
}
