package io.archipelago.node.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.models.supernet.EvalImages;
import io.archipelago.node.bench.CheckpointScores.Score;
import io.archipelago.node.supernet.QuarterCheckpoints;
import io.archipelago.node.supernet.RunDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One trained seed of {@code bench supernet}: its cells scored at each quarter checkpoint, and the
 * report of it (the keys of the bench's JSON, for this seed). The correlations and the pick come
 * from the last checkpoint; the curve has each quarter's Kendall tau.
 */
final class SeedReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long seed;
    private final Path dir;
    private final long totalSteps;
    private final RankedCells table;
    private final RankedCells truth;

    /** @param truth null when the bench has no truth table */
    SeedReport(long seed, Path dir, long totalSteps, RankedCells table, RankedCells truth) {
        this.seed = seed;
        this.dir = dir;
        this.totalSteps = totalSteps;
        this.table = table;
        this.truth = truth;
    }

    Map<String, Object> evaluate(List<Nb201Cell> cells, Supplier<EvalImages> images, PrintWriter out)
            throws IOException {
        RunDirectory run = new RunDirectory(dir);
        List<Map<String, Object>> curve = new ArrayList<>();
        Map<String, Score> last = null;
        double seconds = 0;
        int scoredCells = 0;
        for (double fraction : QuarterCheckpoints.FRACTIONS) {
            long step = QuarterCheckpoints.step(totalSteps, fraction);
            Path checkpoint = run.keptCheckpoint(step);
            if (!Files.isRegularFile(checkpoint)) {
                throw new IllegalArgumentException(checkpoint + " is missing: was " + dir
                        + " trained without --quarter-checkpoints? Move it away to retrain that seed");
            }
            Path file = CheckpointScores.file(dir, step);
            int before = CheckpointScores.read(file).size();
            Map<String, Score> scores = CheckpointScores.scores(file, checkpoint, cells, images);
            out.printf(
                    Locale.ROOT,
                    "seed %d: step %d (%.0f%%): %d cells scored, %d of them now%n",
                    seed,
                    step,
                    100 * fraction,
                    scores.size(),
                    scores.size() - before);
            out.flush();
            for (Score s : scores.values()) {
                seconds += s.seconds();
                scoredCells++;
            }
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("fraction", fraction);
            point.put("step", step);
            point.put("truth_kendall", truth == null ? null : truth.kendall(accuracies(truth, scores)));
            point.put("table_kendall", table.kendall(accuracies(table, scores)));
            curve.add(point);
            last = scores;
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("seed", seed);
        report.put("total_steps", totalSteps);
        report.put("truth", truth == null ? null : truth.correlations(last));
        report.put("table", table.correlations(last));
        report.put("train_images_per_second", imagesPerSecond(run));
        report.put("seconds_per_cell", seconds / scoredCells);
        report.put("curve", curve);
        report.put("picked", table.picked(last));
        return report;
    }

    private static double[] accuracies(RankedCells ranked, Map<String, Score> scores) {
        return ranked.cells().stream()
                .mapToDouble(c -> scores.get(c.toString()).accuracy())
                .toArray();
    }

    /**
     * The training speed the run recorded: over all its steps, whichever processes ran them (or, for
     * a run resumed from a train.json that predates that figure, its last stretch); null if none.
     */
    private static Double imagesPerSecond(RunDirectory run) {
        try {
            JsonNode json = JSON.readTree(run.dir().resolve("train.json").toFile());
            JsonNode overall = json.path("images_per_second_overall");
            double v = overall.isNumber()
                    ? overall.asDouble()
                    : json.path("images_per_second").asDouble(0);
            return v > 0 ? v : null;
        } catch (IOException e) {
            return null;
        }
    }
}
