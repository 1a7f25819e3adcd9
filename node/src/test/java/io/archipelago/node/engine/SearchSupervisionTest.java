package io.archipelago.node.engine;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.controller.SearchSettings;
import io.archipelago.controller.router.Router;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.evaluators.SimulatedTime;
import io.archipelago.evaluators.TabularEvaluator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A search whose strategy throws ends its run with the cause, within seconds, instead of leaving the caller waiting. */
class SearchSupervisionTest {

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
