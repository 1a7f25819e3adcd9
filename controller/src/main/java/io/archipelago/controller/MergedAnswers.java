package io.archipelago.controller;

import io.archipelago.controller.router.Router;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * A candidate while its pools answer: each pool's {@link Router.Completed} once, then one
 * merged result (metrics and labels united, costs summed, failed if any pool failed).
 */
final class MergedAnswers {
    private final List<String> kinds;
    /** In the order of {@code kinds}: the evaluator's pool first. */
    private final Router.Completed[] parts;

    private int received;

    MergedAnswers(List<String> kinds) {
        this.kinds = kinds;
        this.parts = new Router.Completed[kinds.size()];
    }

    /** @return false when this pool had answered already, or is not one of the search's */
    boolean add(Router.Completed part) {
        int i = kinds.indexOf(part.result().getEvaluatorKind());
        if (i < 0 || parts[i] != null) {
            return false;
        }
        parts[i] = part;
        received++;
        return true;
    }

    boolean complete() {
        return received == parts.length;
    }

    /** What the evaluator's own pool spent (the merged result's cost also counts the other pools'). */
    double primaryCostSeconds() {
        return parts[0].result().getCostSeconds();
    }

    Router.Completed merged() {
        if (parts.length == 1) {
            return parts[0];
        }
        EvaluationResult.Builder merged = parts[0].result().toBuilder()
                .clearMetrics()
                .clearLabels()
                .clearFailureReason()
                .setCostSeconds(0)
                .setEvaluatorKind("");
        List<String> evaluators = new ArrayList<>(parts.length);
        List<String> kinds = new ArrayList<>(parts.length);
        List<String> failures = new ArrayList<>();
        Router.Source source = Router.Source.CACHED;
        int attempts = 0;
        for (Router.Completed part : parts) {
            EvaluationResult r = part.result();
            merged.putAllMetrics(r.getMetricsMap())
                    .putAllLabels(r.getLabelsMap())
                    .setCostSeconds(merged.getCostSeconds() + r.getCostSeconds())
                    .setAttempt(Math.max(merged.getAttempt(), r.getAttempt()));
            kinds.add(r.getEvaluatorKind());
            if (!r.getEvaluator().isEmpty()) {
                evaluators.add(r.getEvaluator());
            }
            if (r.getStatus() != EvaluationStatus.EVALUATION_STATUS_OK) {
                failures.add(r.getEvaluatorKind() + ": " + r.getFailureReason());
            }
            if (part.source() == Router.Source.EVALUATED
                    || (part.source() == Router.Source.REJECTED && source == Router.Source.CACHED)) {
                source = part.source();
            }
            attempts = Math.max(attempts, part.attempts());
        }
        merged.setEvaluatorKind(String.join("+", kinds)).setEvaluator(String.join(" + ", evaluators));
        if (failures.isEmpty()) {
            merged.setStatus(EvaluationStatus.EVALUATION_STATUS_OK);
        } else {
            merged.setStatus(EvaluationStatus.EVALUATION_STATUS_FAILED).setFailureReason(String.join("; ", failures));
        }
        return new Router.Completed(merged.build(), source, attempts);
    }
}
