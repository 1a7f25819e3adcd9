package io.archipelago.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.node.cluster.ClusterOptions;
import io.archipelago.node.engine.ClientMember;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.host.HostClient;
import io.archipelago.proto.LiveSearch;
import io.archipelago.proto.SearchesListed;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/** {@code runs list|show|cancel --seed-nodes}: the searches a cluster's search host runs, asked as a member without roles. */
final class LiveRuns {
    private LiveRuns() {}

    static SearchesListed list(ClusterOptions cluster) throws Exception {
        try (Engine engine = ClientMember.join(cluster, RunsCommand.LIVE_TIMEOUT)) {
            try {
                return HostClient.of(engine.system())
                        .list(RunsCommand.LIVE_TIMEOUT)
                        .toCompletableFuture()
                        .get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(
                        "the cluster's search host did not answer within " + RunsCommand.LIVE_TIMEOUT.toSeconds()
                                + " s: does the cluster have a controller-role node with --journal?",
                        e.getCause());
            }
        }
    }

    static SearchReport cancel(ClusterOptions cluster, String searchId, String reason) throws Exception {
        try (Engine engine = ClientMember.join(cluster, RunsCommand.LIVE_TIMEOUT)) {
            try {
                // No deadline on the end itself: running evaluations finish first, however long they take.
                return HostClient.of(engine.system()).cancel(searchId, reason).get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IllegalArgumentException refused) {
                    throw refused; // the host's one line: no such search, or it does not run there
                }
                throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
            }
        }
    }

    static void print(List<LiveSearch> searches, boolean json, PrintWriter out) throws Exception {
        if (json) {
            out.println(new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(searches.stream().map(LiveRuns::json).toList()));
        } else {
            out.printf(
                    Locale.ROOT,
                    "%-40s %-20s %6s %-11s %7s %7s %-11s %s%n",
                    "SEARCH",
                    "STRATEGY",
                    "SHARE",
                    "EVALUATIONS",
                    "RUNNING",
                    "WAITING",
                    "STATE",
                    "BEST");
            for (LiveSearch s : searches) {
                out.printf(
                        Locale.ROOT,
                        "%-40s %-20s %6d %-11s %7d %7d %-11s %s%n",
                        s.getSearchId(),
                        s.getStrategy(),
                        s.getShare(),
                        s.getEvaluations() + "/" + s.getBudget(),
                        s.getRunning(),
                        s.getWaiting(),
                        s.getCancelling() ? "cancelling" : "running",
                        s.hasBestScore() ? String.format(Locale.ROOT, "%.4f", s.getBestScore()) : "-");
            }
            if (searches.isEmpty()) {
                out.println("(no searches run on the cluster's search host)");
            }
        }
        out.flush();
    }

    private static Map<String, Object> json(LiveSearch s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("search_id", s.getSearchId());
        m.put("state", s.getCancelling() ? "cancelling" : "running");
        m.put("strategy", s.getStrategy());
        m.put("objective", s.getObjective());
        m.put("evaluations", s.getEvaluations());
        m.put("budget", s.getBudget());
        m.put("share", s.getShare());
        m.put("running", s.getRunning());
        m.put("waiting", s.getWaiting());
        if (s.hasBestScore()) {
            m.put("best_score", s.getBestScore());
        }
        m.put("started", Instant.ofEpochMilli(s.getStartedAtMs()).toString());
        return m;
    }
}
