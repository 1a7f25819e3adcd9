package io.archipelago.controller.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.controller.scheduler.Scheduler.Decision;
import io.archipelago.core.objective.Objective;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.IntermediateResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchedulerTest {
    private static final Objective ACCURACY = Objective.parse("acc:max");
    private static final Objective LOSS = Objective.parse("loss:min");

    private static Map<String, Double> acc(double value) {
        return Map.of("acc", value);
    }

    @Test
    void ashaKeepsTheTopThirdAtEachRungAndNeverStopsAtTheLast() {
        Scheduler asha = new AsyncSuccessiveHalving(List.of(1, 3, 9), 3, ACCURACY);
        // the first at a rung has nobody to lose to
        assertEquals(Decision.CONTINUE, asha.report(0, 1, acc(50)));
        // 2nd: the 2/3 quantile of {50} is 50; 60 >= 50 goes on, 40 < 60's quantile stops
        assertEquals(Decision.CONTINUE, asha.report(1, 1, acc(60)));
        assertEquals(Decision.STOP, asha.report(2, 1, acc(40)));
        // recorded at rung 1: 40, 50, 60; quantile(2/3) = 53.33: 55 goes on, 52 stops
        assertEquals(Decision.CONTINUE, asha.report(3, 1, acc(55)));
        assertEquals(Decision.STOP, asha.report(4, 1, acc(52)));
        // a step between rungs judges nothing new
        assertEquals(Decision.CONTINUE, asha.report(1, 2, acc(10)));
        // rung 3: the first there goes on; the last rung (9) stops nobody, however poor
        assertEquals(Decision.CONTINUE, asha.report(1, 3, acc(70)));
        assertEquals(Decision.CONTINUE, asha.report(3, 9, acc(75)));
        assertEquals(Decision.CONTINUE, asha.report(1, 9, acc(1)));
    }

    @Test
    void ashaJudgesEveryRungAReportSkipsOverAndMinimisesLosses() {
        Scheduler asha = new AsyncSuccessiveHalving(List.of(1, 3), 2, LOSS);
        assertEquals(Decision.CONTINUE, asha.report(0, 1, Map.of("loss", 0.5)));
        // its first report is at step 3: rung 1 is judged with it, and 0.9 is a worse loss than 0.5
        assertEquals(Decision.STOP, asha.report(1, 3, Map.of("loss", 0.9)));
        assertEquals(Decision.CONTINUE, asha.report(2, 1, Map.of("loss", 0.1)));
        // without the objective's metric there is nothing to judge
        assertEquals(Decision.CONTINUE, asha.report(3, 1, Map.of("other", 9.0)));
    }

    @Test
    void quantileInterpolatesAsNumpyDoes() {
        assertEquals(53.333, AsyncSuccessiveHalving.quantile(List.of(40.0, 50.0, 60.0), 2.0 / 3), 1e-3);
        assertEquals(7.0, AsyncSuccessiveHalving.quantile(List.of(7.0), 0.5), 0);
        assertEquals(2.5, AsyncSuccessiveHalving.quantile(List.of(1.0, 2.0, 3.0, 4.0), 0.5), 1e-12);
    }

    @Test
    void aReplayedResultFillsTheRungsAsItsCurveDid() {
        Scheduler asha = new AsyncSuccessiveHalving(List.of(1, 3), 3, ACCURACY);
        asha.replay(EvaluationResult.newBuilder()
                .setCandidateId(7)
                .addIntermediates(IntermediateResult.newBuilder().setStep(1).putMetrics("acc", 80))
                .addIntermediates(IntermediateResult.newBuilder().setStep(3).putMetrics("acc", 85))
                .build());
        // 80 is on record at rung 1: a newcomer with less stops
        assertEquals(Decision.STOP, asha.report(8, 1, acc(70)));
    }

    @Test
    void medianStopsWhatIsBelowTheMedianOfOthersAtTheSameStepAfterTheGrace() {
        Scheduler median = new MedianStopping(ACCURACY, 2);
        for (int c = 0; c < 3; c++) {
            assertEquals(Decision.CONTINUE, median.report(c, 1, acc(50 + c)));
            assertEquals(Decision.CONTINUE, median.report(c, 2, acc(60 + c)));
        }
        assertEquals(Decision.CONTINUE, median.report(9, 1, acc(10)), "step 1 is within the grace period");
        assertEquals(Decision.STOP, median.report(9, 2, acc(20)), "20 < median of 60, 61, 62");
        assertEquals(Decision.CONTINUE, median.report(10, 2, acc(61.5)));
    }

    @Test
    void specsNameWhatIsWrong() {
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> new SchedulerSpec("hyperband", List.of(1), 3, ACCURACY))
                .getMessage()
                .contains("unknown scheduler 'hyperband'"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> new SchedulerSpec("asha", List.of(3, 1), 3, ACCURACY))
                .getMessage()
                .contains("increasing"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> new SchedulerSpec("asha", List.of(1, 3), 1, ACCURACY))
                .getMessage()
                .contains("--eta must be >= 2"));
        assertEquals(9, new SchedulerSpec("asha", List.of(1, 3, 9), 3, ACCURACY).maxStep());
    }
}
