package io.archipelago.controller.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nbgraph.GraphArch;
import io.archipelago.core.nbgraph.NbGraphSpace;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.table.BenchmarkTable;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every strategy that is not tied to NAS-Bench-201's supernet or training-free indicators searches
 * the NAS-Bench-Graph space: 60 distinct networks from the Cora table, the incumbent the best of
 * them. The space's 24 all-skip token sequences are no architecture, which token-sampling
 * policies must draw around.
 */
class NbGraphStrategiesTest {
    private static final NbGraphSpace SPACE = NbGraphSpace.INSTANCE;
    private static final BenchmarkTable<GraphArch> CORA = BenchmarkTable.embedded(SPACE, "nbgraph:cora");
    private static final Objective VALID = Objective.maximize("valid_acc");
    private static final int BUDGET = 60;

    static List<String> names() {
        return StrategyFactory.NAMES.stream()
                .filter(name -> !name.equals("teg-evolution") && !name.equals("tenas-prune"))
                .toList();
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
                List.of(VALID, Objective.parse("latency:min")),
                List.of());
        Strategy<GraphArch> strategy = StrategyFactory.create(name, SPACE, VALID, 7, options);
        Set<String> networks = new HashSet<>();
        double best = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < BUDGET; i++) {
            List<Trial<GraphArch>> asked = strategy.ask(1);
            if (asked.isEmpty()) {
                Optional<ModelGuidedStrategy<GraphArch>> waiting =
                        strategy.modelGuided().filter(ModelGuidedStrategy::awaitingModel);
                assertTrue(waiting.isPresent(), name + " stopped proposing after " + i + " trials");
                waiting.get().fitPending();
                asked = strategy.ask(1);
            }
            Trial<GraphArch> trial = asked.get(0);
            assertTrue(networks.add(SPACE.canonicalKey(trial.architecture())), name + " proposed a network twice");
            var metrics = CORA.metricsOf(trial.architecture()).orElseThrow();
            best = Math.max(best, metrics.get("valid_acc"));
            strategy.tell(trial, TrialResult.ok(metrics));
        }
        assertEquals(BUDGET, networks.size());
        // nsga2's best() too is by its first objective, valid_acc
        assertEquals(best, strategy.best().orElseThrow().metrics().get("valid_acc"), 1e-9, name);
    }

    @Test
    void aTokenPolicyNeverDrawsTheAllSkipSequence() {
        OpPolicy<GraphArch> policy = new OpPolicy<>(SPACE, 0.1, 0.9);
        // Uniform logits draw all four ops 'skip' once in 9^4 = 6,561 draws; 100,000 draws would meet it ~15 times.
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 100_000; i++) {
            GraphArch drawn = policy.sample(random);
            assertTrue(SPACE.effectiveNodes(drawn) > 0, drawn.toString());
        }
    }
}
