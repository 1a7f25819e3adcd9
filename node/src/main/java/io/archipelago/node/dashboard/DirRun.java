package io.archipelago.node.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.node.journal.JournalReader;
import io.archipelago.node.journal.JournalSettings;
import io.archipelago.node.journal.SearchRecord;
import io.archipelago.proto.SearchSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run directory, followed without getting in its search's way.
 *
 * <p>A search running in this directory holds its H2 journal ({@code journal.mv.db}) open and
 * locked; opening it from here would fail, and holding it would make a later {@code resume} fail.
 * So while the run has no summary.json (it runs, or it was stopped by a crash) the dashboard never
 * opens that file: it follows evaluations.csv, to which the search appends and flushes a row as
 * each evaluation comes back ({@code RunRecorder}), re-reading it when its size or time changes,
 * and reads the search's spec (budget, objectives, constraints) once from a <em>copy</em> of the
 * journal file in a temporary folder (the search's first event; the copy, not the original, is
 * opened). Whether the search still runs is whether a process holds a lock on the journal file
 * ({@code /proc/locks}, read-only; where there is none, whether a file changed in the last minute).
 * Once summary.json is there the search has ended: its journal is read as {@code runs list} reads
 * it (opened read-only, closed at once) for the final counts.
 */
final class DirRun extends TrackedRun {
    private static final Logger LOG = LoggerFactory.getLogger(DirRun.class);
    private static final long SPEC_RETRY_NANOS = 3_000_000_000L;
    private static final Pattern LOCKED_INODE = Pattern.compile("\\s[0-9a-fA-F]+:[0-9a-fA-F]+:(\\d+)\\s");

    private final Path dir;
    private final RunDirectories dirs;
    private SearchSpec spec;
    private RunModel model;
    private String searchId;
    private SearchRecord finished;
    private double wallSeconds = Double.NaN;
    private String stopReason;
    private RunTable table = RunTable.EMPTY;
    private long csvSize = -1;
    private FileTime csvTime;
    private long nextSpecTry;
    private String error;

    DirRun(String id, Path dir, RunDirectories dirs) {
        super(id, dir.toString());
        this.dir = dir;
        this.dirs = dirs;
    }

    @Override
    boolean refresh() {
        error = null;
        boolean ended = Files.isRegularFile(dirs.summaryOf(dir));
        if (ended && finished == null) {
            readFinished();
        }
        if (spec == null && finished == null && System.nanoTime() >= nextSpecTry) {
            readSpecFromCopy();
        }
        readCsv();
        String state = finished != null || ended ? "finished" : running() ? "running" : "unfinished";
        Map<String, Object> summary;
        if (finished != null) {
            summary = summary(
                    "directory",
                    finished.searchId(),
                    state,
                    spec,
                    model,
                    table,
                    finished.evaluations(),
                    finished.ok(),
                    finished.failed(),
                    finished.cached(),
                    wallSeconds);
            summary.put("stop_reason", stopReason != null ? stopReason : finished.stopReason());
        } else {
            int ok = (int) table.rows.stream()
                    .filter(r -> "ok".equals(r.get("status")))
                    .count();
            summary = summary(
                    "directory",
                    searchId,
                    state,
                    spec,
                    model,
                    table,
                    table.rows.size(),
                    ok,
                    table.rows.size() - ok,
                    null,
                    Double.NaN);
        }
        summary.put("error", error);
        return publish(summary, table);
    }

    /** The ended run's record from its journal (as runs list reads it), and summary.json's wall time. */
    private void readFinished() {
        try {
            SearchRecord record = dirs.read(dir);
            JsonNode json = new ObjectMapper().readTree(dirs.summaryOf(dir).toFile());
            wallSeconds = json.path("wall_seconds").asDouble(Double.NaN);
            stopReason = json.path("stop_reason").isTextual()
                    ? json.path("stop_reason").asText()
                    : null;
            finished = record;
            searchId = record.searchId();
            if (spec == null) {
                spec = record.spec();
                model = RunModel.of(spec);
                csvSize = -1; // the rows again, now with the objectives
            }
        } catch (IOException | RuntimeException notYet) {
            // the search may still be closing its journal: read it at the next poll
            error = "cannot read the finished run yet: " + notYet.getMessage();
        }
    }

    /** The search's spec, from a copy of its journal file (the file itself stays closed: its search may hold it). */
    private void readSpecFromCopy() {
        nextSpecTry = System.nanoTime() + SPEC_RETRY_NANOS;
        Path journal = dir.resolve(JournalSettings.H2_FILE);
        if (!Files.isRegularFile(journal)) {
            return;
        }
        Path copy = null;
        try {
            copy = Files.createTempDirectory("archipelago-dashboard-");
            Files.copy(journal, copy.resolve(JournalSettings.H2_FILE), StandardCopyOption.REPLACE_EXISTING);
            try (JournalReader reader = JournalReader.open(JournalSettings.inRunDirectory(copy, true))) {
                String id = dirs.searchIdOf(dir, reader);
                var head = reader.head(id);
                if (head.isPresent()) {
                    searchId = id;
                    spec = head.get().spec();
                    model = RunModel.of(spec);
                    csvSize = -1;
                }
            }
        } catch (IOException | RuntimeException notYet) {
            // a copy taken mid-write, or the first event not on disk yet: try again
            LOG.debug("{}: no spec from a copy of its journal yet: {}", dir, notYet.toString());
        } finally {
            deleteTree(copy);
        }
    }

    private void readCsv() {
        Path csv = dirs.evaluationsOf(dir);
        try {
            if (!Files.isRegularFile(csv)) {
                return;
            }
            long size = Files.size(csv);
            FileTime time = Files.getLastModifiedTime(csv);
            if (size == csvSize && time.equals(csvTime)) {
                return;
            }
            table = RunTable.parse(Files.readAllBytes(csv), model);
            csvSize = size;
            csvTime = time;
        } catch (IOException notWhole) {
            // a row cut short while being written: read it whole at the next poll
            LOG.debug("{}: {}", csv, notWhole.toString());
        }
    }

    /** Whether a process holds the journal file locked (H2 does while it has the database open). */
    private boolean running() {
        Path journal = dir.resolve(JournalSettings.H2_FILE);
        try {
            long inode = ((Number) Files.getAttribute(journal, "unix:ino")).longValue();
            for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
                Matcher m = LOCKED_INODE.matcher(line);
                if (m.find() && Long.parseLong(m.group(1)) == inode) {
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException noLockTable) {
            // not Linux: a search that wrote in the last minute runs
            long recent = System.currentTimeMillis() - 60_000;
            try {
                return Files.getLastModifiedTime(journal).toMillis() > recent
                        || (Files.exists(dirs.evaluationsOf(dir))
                                && Files.getLastModifiedTime(dirs.evaluationsOf(dir))
                                                .toMillis()
                                        > recent);
            } catch (IOException gone) {
                return false;
            }
        }
    }

    private static void deleteTree(Path root) {
        if (root == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a temporary folder: the OS cleans it eventually
        }
    }
}
