package io.archipelago.core.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MnasNetRewardTest {
    private static Map<String, Double> cell(double acc, double ms) {
        return Map.of("acc", acc, "latency_ms", ms);
    }

    @Test
    void softRewardTradesAboutFivePercentAccuracyForHalfTheLatency() {
        MnasNetReward soft = MnasNetReward.of("acc", "latency_ms", 80, "soft");
        assertEquals(75.0, soft.score(cell(75, 80)), 1e-12, "at the target the reward is the accuracy");
        assertEquals(75.0 * Math.pow(0.5, -0.07), soft.score(cell(75, 40)), 1e-12);
        assertEquals(75.0 * Math.pow(2.0, -0.07), soft.score(cell(75, 160)), 1e-12);
        // Twice as fast is worth 2^0.07 - 1 = 4.97% more accuracy.
        assertTrue(soft.score(cell(72, 40)) > soft.score(cell(75, 80)));
        assertTrue(soft.score(cell(71, 40)) < soft.score(cell(75, 80)));
    }

    @Test
    void hardRewardIsTheAccuracyUpToTheTargetAndFallsInProportionAbove() {
        MnasNetReward hard = MnasNetReward.of("acc", "latency_ms", 80, "hard");
        assertEquals(75.0, hard.score(cell(75, 10)), 1e-12);
        assertEquals(75.0, hard.score(cell(75, 80)), 1e-12);
        assertEquals(37.5, hard.score(cell(75, 160)), 1e-12);
        assertTrue(hard.score(cell(70, 79)) > hard.score(cell(75, 100)));
    }

    @Test
    void missingOrBrokenMetricsGiveNaN() {
        MnasNetReward soft = MnasNetReward.of("acc", "latency_ms", 80, "soft");
        assertTrue(Double.isNaN(soft.score(Map.of("acc", 70.0))));
        assertTrue(Double.isNaN(soft.score(Map.of("latency_ms", 3.0))));
        assertTrue(Double.isNaN(soft.score(cell(70, 0))));
        assertTrue(Double.isNaN(soft.score(cell(70, -1))));
    }

    @Test
    void badSettingsAreRefusedWithTheirValue() {
        IllegalArgumentException mode =
                assertThrows(IllegalArgumentException.class, () -> MnasNetReward.of("acc", "latency_ms", 80, "medium"));
        assertTrue(mode.getMessage().contains("medium"), mode.getMessage());
        IllegalArgumentException target =
                assertThrows(IllegalArgumentException.class, () -> MnasNetReward.of("acc", "latency_ms", 0, "soft"));
        assertTrue(target.getMessage().contains("0.0"), target.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MnasNetReward.of("acc", "latency_ms", Double.NaN, "soft"));
        assertThrows(IllegalArgumentException.class, () -> MnasNetReward.of(" ", "latency_ms", 5, "soft"));
    }

    @Test
    void anObjectiveIsAFitnessToo() {
        Fitness objective = Objective.parse("latency_ms:min");
        assertEquals(-40.0, objective.score(cell(70, 40)));
    }
}
