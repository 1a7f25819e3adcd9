package io.archipelago.node.dashboard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;

/** What one page's event stream has sent, and the events that bring it up to date with the catalog. */
final class EventFollower {
    private final RunCatalog catalog;
    private final String runId; // null: no run page
    private long runsVersion = -1;
    private long clusterVersion = -1;
    private long runVersion = -1;
    private int sentRows;

    EventFollower(RunCatalog catalog, String runId, int from) {
        this.catalog = catalog;
        this.runId = runId;
        this.sentRows = from;
    }

    List<ServerSentEvent> next() {
        List<ServerSentEvent> events = new ArrayList<>();
        long version = catalog.version();
        if (version != runsVersion) {
            runsVersion = version;
            events.add(event("runs", catalog.runsJson()));
        }
        long cluster = catalog.clusterVersion();
        if (cluster != clusterVersion && catalog.hasCluster()) {
            clusterVersion = cluster;
            events.add(event("cluster", catalog.cluster()));
        }
        if (runId != null) {
            catalog.run(runId).ifPresent(run -> {
                TrackedRun.Snapshot snapshot = run.snapshot();
                if (snapshot.version() == runVersion) {
                    return;
                }
                runVersion = snapshot.version();
                List<Map<String, Object>> rows = snapshot.table().rows;
                boolean reset = rows.size() < sentRows; // the file was written anew (a resumed search)
                int from = reset ? 0 : sentRows;
                Map<String, Object> delta = new LinkedHashMap<>();
                delta.put("id", runId);
                delta.put("reset", reset);
                delta.put("summary", snapshot.summary());
                delta.put("columns", snapshot.table().columns);
                delta.put("from", from);
                delta.put("rows", rows.subList(from, rows.size()));
                List<Map<String, Object>> history = new ArrayList<>();
                for (Map<String, Object> point : snapshot.table().history) {
                    if (((Number) point.get("evaluation")).intValue() > from) {
                        history.add(point);
                    }
                }
                delta.put("history", history);
                delta.put("pareto", snapshot.table().pareto);
                sentRows = rows.size();
                events.add(event("run", delta));
            });
        }
        return events;
    }

    private static ServerSentEvent event(String type, Object data) {
        return ServerSentEvent.create(
                new String(DashboardServer.bytes(data), java.nio.charset.StandardCharsets.UTF_8), type);
    }
}
