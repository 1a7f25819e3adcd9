package io.archipelago.node.engine;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.controller.SearchSettings;
import io.archipelago.controller.router.Router;
import io.archipelago.controller.strategy.Observation;
import io.archipelago.controller.strategy.RandomSearch;
import io.archipelago.controller.strategy.Strategy;
import io.archipelago.controller.strategy.Trial;
import io.archipelago.controller.strategy.TrialResult;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.evaluators.SimulatedTime;
import io.archipelago.evaluators.TabularEvaluator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A search whose strategy throws ends its run with the cause, within seconds, instead of leaving the caller waiting. */
class SearchSupervisionTest {

    /** Random search that throws on its tenth result, as a strategy with a bug would. */
    private static final class FailsOnTenthTell implements Strategy<Nb201Cell> {
        private final RandomSearch<Nb201Cell> inner =
                new RandomSearch<>(Nb201Space.INSTANCE, Objective.maximize("cifar10_valid_12"), 1);
        private int tells;

        @Override
        public List<Trial<Nb201Cell>> ask(int n) {
            return inner.ask(n);
        }

        @Override
        public void tell(Trial<Nb201Cell> trial, TrialResult result) {
            if (++tells == 10) {
                throw new IllegalStateException("a bug in the strategy");
            }
            inner.tell(trial, result);
        }

        @Override
        public Optional<Observation<Nb201Cell>> best() {
            return inner.best();
        }
    }

    @Test
    @Timeout(60)
    void aStrategyThatThrowsFailsTheRunWithItsCauseWithinSeconds() {
        BenchmarkTable<Nb201Cell> table = BenchmarkTable.embeddedNb201Cifar10();
        try (Engine engine =
                new Engine(2, slot -> new TabularEvaluator<>(table, new SimulatedTime.Fixed(0.001), slot))) {
            SearchSettings settings =
                    SearchSettings.of("throws", "tabular", 12, 100).journaled(false);
            var run = engine.run(
                            settings,
                            Nb201Space.INSTANCE,
                            new FailsOnTenthTell(),
                            Router.Settings.DEFAULTS,
                            SearchParent::reportOnly)
                    .toCompletableFuture();
            ExecutionException failed = assertThrows(ExecutionException.class, () -> run.get(5, TimeUnit.SECONDS));
            assertTrue(
                    String.valueOf(failed.getCause().getMessage()).contains("a bug in the strategy"),
                    String.valueOf(failed.getCause()));
        }
    }
}
