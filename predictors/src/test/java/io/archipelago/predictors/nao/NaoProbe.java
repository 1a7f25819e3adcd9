package io.archipelago.predictors.nao;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.predictors.SyntheticCells;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.commons.math3.stat.correlation.KendallsCorrelation;

/**
 * Measurements too long for the test suite, run by hand on the test classpath:
 *
 * <pre>
 * java -cp … io.archipelago.predictors.nao.NaoProbe fits 200   # resident memory over 200 fits in one JVM
 * java -cp … io.archipelago.predictors.nao.NaoProbe bench 5    # Kendall τ and fit time on seeds 1..5
 * </pre>
 *
 * The bench draws its cells as {@code bench predictors} does (100 train, 1,000 test, metric
 * {@code cifar10_test_200}), so its figures compare with that command's.
 */
public final class NaoProbe {
    private NaoProbe() {}

    public static void main(String[] args) {
        int count = Integer.parseInt(args[1]);
        switch (args[0]) {
            case "fits" -> fits(count);
            case "bench" -> bench(count);
            default -> throw new IllegalArgumentException("fits N or bench N, got " + args[0]);
        }
    }

    private static void fits(int count) {
        NaoPredictor<Nb201Cell> predictor = new NaoPredictor<>(Nb201Space.INSTANCE);
        List<Nb201Cell> cells = SyntheticCells.sample(100, 1);
        double[] targets = SyntheticCells.convolutions(cells);
        predictor.fit(cells, targets, 0); // loads the classes a fit needs before the baseline
        double baseline = ResidentMemory.megabytes();
        long start = System.nanoTime();
        for (int i = 1; i <= count; i++) {
            predictor.fit(cells, targets, i);
            if (i % 10 == 0 || i == count) {
                System.out.printf(
                        Locale.ROOT,
                        "%d fits  RSS %.0f MB  growth %.0f MB  %.2f s per fit%n",
                        i,
                        ResidentMemory.megabytes(),
                        ResidentMemory.megabytes() - baseline,
                        (System.nanoTime() - start) / 1e9 / i);
            }
        }
    }

    private static void bench(int seeds) {
        BenchmarkTable<Nb201Cell> table = BenchmarkTable.embeddedNb201Cifar10();
        NaoPredictor<Nb201Cell> predictor = new NaoPredictor<>(Nb201Space.INSTANCE);
        double tauSum = 0;
        double secondsSum = 0;
        for (long seed = 1; seed <= seeds; seed++) {
            List<Nb201Cell> cells = distinctCells(table, 1100, seed);
            List<Nb201Cell> train = cells.subList(0, 100);
            List<Nb201Cell> test = cells.subList(100, 1100);
            long start = System.nanoTime();
            NaoModel<Nb201Cell> model = predictor.fit(train, truth(table, train), seed);
            double seconds = (System.nanoTime() - start) / 1e9;
            double tau = new KendallsCorrelation().correlation(model.predict(test), truth(table, test));
            long exact =
                    train.stream().filter(c -> c.equals(model.reconstruct(c))).count();
            System.out.printf(
                    Locale.ROOT,
                    "seed %d  kendall %.4f  fit %.2f s  reconstructed %d of 100%n",
                    seed,
                    tau,
                    seconds,
                    exact);
            tauSum += tau;
            secondsSum += seconds;
        }
        System.out.printf(Locale.ROOT, "mean kendall %.4f  fit %.2f s%n", tauSum / seeds, secondsSum / seeds);
    }

    /** As the node module's BenchOutput.distinctCells: the same seed gives the same cells. */
    private static List<Nb201Cell> distinctCells(BenchmarkTable<Nb201Cell> table, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Set<String> seen = new HashSet<>();
        List<Nb201Cell> cells = new ArrayList<>();
        while (cells.size() < count) {
            Nb201Cell cell = Nb201Space.INSTANCE.sample(random);
            if (table.metricsOf(cell).isPresent() && seen.add(Nb201Space.INSTANCE.canonicalKey(cell))) {
                cells.add(cell);
            }
        }
        return cells;
    }

    private static double[] truth(BenchmarkTable<Nb201Cell> table, List<Nb201Cell> cells) {
        return cells.stream()
                .mapToDouble(c -> table.metricsOf(c).orElseThrow().get("cifar10_test_200"))
                .toArray();
    }
}
