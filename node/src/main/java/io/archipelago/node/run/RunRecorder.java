package io.archipelago.node.run;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.archipelago.controller.SearchEvent;
import io.archipelago.controller.journal.JournalReplayException;
import io.archipelago.controller.router.Router;
import io.archipelago.core.objective.Fitness;
import io.archipelago.core.objective.Objective;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import me.tongfei.progressbar.ProgressBar;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Records a search as it runs: appends each evaluation to {@code evaluations.csv} the moment it
 * arrives (flushed, so a crash loses no finished row), keeps the best-so-far history for the
 * chart, and advances the progress bar. Runs on the blocking-I/O dispatcher.
 */
public final class RunRecorder {
    public static final List<String> FIXED_COLUMNS =
            List.of("candidate_id", "arch", "status", "evaluator", "seconds", "attempts", "steps", "failure_reason");

    /** One evaluation that ran: its number, its search-metric value and the best value so far. */
    public record Point(int evaluation, double value, double best) {}

    private final Objective objective;
    private final Fitness fitness;
    private final List<String> metricColumns;
    private final ProgressBar progress; // null: no progress bar
    private final ParetoFront front; // null: a single-objective search
    private final Path csv;
    private final CsvSchema schema;
    private Writer out; // opened at the first row: a resume whose journal does not replay leaves the old file alone
    private SequenceWriter rows;
    private final List<Point> history = Collections.synchronizedList(new ArrayList<>());
    private double best = Double.NaN; // as measured
    private double bestScore = Double.NEGATIVE_INFINITY; // by the fitness: larger is better

    /**
     * @param metricColumns the metrics to write, one column each, after the fixed columns
     */
    public RunRecorder(Path csv, Objective objective, List<String> metricColumns, ProgressBar progress)
            throws IOException {
        this(csv, objective, objective, metricColumns, progress, null);
    }

    /**
     * @param objective the metric the history plots
     * @param fitness what "best" means: the search's own fitness (MnasNet's reward with a latency
     *     target), so the best-so-far line follows the cell the strategy ranks first
     * @param front collects every successful evaluation's objectives (null: none)
     */
    public RunRecorder(
            Path csv,
            Objective objective,
            Fitness fitness,
            List<String> metricColumns,
            ProgressBar progress,
            ParetoFront front)
            throws IOException {
        this.objective = objective;
        this.fitness = fitness;
        this.front = front;
        this.metricColumns = List.copyOf(metricColumns);
        this.progress = progress;
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
        FIXED_COLUMNS.forEach(schema::addColumn);
        metricColumns.forEach(schema::addColumn);
        this.csv = csv;
        this.schema = schema.build();
    }

    /** The CSV, (re)written from the first row on: a resumed search sends every journaled row again first. */
    private SequenceWriter rows() throws IOException {
        if (rows == null) {
            out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8);
            rows = new CsvMapper().writer(schema).writeValues(out);
        }
        return rows;
    }

    public Behavior<SearchEvent> behavior(CompletableFuture<SearchEvent.SearchReport> done) {
        return Behaviors.receive(SearchEvent.class)
                .onMessage(SearchEvent.ResultRecorded.class, recorded -> {
                    record(recorded);
                    return Behaviors.same();
                })
                .onMessage(SearchEvent.SearchAborted.class, aborted -> {
                    close();
                    done.completeExceptionally(
                            aborted.replay()
                                    ? new JournalReplayException(aborted.reason())
                                    : new IllegalStateException(aborted.reason()));
                    return Behaviors.stopped();
                })
                .onMessage(SearchEvent.SearchFinished.class, finished -> {
                    rows(); // a search that evaluated nothing still gets its header
                    close();
                    done.complete(finished.report());
                    return Behaviors.stopped();
                })
                .build();
    }

    /** Records one result (outside an actor: a run rebuilt from a journal). */
    public void write(SearchEvent.ResultRecorded recorded) throws IOException {
        record(recorded);
    }

    /** Ends the file (outside an actor). */
    public void finish() throws IOException {
        rows();
        close();
    }

    private void record(SearchEvent.ResultRecorded recorded) throws IOException {
        if (recorded.source() != Router.Source.EVALUATED) {
            return; // a cache answer ran nothing: it is not an evaluation
        }
        EvaluationResult result = recorded.result();
        boolean ok = result.getStatus() == EvaluationStatus.EVALUATION_STATUS_OK;
        List<Object> row = new ArrayList<>(FIXED_COLUMNS.size() + metricColumns.size());
        row.add(result.getCandidateId());
        row.add(result.getArchitecture().getEncoding());
        row.add(ok ? "ok" : "failed");
        row.add(result.getEvaluator());
        row.add(result.getCostSeconds());
        row.add(recorded.attempts());
        // the learning curve's last step: where a scheduler stopped it, or where it ended (empty: no curve)
        int steps = result.getIntermediatesCount();
        row.add(steps == 0 ? "" : result.getIntermediates(steps - 1).getStep());
        row.add(result.getFailureReason());
        for (String metric : metricColumns) {
            Double value = result.getMetricsMap().get(metric);
            row.add(value == null ? "" : value);
        }
        rows().write(row);
        rows.flush();
        if (ok) {
            if (front != null) {
                front.add(result.getCandidateId(), result.getArchitecture().getEncoding(), result.getMetricsMap());
            }
            double value = objective.value(result.getMetricsMap());
            double score = fitness.score(result.getMetricsMap());
            if (score > bestScore) {
                bestScore = score;
                best = value;
            }
            history.add(new Point(recorded.evaluations(), value, best));
        }
        if (progress != null) {
            progress.stepTo(recorded.evaluations());
            if (!Double.isNaN(best)) {
                progress.setExtraMessage("best " + objective.metric() + " " + String.format(Locale.ROOT, "%.3f", best));
            }
        }
    }

    private void close() {
        try {
            if (rows != null) {
                rows.close();
                out.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (progress != null) {
            progress.close();
        }
    }

    /** Best-so-far history (read it after the search finished). */
    public List<Point> history() {
        return List.copyOf(history);
    }
}
