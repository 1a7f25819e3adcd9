package io.archipelago.node.journal;

import io.archipelago.core.objective.Fitness;
import io.archipelago.core.objective.Objective;
import io.archipelago.node.setup.SearchDefinition;
import io.archipelago.node.setup.SearchSetup;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.JournalEvent;
import io.archipelago.proto.ResultSource;
import io.archipelago.proto.ResultTold;
import io.archipelago.proto.SearchFinished;
import io.archipelago.proto.SearchSpec;
import io.archipelago.proto.StepOp;
import java.util.ArrayList;
import java.util.List;

/**
 * A search as its journal tells it, without replaying the strategy: what {@code runs list|show}
 * print. {@link #state()} is {@code finished}, or {@code unfinished} (running now, or stopped by a
 * crash: {@code resume} goes on with it).
 */
public record SearchRecord(
        String searchId,
        SearchSpec spec,
        boolean finished,
        String stopReason,
        int evaluations,
        int ok,
        int failed,
        int cached,
        int resumes,
        long events,
        long lastWriteMs,
        EvaluationResult best,
        List<ResultTold> told,
        SearchFinished end) {

    /** @param events a search's events from the first, in order */
    public static SearchRecord of(String searchId, List<JournalReader.Timed> events) {
        SearchSpec spec = null;
        boolean finished = false;
        String stopReason = "";
        int evaluations = 0;
        int ok = 0;
        int failed = 0;
        int cached = 0;
        int resumes = 0;
        List<ResultTold> told = new ArrayList<>();
        SearchFinished end = null;
        for (JournalReader.Timed timed : events) {
            JournalEvent event = timed.event();
            switch (event.getEventCase()) {
                case CREATED -> spec = event.getCreated();
                case STEP -> {
                    for (StepOp op : event.getStep().getOpsList()) {
                        if (op.hasTold()) {
                            told.add(op.getTold());
                        }
                    }
                }
                case RESUMED -> resumes++;
                case FINISHED -> {
                    finished = true;
                    end = event.getFinished();
                    stopReason = end.getStopReason();
                }
                default -> {}
            }
        }
        if (spec == null) {
            throw new IllegalArgumentException(noSpec(searchId));
        }
        Fitness fitness = fitnessOf(spec);
        EvaluationResult best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (ResultTold t : told) {
            EvaluationResult r = t.getResult();
            boolean success = r.getStatus() == EvaluationStatus.EVALUATION_STATUS_OK;
            if (t.getSource() == ResultSource.RESULT_SOURCE_EVALUATED) {
                evaluations++;
                if (success) {
                    ok++;
                } else {
                    failed++;
                }
            } else if (t.getSource() == ResultSource.RESULT_SOURCE_CACHED) {
                cached++;
            }
            double score = success && fitness != null ? fitness.score(r.getMetricsMap()) : Double.NaN;
            if (score > bestScore) { // NaN (a metric the fitness needs is missing) never is
                best = r;
                bestScore = score;
            }
        }
        JournalReader.Timed last = events.get(events.size() - 1);
        return new SearchRecord(
                searchId,
                spec,
                finished,
                stopReason,
                evaluations,
                ok,
                failed,
                cached,
                resumes,
                last.sequenceNr(),
                last.writtenAtMs(),
                best,
                List.copyOf(told),
                end);
    }

    /**
     * The search's own fitness (the MnasNet reward with a latency target, say), as its strategy
     * ranked results; a spec this build cannot decode falls back to its first objective.
     */
    private static Fitness fitnessOf(SearchSpec spec) {
        try {
            return SearchSetup.fitnessOf(SearchDefinition.of(spec).options());
        } catch (IllegalArgumentException e) {
            return spec.getObjective().isEmpty() ? null : Objective.parse(spec.getObjective());
        }
    }

    static String noSpec(String searchId) {
        return "search " + searchId + " has events but no search-created event: not a complete journal";
    }

    public String state() {
        return finished ? "finished" : "unfinished";
    }
}
