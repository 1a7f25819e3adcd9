package io.archipelago.controller.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.darts.DartsCell;
import io.archipelago.core.darts.DartsCost;
import io.archipelago.core.darts.DartsGenotype;
import io.archipelago.core.darts.DartsOp;
import io.archipelago.core.darts.DartsSpace;
import io.archipelago.core.objective.Objective;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every strategy that is not tied to NAS-Bench-201 searches the DARTS space (no benchmark table:
 * a synthetic score, and the analytic parameter count as the second objective). 24 in 25 uniform
 * token sequences have a node read one input twice and are no genotype; token policies and
 * decoders must draw around them.
 */
class DartsStrategiesTest {
    private static final DartsSpace SPACE = DartsSpace.INSTANCE;
    private static final Objective SCORE = Objective.maximize("score");
    private static final int BUDGET = 30;

    static List<String> names() {
        return StrategyFactory.NAMES.stream()
                .filter(name -> !name.equals("teg-evolution") && !name.equals("tenas-prune"))
                .toList();
    }

    /** Convolutions count, the older input a little less, plus a canonical-key hash as noise. */
    private static Map<String, Double> metrics(DartsGenotype genotype) {
        double score = (SPACE.canonicalKey(genotype).hashCode() & 0xff) / 1024.0;
        for (int c = 0; c < 2; c++) {
            DartsCell cell = genotype.cell(c);
            for (int p = 0; p < DartsCell.PAIRS; p++) {
                score += cell.op(p).ordinal() >= DartsOp.SEP_CONV_3X3.ordinal() ? 1 : 0;
                score -= cell.input(p) == 0 ? 0.25 : 0;
            }
        }
        return Map.of("score", score, "params", (double) DartsCost.CIFAR.params(genotype));
    }

    @ParameterizedTest
    @MethodSource("names")
    void searchesDistinctNetworksAndKeepsTheBest(String name) {
        StrategyFactory.Options options = new StrategyFactory.Options(
                12,
                3,
                List.of(),
                "gcn",
                new ModelGuidedStrategy.Schedule(10, 10, 1),
                List.of(SCORE, Objective.parse("params:min")),
                List.of());
        Strategy<DartsGenotype> strategy = StrategyFactory.create(name, SPACE, SCORE, 7, options);
        Set<String> networks = new HashSet<>();
        double best = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < BUDGET; i++) {
            List<Trial<DartsGenotype>> asked = strategy.ask(1);
            if (asked.isEmpty()) {
                Optional<ModelGuidedStrategy<DartsGenotype>> waiting =
                        strategy.modelGuided().filter(ModelGuidedStrategy::awaitingModel);
                assertTrue(waiting.isPresent(), name + " stopped proposing after " + i + " trials");
                waiting.get().fitPending();
                asked = strategy.ask(1);
            }
            Trial<DartsGenotype> trial = asked.get(0);
            assertTrue(networks.add(SPACE.canonicalKey(trial.architecture())), name + " proposed a network twice");
            Map<String, Double> metrics = metrics(trial.architecture());
            best = Math.max(best, metrics.get("score"));
            strategy.tell(trial, TrialResult.ok(metrics));
        }
        assertEquals(BUDGET, networks.size());
        assertEquals(best, strategy.best().orElseThrow().metrics().get("score"), 1e-9, name);
    }

    @Test
    void aTokenPolicyDrawsOnlyGenotypes() {
        OpPolicy<DartsGenotype> policy = new OpPolicy<>(SPACE, 0.1, 0.9);
        SplittableRandom random = new SplittableRandom(3);
        Set<DartsGenotype> drawn = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            drawn.add(policy.sample(random)); // fromTokens refuses a node reading one input twice
        }
        assertEquals(2_000, drawn.size());
    }
}
