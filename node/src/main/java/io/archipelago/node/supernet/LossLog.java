package io.archipelago.node.supernet;

import io.archipelago.models.supernet.StepResult;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code loss.csv}: one row per step ({@code step,loss,accuracy,learning_rate}), appended as the
 * run goes and flushed at each checkpoint. A resumed run keeps the rows before its checkpoint's
 * step and drops the rest (steps a killed run did after its last checkpoint are done again).
 */
final class LossLog implements AutoCloseable {
    static final String HEADER = "step,loss,accuracy,learning_rate";

    record Row(long step, double loss, double accuracy, double learningRate) {}

    private final List<Row> rows;
    private final BufferedWriter writer;

    private LossLog(Path file, List<Row> kept) throws IOException {
        this.rows = new ArrayList<>(kept);
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (Row r : kept) {
            text.append(format(r));
        }
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        this.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** A new, empty log. */
    static LossLog create(Path file) throws IOException {
        return new LossLog(file, List.of());
    }

    /** The rows of {@code file} before {@code step} (none if it is missing or unreadable), then appends. */
    static LossLog resume(Path file, long step) throws IOException {
        List<Row> kept = new ArrayList<>();
        if (Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split(",");
                if (f.length < 4 || line.startsWith("step")) {
                    continue;
                }
                try {
                    Row r = new Row(
                            Long.parseLong(f[0]),
                            Double.parseDouble(f[1]),
                            Double.parseDouble(f[2]),
                            Double.parseDouble(f[3]));
                    if (r.step() < step
                            && (kept.isEmpty()
                                    || r.step() > kept.get(kept.size() - 1).step())) {
                        kept.add(r);
                    }
                } catch (NumberFormatException e) {
                    // a torn last line of a killed run: skipped
                }
            }
        }
        return new LossLog(file, kept);
    }

    void add(StepResult r) throws IOException {
        Row row = new Row(r.step(), r.loss(), r.accuracy(), r.learningRate());
        rows.add(row);
        writer.write(format(row));
    }

    void flush() throws IOException {
        writer.flush();
    }

    List<Row> rows() {
        return rows;
    }

    /** Mean loss and accuracy of the last {@code n} steps (NaN when there are none). */
    double[] recentMeans(int n) {
        int from = Math.max(0, rows.size() - n);
        double loss = 0, acc = 0;
        for (int i = from; i < rows.size(); i++) {
            loss += rows.get(i).loss();
            acc += rows.get(i).accuracy();
        }
        int k = rows.size() - from;
        return k == 0 ? new double[] {Double.NaN, Double.NaN} : new double[] {loss / k, acc / k};
    }

    private static String format(Row r) {
        return String.format(Locale.ROOT, "%d,%.6f,%.6f,%.8g%n", r.step(), r.loss(), r.accuracy(), r.learningRate());
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}
