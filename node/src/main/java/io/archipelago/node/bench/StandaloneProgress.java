package io.archipelago.node.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The files of a standalone truth table being built, next to its CSV {@code FILE}:
 * {@code FILE.settings.json}, what it is built with (a rerun with other settings is refused), and
 * {@code FILE.progress.csv}, one line per finished (cell, seed), appended and forced to disk as
 * each ends, so a run killed at any moment loses at most the row it was training. A last line
 * without its newline (killed while writing) is dropped when the file is opened again.
 */
final class StandaloneProgress {
    static final String HEADER = "cell,arch,seed,valid_accuracy,test_accuracy,train_loss,params,seconds";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A finished (cell, seed): accuracies in percent, the seconds it took to train. */
    record Row(
            int cell, String arch, int seed, double valid, double test, double trainLoss, long params, double seconds) {
        String line() {
            return cell + "," + arch + "," + seed + "," + valid + "," + test + "," + trainLoss + "," + params + ","
                    + seconds;
        }

        static Row parse(String line, Path file, int number) {
            String[] f = line.split(",", -1);
            try {
                if (f.length != 8) {
                    throw new IllegalArgumentException("expected 8 fields");
                }
                return new Row(
                        Integer.parseInt(f[0]),
                        f[1],
                        Integer.parseInt(f[2]),
                        Double.parseDouble(f[3]),
                        Double.parseDouble(f[4]),
                        Double.parseDouble(f[5]),
                        Long.parseLong(f[6]),
                        Double.parseDouble(f[7]));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        file + ": line " + number + " is not a finished row (" + e.getMessage() + "): " + line);
            }
        }
    }

    private final Path progress;
    private final List<Row> rows;

    private StandaloneProgress(Path progress, List<Row> rows) {
        this.progress = progress;
        this.rows = rows;
    }

    static Path settingsFile(Path out) {
        return out.resolveSibling(out.getFileName() + ".settings.json");
    }

    static Path progressFile(Path out) {
        return out.resolveSibling(out.getFileName() + ".progress.csv");
    }

    /**
     * Starts the files of {@code out}, or opens those a run with the same {@code settings} left.
     *
     * @throws IllegalArgumentException when they were made with other settings, or {@code out}
     *     exists without them
     */
    static StandaloneProgress open(Path out, Map<String, Object> settings) throws IOException {
        Path settingsFile = settingsFile(out);
        Path progress = progressFile(out);
        JsonNode wanted = JSON.readTree(JSON.writeValueAsString(settings));
        if (!Files.exists(settingsFile)) {
            if (Files.exists(out) || Files.exists(progress)) {
                throw new IllegalArgumentException(out + " exists but is no standalone table of these options (no "
                        + settingsFile.getFileName() + "); choose another --out");
            }
            if (out.toAbsolutePath().getParent() != null) {
                Files.createDirectories(out.toAbsolutePath().getParent());
            }
            Files.writeString(progress, HEADER + "\n", StandardCharsets.UTF_8);
            writeAtomically(settingsFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(wanted) + "\n");
            return new StandaloneProgress(progress, new ArrayList<>());
        }
        JsonNode had = JSON.readTree(settingsFile.toFile());
        if (!had.equals(wanted)) {
            throw new IllegalArgumentException(out + " was made with other settings (" + difference(had, wanted)
                    + "); rerun with those or choose another --out");
        }
        if (!Files.exists(progress)) {
            Files.writeString(progress, HEADER + "\n", StandardCharsets.UTF_8);
        }
        return new StandaloneProgress(progress, readRows(progress));
    }

    private static String difference(JsonNode had, JsonNode wanted) {
        List<String> diffs = new ArrayList<>();
        Iterator<String> names = ((ObjectNode) wanted).fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!wanted.get(name).equals(had.get(name))) {
                diffs.add(name + " " + had.get(name) + ", not " + wanted.get(name));
            }
        }
        return diffs.isEmpty() ? "its settings file differs" : String.join("; ", diffs);
    }

    private static List<Row> readRows(Path progress) throws IOException {
        byte[] bytes = Files.readAllBytes(progress);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        if (end < bytes.length) {
            try (FileChannel ch = FileChannel.open(progress, StandardOpenOption.WRITE)) {
                ch.truncate(end);
            }
        }
        String[] lines = new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n");
        if (lines.length == 0 || !lines[0].equals(HEADER)) {
            throw new IllegalArgumentException(progress + " does not start with the header " + HEADER);
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (!lines[i].isBlank()) {
                rows.add(Row.parse(lines[i], progress, i + 1));
            }
        }
        return rows;
    }

    /** The rows finished so far, in the order they finished. */
    List<Row> rows() {
        return List.copyOf(rows);
    }

    /** Appends {@code row} and forces it to disk before returning. */
    void append(Row row) throws IOException {
        try (FileOutputStream f = new FileOutputStream(progress.toFile(), true)) {
            f.write((row.line() + "\n").getBytes(StandardCharsets.UTF_8));
            f.getChannel().force(false);
        }
        rows.add(row);
    }

    static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
