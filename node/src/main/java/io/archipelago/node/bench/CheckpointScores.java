package io.archipelago.node.bench;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.models.supernet.EvalImages;
import io.archipelago.models.supernet.Evaluation;
import io.archipelago.models.supernet.SposCheckpoint;
import io.archipelago.models.supernet.SupernetEvaluator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The cells scored with one checkpoint's weights, kept in {@code eval-step-NNNNNNNN.csv} beside the
 * run: one line per cell, appended as soon as the cell is scored, so that a killed bench loses at
 * most the cell it was on and a rerun scores only the cells not in the file (a new truth table's,
 * say). A torn last line (killed mid-write) is dropped when the file is read.
 */
final class CheckpointScores {
    static final String HEADER = "arch,supernet_accuracy,mean_loss,params,seconds";

    /** One cell's score, and the seconds its evaluation took. */
    record Score(double accuracy, double meanLoss, long params, double seconds) {}

    private CheckpointScores() {}

    static Path file(Path runDir, long step) {
        return runDir.resolve(String.format(Locale.ROOT, "eval-step-%08d.csv", step));
    }

    /** Deletes every checkpoint's scores in {@code runDir}. */
    static void deleteAll(Path runDir) throws IOException {
        try (Stream<Path> files = Files.list(runDir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("\\.?eval-step-\\d+\\.csv(\\.tmp)?"))
                    .toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /**
     * The scores of {@code cells} (by their arch string), evaluating the ones the file lacks with
     * the checkpoint's weights on {@code images} (made only if some cell is missing).
     */
    static Map<String, Score> scores(
            Path scoresFile, Path checkpoint, List<Nb201Cell> cells, Supplier<EvalImages> images) throws IOException {
        Map<String, Score> known = read(scoresFile);
        List<Nb201Cell> missing = new ArrayList<>();
        for (Nb201Cell cell : cells) {
            if (!known.containsKey(cell.toString())) {
                missing.add(cell);
            }
        }
        if (missing.isEmpty()) {
            return known;
        }
        EvalImages evalImages = images.get();
        SposCheckpoint cp;
        try {
            cp = SposCheckpoint.read(checkpoint);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + checkpoint + ": " + e.getMessage(), e);
        }
        try (SupernetEvaluator evaluator = new SupernetEvaluator(cp.supernet());
                BufferedWriter w = Files.newBufferedWriter(
                        scoresFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (Nb201Cell cell : missing) {
                long t0 = System.nanoTime();
                Evaluation e = evaluator.evaluate(cell, evalImages);
                String line = String.format(
                        Locale.ROOT,
                        "%s,%.17g,%.17g,%d,%.6f",
                        cell,
                        e.accuracy(),
                        e.meanLoss(),
                        e.childParameters(),
                        (System.nanoTime() - t0) / 1e9);
                known.put(cell.toString(), parse(line)); // as a rerun will read it back, to the digit
                w.write(line + "\n");
                w.flush();
            }
        }
        return known;
    }

    /** The file's scores (empty when there is none); rewrites it whole first when its last line is torn. */
    static Map<String, Score> read(Path file) throws IOException {
        Map<String, Score> scores = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            Files.writeString(file, HEADER + "\n");
            return scores;
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        // A last line without its newline was cut short, even if what is left of it parses.
        int complete = text.endsWith("\n") ? lines.size() : lines.size() - 1;
        List<String> whole = new ArrayList<>();
        whole.add(HEADER);
        for (int i = 1; i < complete; i++) {
            String line = lines.get(i);
            Score s = parse(line);
            if (s != null) {
                scores.put(line.substring(0, line.indexOf(',')), s);
                whole.add(line);
            }
        }
        if (lines.isEmpty() || !lines.get(0).equals(HEADER) || whole.size() != lines.size()) {
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.write(tmp, whole, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return scores;
    }

    private static Score parse(String line) {
        String[] f = line.split(",", -1);
        if (f.length != 5) {
            return null;
        }
        try {
            return new Score(
                    Double.parseDouble(f[1]), Double.parseDouble(f[2]), Long.parseLong(f[3]), Double.parseDouble(f[4]));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
