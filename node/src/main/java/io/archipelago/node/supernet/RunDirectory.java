package io.archipelago.node.supernet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.archipelago.models.supernet.CheckpointException;
import io.archipelago.models.supernet.SposCheckpoint;
import io.archipelago.models.supernet.SposTrainer;
import io.archipelago.models.supernet.TrainingSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The directory of one {@code supernet train} run and the files it holds: {@value #CHECKPOINT} (the
 * latest checkpoint), {@code checkpoints/step-NNNNNNNN.spos} (every checkpoint, kept), {@value
 * #LOSS_CSV}, {@value #LOSS_PNG} and {@value #TRAIN_JSON}. Kept apart from the command so that what
 * a run leaves on disk, and how each file is replaced, is read in one place.
 */
public record RunDirectory(Path dir) {
    static final String CHECKPOINT = "checkpoint.spos";
    static final String CHECKPOINTS = "checkpoints";
    static final String TRAIN_JSON = "train.json";
    static final String LOSS_CSV = "loss.csv";
    static final String LOSS_PNG = "loss.png";
    /** Any one of these marks a directory as holding a run. */
    private static final List<String> RUN_FILES = List.of(CHECKPOINT, CHECKPOINTS, TRAIN_JSON, LOSS_CSV, LOSS_PNG);

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Refuses {@code --out DIR} when it is a file or already holds a run: a new run never overwrites another. */
    static void checkNew(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + dir + " is a file, not a directory");
        }
        for (String name : RUN_FILES) {
            if (Files.exists(dir.resolve(name))) {
                throw new IllegalArgumentException("--out " + dir + " already holds a run (" + name
                        + "); continue it with --resume " + dir + " or choose another --out");
            }
        }
    }

    Path lossCsv() {
        return dir.resolve(LOSS_CSV);
    }

    public Path checkpointFile() {
        return dir.resolve(CHECKPOINT);
    }

    /** The run's latest checkpoint; a missing or unreadable one is the user's error (a wrong --resume DIR). */
    SposCheckpoint readCheckpoint() {
        Path file = checkpointFile();
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + " holds no checkpoint (" + CHECKPOINT + "): nothing to resume");
        }
        try {
            return SposCheckpoint.read(file);
        } catch (CheckpointException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The run's {@value #TRAIN_JSON}, or null when it is missing or unreadable (a run killed before writing it). */
    JsonNode readTrainJson() {
        Path file = dir.resolve(TRAIN_JSON);
        try {
            return Files.isRegularFile(file) ? JSON.readTree(file.toFile()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A JSON object of {@value #TRAIN_JSON} (its plan) as the map it was written from. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(JsonNode object) {
        return JSON.convertValue(object, Map.class);
    }

    /**
     * Writes {@value #TRAIN_JSON} beside itself, then moves it over: a run killed mid-write leaves the
     * previous one whole, which {@code --resume} needs for the data set.
     */
    void writeTrainJson(Map<String, Object> json) throws IOException {
        Path file = dir.resolve(TRAIN_JSON);
        Path tmp = file.resolveSibling("." + TRAIN_JSON + ".tmp");
        Files.write(tmp, JSON.writeValueAsBytes(json));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Writes the checkpoint to {@value #CHECKPOINTS}/ and over {@value #CHECKPOINT}, then loss.csv and
     * loss.png, so that every file agrees with the checkpoint a resume starts from; returns the
     * checkpoint's SHA-256.
     */
    String saveCheckpoint(SposTrainer t, LossLog log) throws IOException {
        SposCheckpoint cp = t.checkpoint();
        Path kept = keptCheckpoint(t.step());
        cp.write(kept);
        cp.write(checkpointFile());
        log.flush();
        writeLossChart(t.spec(), log);
        return checkpointSha256();
    }

    /** The checkpoint kept for {@code step}, whether or not it was written. */
    public Path keptCheckpoint(long step) {
        return dir.resolve(CHECKPOINTS).resolve(String.format(Locale.ROOT, "step-%08d.spos", step));
    }

    /**
     * Deletes what a run killed before its first checkpoint left behind (its loss log, chart,
     * train.json, a half-written checkpoint), so that a new run can start in the same directory;
     * refuses a directory that holds a checkpoint, which is to be resumed instead.
     */
    public void discardUnstarted() throws IOException {
        if (Files.exists(checkpointFile())) {
            throw new IllegalStateException(dir + " holds a checkpoint: resume it");
        }
        for (String name : RUN_FILES) {
            Path p = dir.resolve(name);
            if (Files.isDirectory(p)) {
                try (Stream<Path> files = Files.walk(p)) {
                    for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(f);
                    }
                }
            } else {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir.resolve("." + TRAIN_JSON + ".tmp"));
    }

    void writeLossChart(TrainingSpec ts, LossLog log) throws IOException {
        LossChart.write(dir.resolve(LOSS_PNG), title(ts), log.rows());
    }

    /** The SHA-256 of {@value #CHECKPOINT}, or null when there is none yet. */
    String checkpointSha256() throws IOException {
        Path file = checkpointFile();
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String title(TrainingSpec ts) {
        return String.format(
                Locale.ROOT,
                "SPOS supernet C=%d N=%d, batch %d, seed %d",
                ts.channels(),
                ts.cells(),
                ts.batch(),
                ts.seed());
    }
}
