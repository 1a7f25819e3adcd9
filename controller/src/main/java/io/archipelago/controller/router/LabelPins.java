package io.archipelago.controller.router;

import io.archipelago.evaluators.supernet.WeightSharingEvaluator;
import io.archipelago.proto.EvaluationResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Labels whose value all of a search's results of one evaluator kind must share: which supernet's
 * weights scored a candidate. Scores from two supernets are not comparable, so a node started with
 * another checkpoint must not slip its results into a search. The first result carrying such a
 * label (evaluated, or seeded from the journal of a resumed search) fixes its value.
 */
final class LabelPins {
    static final List<String> PINNED = List.of(WeightSharingEvaluator.HASH);

    private final Map<String, String> values = new HashMap<>();

    /**
     * Pins what {@code result} is first to carry.
     *
     * @return null when it agrees with what is pinned, else why it is refused
     */
    String admit(EvaluationResult result) {
        for (String label : PINNED) {
            String value = result.getLabelsMap().get(label);
            if (value == null) {
                continue;
            }
            String key = result.getEvaluatorKind() + "/" + label;
            String pinned = values.putIfAbsent(key, value);
            if (pinned != null && !pinned.equals(value)) {
                return result.getEvaluator() + " reported " + label + " " + value + ", but this search's "
                        + result.getEvaluatorKind() + " results come from " + pinned + "; not merged";
            }
        }
        return null;
    }
}
