package io.archipelago.node.bench;

import io.archipelago.core.predictor.Predictor;
import io.archipelago.core.predictor.PredictorModel;
import io.archipelago.core.space.SearchSpaces;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.node.setup.SearchSetup;
import io.archipelago.node.setup.TableProtocol;
import io.archipelago.predictors.Predictors;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.commons.math3.stat.correlation.KendallsCorrelation;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench predictors}: for each seed, fit every predictor on N cells of the benchmark and
 * rank M other cells: Kendall τ and Spearman of the predicted against the true metric, pairwise
 * accuracy (sampled pairs of test cells with different truths; the comparator answers with its own
 * {@code compare}, the others by their scores) and fit time.
 */
@Command(
        name = "predictors",
        mixinStandardHelpOptions = true,
        description =
                "Rank quality and fit time of the predictors (GCN, NAC, NAO) trained on N benchmark cells, tested on M others.")
public final class BenchPredictorsCommand implements Callable<Integer> {
    @Option(
            names = "--train",
            defaultValue = "100",
            description = "Training cells per seed (default: ${DEFAULT-VALUE}).")
    int train;

    @Option(
            names = "--test",
            defaultValue = "1000",
            description = "Held-out test cells per seed (default: ${DEFAULT-VALUE}).")
    int test;

    @Option(
            names = "--seeds",
            defaultValue = "5",
            description = "Seeds 1..K: each draws its own split and fits (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(
            names = "--pairs",
            defaultValue = "2000",
            description = "Test pairs sampled for pairwise accuracy (default: ${DEFAULT-VALUE}).")
    int pairs;

    @Option(names = "--predictors", split = ",", description = "Predictors to measure (default: all: gcn, nac, nao).")
    List<String> predictors;

    @Option(names = "--space", defaultValue = "nb201", description = "Search space (default: ${DEFAULT-VALUE}).")
    String space;

    @Option(
            names = "--benchmark",
            paramLabel = "FILE",
            description = "Benchmark CSV or embedded table name, e.g. nbgraph:cora (default: the space's embedded"
                    + " table, for nb201 the NAS-Bench-201 CIFAR-10 one).")
    Path benchmark;

    @Option(
            names = "--metric",
            description = "Benchmark metric to predict (default: the space's report metric: cifar10_test_200 on nb201,"
                    + " test_acc on nbgraph).")
    String metric;

    @Option(names = "--json", description = "End with one JSON line.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (train < 2 || test < 2 || seeds < 1 || pairs < 1) {
            throw new IllegalArgumentException("need --train >= 2, --test >= 2, --seeds >= 1, --pairs >= 1; got "
                    + train + ", " + test + ", " + seeds + ", " + pairs);
        }
        List<String> names = predictors == null ? Predictors.NAMES : predictors;
        names.forEach(Predictors::create); // unknown names fail before any work
        return run(SearchSetup.loadTable(SearchSpaces.byId(space), benchmark), names);
    }

    private <A> int run(BenchmarkTable<A> table, List<String> names) {
        if (metric == null) {
            metric = TableProtocol.of(space).reportMetric();
        }
        table.metricIndex(metric);
        PrintWriter out = spec.commandLine().getOut();

        Map<String, double[]> kendall = perPredictor(names);
        Map<String, double[]> spearman = perPredictor(names);
        Map<String, double[]> pairwise = perPredictor(names);
        Map<String, double[]> fitSeconds = perPredictor(names);
        Map<String, double[]> predictSeconds = perPredictor(names);
        for (int s = 0; s < seeds; s++) {
            long seed = s + 1;
            List<A> cells = BenchOutput.distinctCells(table, train + test, seed);
            List<A> trainCells = cells.subList(0, train);
            List<A> testCells = cells.subList(train, train + test);
            double[] trainTruth = truth(table, trainCells);
            double[] testTruth = truth(table, testCells);
            int[][] pairIndices = samplePairs(testTruth, seed);
            for (String name : names) {
                Predictor<A> predictor = Predictors.create(name, table.space());
                long start = System.nanoTime();
                PredictorModel<A> model = predictor.fit(trainCells, trainTruth, seed);
                fitSeconds.get(name)[s] = (System.nanoTime() - start) / 1e9;
                start = System.nanoTime();
                double[] predicted = model.predict(testCells);
                predictSeconds.get(name)[s] = (System.nanoTime() - start) / 1e9;
                kendall.get(name)[s] = new KendallsCorrelation().correlation(predicted, testTruth);
                spearman.get(name)[s] = new SpearmansCorrelation().correlation(predicted, testTruth);
                pairwise.get(name)[s] = pairwiseAccuracy(
                        model, predicted, testCells, testTruth, pairIndices, Predictors.isPairwise(name));
                out.printf(
                        Locale.ROOT,
                        "seed %d  %-4s kendall %.4f  spearman %.4f  pairwise %.4f  fit %.2f s  predict %.3f s%n",
                        seed,
                        name,
                        kendall.get(name)[s],
                        spearman.get(name)[s],
                        pairwise.get(name)[s],
                        fitSeconds.get(name)[s],
                        predictSeconds.get(name)[s]);
                out.flush();
            }
        }
        out.printf(Locale.ROOT, "%n%d seeds, train %d, test %d, metric %s (mean ± std)%n", seeds, train, test, metric);
        out.printf(Locale.ROOT, "  %-4s %17s %17s %17s %12s%n", "", "kendall", "spearman", "pairwise", "fit s");
        for (String name : names) {
            out.printf(
                    Locale.ROOT,
                    "  %-4s %8.4f ± %.4f %8.4f ± %.4f %8.4f ± %.4f %12.2f%n",
                    name,
                    BenchOutput.mean(kendall.get(name)),
                    BenchOutput.std(kendall.get(name)),
                    BenchOutput.mean(spearman.get(name)),
                    BenchOutput.std(spearman.get(name)),
                    BenchOutput.mean(pairwise.get(name)),
                    BenchOutput.std(pairwise.get(name)),
                    BenchOutput.mean(fitSeconds.get(name)));
        }
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("space", table.space().id());
            fields.put("train", train);
            fields.put("test", test);
            fields.put("seeds", seeds);
            fields.put("metric", metric);
            fields.put("kendall", means(kendall));
            fields.put("spearman", means(spearman));
            fields.put("pairwise_accuracy", means(pairwise));
            fields.put("fit_seconds", means(fitSeconds));
            fields.put("predict_seconds", means(predictSeconds));
            fields.put("kendall_per_seed", kendall);
            BenchOutput.json(out, fields);
        }
        return 0;
    }

    private Map<String, double[]> perPredictor(List<String> names) {
        Map<String, double[]> values = new LinkedHashMap<>();
        names.forEach(name -> values.put(name, new double[seeds]));
        return values;
    }

    private static Map<String, Double> means(Map<String, double[]> values) {
        Map<String, Double> means = new LinkedHashMap<>();
        values.forEach((name, v) -> means.put(name, BenchOutput.mean(v)));
        return means;
    }

    private <A> double[] truth(BenchmarkTable<A> table, List<A> cells) {
        double[] truth = new double[cells.size()];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = table.metricsOf(cells.get(i)).orElseThrow().get(metric);
        }
        return truth;
    }

    /** Pairs of test cells whose true metric differs, drawn with the seed. */
    private int[][] samplePairs(double[] truth, long seed) {
        SplittableRandom random = new SplittableRandom(seed ^ 0x5eedL);
        int[][] chosen = new int[pairs][];
        for (int p = 0; p < pairs; ) {
            int a = random.nextInt(truth.length);
            int b = random.nextInt(truth.length);
            if (truth[a] != truth[b]) {
                chosen[p++] = new int[] {a, b};
            }
        }
        return chosen;
    }

    private static <A> double pairwiseAccuracy(
            PredictorModel<A> model,
            double[] predicted,
            List<A> cells,
            double[] truth,
            int[][] pairs,
            boolean pairwise) {
        int right = 0;
        for (int[] pair : pairs) {
            double aWins = pairwise
                    ? model.compare(cells.get(pair[0]), cells.get(pair[1]))
                    : predicted[pair[0]] > predicted[pair[1]] ? 1 : predicted[pair[0]] < predicted[pair[1]] ? 0 : 0.5;
            boolean truthAWins = truth[pair[0]] > truth[pair[1]];
            if (aWins != 0.5 && (aWins > 0.5) == truthAWins) {
                right++;
            }
        }
        return (double) right / pairs.length;
    }
}
