package io.archipelago.node.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.archipelago.proto.Architecture;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.JournalEvent;
import io.archipelago.proto.ResultSource;
import io.archipelago.proto.ResultTold;
import io.archipelago.proto.SearchConfig;
import io.archipelago.proto.SearchSpec;
import io.archipelago.proto.SearchStep;
import io.archipelago.proto.StepOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code runs show}, a cluster search's files and the search's own report agree on the best: by the search's fitness. */
class SearchRecordTest {

    private static JournalReader.Timed told(long seq, String arch, double accuracy, double latency) {
        EvaluationResult result = EvaluationResult.newBuilder()
                .setCandidateId(seq)
                .setStatus(EvaluationStatus.EVALUATION_STATUS_OK)
                .setArchitecture(Architecture.newBuilder().setEncoding(arch))
                .putAllMetrics(Map.of("cifar10_valid_12", accuracy, "latency_ms", latency))
                .build();
        StepOp op = StepOp.newBuilder()
                .setTold(ResultTold.newBuilder().setResult(result).setSource(ResultSource.RESULT_SOURCE_EVALUATED))
                .build();
        return new JournalReader.Timed(
                seq,
                seq,
                JournalEvent.newBuilder()
                        .setStep(SearchStep.newBuilder().addOps(op))
                        .build());
    }

    private static String best(SearchConfig.Builder config) {
        SearchSpec spec = SearchSpec.newBuilder()
                .setSearchId("s")
                .setObjective("cifar10_valid_12:max")
                .setConfig(config)
                .build();
        List<JournalReader.Timed> events = new ArrayList<>();
        events.add(new JournalReader.Timed(
                1, 1, JournalEvent.newBuilder().setCreated(spec).build()));
        events.add(told(2, "fast", 85, 3));
        events.add(told(3, "accurate-but-slow", 90, 10));
        return SearchRecord.of("s", events).best().getArchitecture().getEncoding();
    }

    private static SearchConfig.Builder evolution() {
        return SearchConfig.newBuilder()
                .setSpace("nb201")
                .setStrategy("evolution")
                .setEvaluator("tabular")
                .setReward("soft")
                .setObjectives("cifar10_valid_12:max,latency_ms:min")
                .setBudget(10)
                .setSlots(1)
                .setMaxAttempts(1)
                .setEvalTimeoutSeconds(1);
    }

    @Test
    void theBestIsTheFirstObjectivesWithoutALatencyTarget() {
        assertEquals("accurate-but-slow", best(evolution()));
    }

    @Test
    void withALatencyTargetTheBestIsByMnasNetsReward() {
        // hard reward: 90 x (10/5)^-1 = 45 < 85 x 1
        assertEquals("fast", best(evolution().setTargetLatencyMs(5).setReward("hard")));
    }
}
