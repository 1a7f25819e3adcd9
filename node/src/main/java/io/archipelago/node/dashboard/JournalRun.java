package io.archipelago.node.dashboard;

import io.archipelago.controller.Controller;
import io.archipelago.node.journal.JournalReader;
import io.archipelago.node.journal.SearchRecord;
import io.archipelago.node.run.RunRecorder;
import io.archipelago.proto.ResultSource;
import io.archipelago.proto.ResultTold;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A search of the shared journal ({@code --journal URL}), followed by reading its events after
 * the last one read. Its evaluations.csv is the one {@code search --cluster} writes from the same
 * journal when the search ends: {@link RunRecorder} folds the journaled results into it, so the
 * download is the run directory's file, row for row.
 */
final class JournalRun extends TrackedRun {
    private final String searchId;
    private final List<JournalReader.Timed> events = new ArrayList<>();
    private SearchRecord record;
    private RunModel model;
    private RunTable table = RunTable.EMPTY;
    private String error;

    JournalRun(String id, String searchId, String journal) {
        super(id, journal + " " + searchId);
        this.searchId = searchId;
    }

    /** Reads the events written since the last poll; the reader is the poll's. */
    void read(JournalReader reader) {
        error = null;
        try {
            long after = events.isEmpty() ? 0 : events.get(events.size() - 1).sequenceNr();
            List<JournalReader.Timed> fresh = reader.events(searchId, after);
            if (!fresh.isEmpty() || record == null) {
                events.addAll(fresh);
                if (events.isEmpty()) {
                    return;
                }
                record = SearchRecord.of(searchId, events);
                if (model == null) {
                    model = RunModel.of(record.spec());
                }
                table = RunTable.parse(csv(record, model), model);
            }
        } catch (IOException | RuntimeException e) {
            error = e.getMessage();
        }
    }

    @Override
    boolean refresh() {
        if (record == null) {
            return false;
        }
        double wall = record.finished() ? (record.lastWriteMs() - record.spec().getCreatedAtMs()) / 1000.0 : Double.NaN;
        Map<String, Object> summary = summary(
                "journal",
                searchId,
                state(),
                record.spec(),
                model,
                table,
                record.evaluations(),
                record.ok(),
                record.failed(),
                record.cached(),
                wall);
        summary.put("stop_reason", record.finished() ? record.stopReason() : null);
        summary.put("error", error);
        return publish(summary, table);
    }

    /**
     * {@code finished}; {@code running} while its events keep coming (one in the last minute: a
     * search host that waits for evaluator slots writes nothing for a while); else {@code unfinished},
     * as {@code runs list} says (a controller-role node of the cluster resumes it).
     */
    private String state() {
        if (record.finished()) {
            return "finished";
        }
        return System.currentTimeMillis() - record.lastWriteMs() < 60_000 ? "running" : "unfinished";
    }

    /** evaluations.csv as the search's own run directory gets it from the journal (SearchRun on the search host). */
    static byte[] csv(SearchRecord record, RunModel model) throws IOException {
        Path file = Files.createTempFile("archipelago-dashboard-", ".csv");
        try {
            RunRecorder recorder =
                    new RunRecorder(file, model.objective(), model.fitness(), metricColumns(record, model), null, null);
            int evaluations = 0;
            for (ResultTold told : record.told()) {
                if (told.getSource() == ResultSource.RESULT_SOURCE_EVALUATED) {
                    evaluations++;
                }
                recorder.write(Controller.recorded(told, evaluations, Double.NaN));
            }
            recorder.finish();
            return Files.readAllBytes(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The evaluators' metrics, as the search's setup lists them; without a setup, every metric the results carry. */
    private static List<String> metricColumns(SearchRecord record, RunModel model) {
        if (model.setup() != null) {
            return model.setup().evaluatedMetrics();
        }
        Set<String> metrics = new LinkedHashSet<>();
        record.told().forEach(t -> metrics.addAll(t.getResult().getMetricsMap().keySet()));
        return List.copyOf(metrics);
    }
}
