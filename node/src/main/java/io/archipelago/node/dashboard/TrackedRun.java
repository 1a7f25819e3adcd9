package io.archipelago.node.dashboard;

import io.archipelago.proto.SearchSpec;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A search the dashboard follows: a run directory or a search of the shared journal. */
abstract class TrackedRun {
    /** What the pages show of a run at one moment. */
    record Snapshot(Map<String, Object> summary, RunTable table, long version) {}

    private static final long RATE_WINDOW_NANOS = 30_000_000_000L;

    final String id;
    final String where;
    private volatile Snapshot snapshot;
    private final Deque<long[]> samples = new ArrayDeque<>(); // {nanoTime, evaluations}

    TrackedRun(String id, String where) {
        this.id = id;
        this.where = where;
        this.snapshot = new Snapshot(
                io.archipelago.node.bench.BenchOutput.ordered("id", id, "run", where, "state", "reading"),
                RunTable.EMPTY,
                0);
    }

    Snapshot snapshot() {
        return snapshot;
    }

    /** Reads what changed (blocking I/O: the poller's thread); true when the snapshot changed. */
    abstract boolean refresh();

    /** Publishes a new snapshot if the summary or the rows changed. */
    protected boolean publish(Map<String, Object> summary, RunTable table) {
        Snapshot old = snapshot;
        if (old.summary().equals(summary) && old.table() == table) {
            return false;
        }
        snapshot = new Snapshot(summary, table, old.version() + 1);
        return true;
    }

    /**
     * The fields every run has in the runs list; {@code spec} may be null (not known yet).
     *
     * @param wallSeconds a finished run's wall time (NaN: not known), for its evaluations per second
     */
    protected Map<String, Object> summary(
            String source,
            String searchId,
            String state,
            SearchSpec spec,
            RunModel model,
            RunTable table,
            int evaluations,
            Integer ok,
            Integer failed,
            Integer cached,
            double wallSeconds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("run", where);
        m.put("source", source);
        m.put("search_id", searchId);
        m.put("state", state);
        m.put("strategy", spec == null ? null : spec.getStrategy());
        m.put("seed", spec == null ? null : spec.getSeed());
        m.put("space", spec == null ? null : spec.getSpace());
        m.put("objective", spec == null ? null : spec.getObjective());
        List<String> objectives = new ArrayList<>();
        List<String> constraints = new ArrayList<>();
        if (model != null) {
            model.objectives().forEach(o -> objectives.add(o.toString()));
            model.constraints().forEach(c -> constraints.add(c.toString()));
        }
        m.put("objectives", objectives);
        m.put("constraints", constraints);
        Integer budget = spec == null ? null : spec.getBudget();
        m.put("budget", budget);
        m.put("evaluations", evaluations);
        m.put("progress", budget == null || budget == 0 ? null : Math.min(1.0, evaluations / (double) budget));
        m.put("ok", ok);
        m.put("failed", failed);
        m.put("cached", cached);
        m.put("rate", rate(state, evaluations, wallSeconds, spec));
        m.put(
                "created",
                spec == null
                        ? null
                        : Instant.ofEpochMilli(spec.getCreatedAtMs()).toString());
        if (table.best != null && model != null) {
            Map<String, Object> best = new LinkedHashMap<>();
            best.put("metric", model.objective().metric());
            best.put("value", table.best.get(model.objective().metric()));
            best.put("arch", table.best.get("arch"));
            best.put("candidate_id", table.best.get("candidate_id"));
            m.put("best", best);
        } else {
            m.put("best", null);
        }
        m.put("columns", table.columns);
        return m;
    }

    /**
     * Evaluations per second: over the last 30 s while the run goes on (as the poller saw the
     * count move), else over the whole run.
     */
    private Double rate(String state, int evaluations, double wallSeconds, SearchSpec spec) {
        long now = System.nanoTime();
        samples.addLast(new long[] {now, evaluations});
        while (samples.size() > 2 && now - samples.peekFirst()[0] > RATE_WINDOW_NANOS) {
            samples.removeFirst();
        }
        if (!"running".equals(state)) {
            return wallSeconds > 0 ? round(evaluations / wallSeconds) : null;
        }
        long[] first = samples.peekFirst();
        double seconds = (now - first[0]) / 1e9;
        if (seconds >= 2 && evaluations > first[1]) {
            return round((evaluations - first[1]) / seconds);
        }
        if (spec != null && spec.getCreatedAtMs() > 0) {
            double since = (System.currentTimeMillis() - spec.getCreatedAtMs()) / 1000.0;
            return since > 0 ? round(evaluations / since) : null;
        }
        return null;
    }

    private static double round(double rate) {
        return Math.round(rate * 100) / 100.0;
    }
}
