package io.archipelago.controller.strategy;

import static io.archipelago.controller.strategy.StrategyFixtures.OBJECTIVE;
import static io.archipelago.controller.strategy.StrategyFixtures.SPACE;
import static io.archipelago.controller.strategy.StrategyFixtures.TABLE;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.objective.Fitness;
import io.archipelago.core.objective.MnasNetReward;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Evolution and REINFORCE with MnasNet's reward as their fitness trade accuracy for latency. */
class MnasNetFitnessTest {
    /** A stand-in device: 1 ms per 10k parameters (7-153 ms over NAS-Bench-201). */
    private static double latency(Nb201Cell cell) {
        return SPACE.costs(cell).get("params") / 1e4;
    }

    private static Nb201Cell bestOf(Strategy<Nb201Cell> strategy, int budget) {
        for (int i = 0; i < budget; i++) {
            Trial<Nb201Cell> trial = strategy.ask(1).get(0);
            Map<String, Double> metrics =
                    new HashMap<>(TABLE.metricsAt(trial.architecture(), 12).orElseThrow());
            metrics.put("latency_ms", latency(trial.architecture()));
            strategy.tell(trial, TrialResult.ok(metrics));
        }
        return strategy.best().orElseThrow().trial().architecture();
    }

    private static double meanLatencyOfBest(String name, Fitness fitness) {
        double sum = 0;
        for (long seed = 1; seed <= 4; seed++) {
            Strategy<Nb201Cell> strategy = name.equals("evolution")
                    ? new RegularizedEvolution<>(SPACE, fitness, seed, 30, 5)
                    : new Reinforce<>(SPACE, fitness, seed, 0.2, 0.9);
            sum += latency(bestOf(strategy, 200));
        }
        return sum / 4;
    }

    @Test
    void theHardRewardKeepsTheChosenCellsUnderTheTarget() {
        MnasNetReward hard = MnasNetReward.of("cifar10_valid_12", "latency_ms", 40, "hard");
        for (String name : new String[] {"evolution", "reinforce"}) {
            double accuracyOnly = meanLatencyOfBest(name, OBJECTIVE);
            double rewarded = meanLatencyOfBest(name, hard);
            assertTrue(
                    rewarded <= 40.0 * 1.05 && accuracyOnly > 50,
                    name + ": best cell's latency " + rewarded + " ms with the reward, " + accuracyOnly
                            + " ms on accuracy alone");
        }
    }

    @Test
    void theSoftRewardPrefersFasterCellsThanAccuracyAlone() {
        MnasNetReward soft = MnasNetReward.of("cifar10_valid_12", "latency_ms", 40, "soft");
        double accuracyOnly = meanLatencyOfBest("evolution", OBJECTIVE);
        double rewarded = meanLatencyOfBest("evolution", soft);
        assertTrue(
                rewarded < accuracyOnly, "soft reward " + rewarded + " ms vs accuracy alone " + accuracyOnly + " ms");
    }
}
