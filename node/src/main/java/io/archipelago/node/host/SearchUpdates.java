package io.archipelago.node.host;

import io.archipelago.controller.SearchEvent;
import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.node.journal.SearchRecord;
import io.archipelago.proto.ResultRecorded;
import io.archipelago.proto.ResultTold;
import io.archipelago.proto.SearchEnded;
import io.archipelago.proto.SearchOutcome;
import io.archipelago.proto.SearchUpdate;
import java.util.Map;

/** The search host's wire messages from and to the controller's events: one mapping each way. */
public final class SearchUpdates {
    private SearchUpdates() {}

    static SearchUpdate recorded(String searchId, SearchEvent.ResultRecorded recorded) {
        ResultTold told = ResultTold.newBuilder()
                .setResult(recorded.result())
                .setSource(recorded.source().toProto())
                .setAttempts(recorded.attempts())
                .build();
        return SearchUpdate.newBuilder()
                .setSearchId(searchId)
                .setRecorded(ResultRecorded.newBuilder()
                        .setTold(told)
                        .setEvaluations(recorded.evaluations())
                        .setBestScore(recorded.bestScore()))
                .build();
    }

    static SearchUpdate finished(SearchReport report) {
        return ended(
                report.searchId(),
                SearchEnded.newBuilder().setOutcome(outcome(report)).build());
    }

    static SearchUpdate failed(String searchId, String failure, boolean replay) {
        return ended(
                searchId,
                SearchEnded.newBuilder().setFailure(failure).setReplay(replay).build());
    }

    private static SearchUpdate ended(String searchId, SearchEnded ended) {
        return SearchUpdate.newBuilder().setSearchId(searchId).setEnded(ended).build();
    }

    /** The controller's event a follower in this JVM records, back from its wire form. */
    public static SearchEvent.ResultRecorded event(ResultRecorded recorded) {
        ResultTold told = recorded.getTold();
        return new SearchEvent.ResultRecorded(
                told.getResult(),
                io.archipelago.controller.router.Router.Source.of(told.getSource()),
                told.getAttempts(),
                recorded.getEvaluations(),
                recorded.getBestScore());
    }

    static SearchOutcome outcome(SearchReport r) {
        SearchOutcome.Builder outcome = SearchOutcome.newBuilder()
                .setStopReason(r.stopReason())
                .putAllBestMetrics(r.bestMetrics())
                .setEvaluations(r.evaluations())
                .setFailed(r.failed())
                .setCached(r.cached())
                .setBusySeconds(r.busySeconds())
                .setMaxSlots(r.maxSlots())
                .setDispatchSeconds(r.dispatchSeconds())
                .setWallSeconds(r.wallSeconds());
        if (r.bestArchitecture() != null) {
            outcome.setBestArchitecture(r.bestArchitecture());
        }
        return outcome.build();
    }

    public static SearchReport report(String searchId, SearchOutcome o) {
        return new SearchReport(
                searchId,
                o.getStopReason(),
                o.hasBestArchitecture() ? o.getBestArchitecture() : null,
                Map.copyOf(o.getBestMetricsMap()),
                o.getEvaluations(),
                o.getFailed(),
                o.getCached(),
                o.getBusySeconds(),
                o.getMaxSlots(),
                o.getDispatchSeconds(),
                o.getWallSeconds());
    }

    /**
     * A search that finished while nobody followed it, as its journal tells it: the run that
     * finished it journaled how it used its slots; the best is the journal's (by the first
     * objective); the wall time is that run's dispatch time.
     */
    static SearchOutcome outcome(SearchRecord record) {
        SearchOutcome.Builder outcome = SearchOutcome.newBuilder()
                .setStopReason(record.stopReason())
                .setEvaluations(record.evaluations())
                .setFailed(record.failed())
                .setCached(record.cached());
        if (record.best() != null) {
            outcome.setBestArchitecture(record.best().getArchitecture().getEncoding())
                    .putAllBestMetrics(record.best().getMetricsMap());
        }
        if (record.end() != null) {
            outcome.setBusySeconds(record.end().getBusySeconds())
                    .setMaxSlots(record.end().getMaxSlots())
                    .setDispatchSeconds(record.end().getDispatchSeconds())
                    .setWallSeconds(record.end().getDispatchSeconds());
        }
        return outcome.build();
    }
}
