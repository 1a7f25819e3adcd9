package io.archipelago.node.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.controller.SearchEvent;
import io.archipelago.controller.SearchSettings;
import io.archipelago.controller.router.Router;
import io.archipelago.controller.strategy.RandomSearch;
import io.archipelago.controller.strategy.Strategy;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.evaluators.SimulatedTime;
import io.archipelago.evaluators.TabularEvaluator;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.engine.FailsOnTenthTell;
import io.archipelago.node.journal.JournalSettings;
import io.archipelago.proto.SearchSpec;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The search host's protocol in one JVM: what a submitter's follower is pushed, and how a failing search ends for it. */
class SearchHostTest {
    private static final BenchmarkTable<Nb201Cell> TABLE = BenchmarkTable.embeddedNb201Cifar10();

    private static Engine engine() {
        return new Engine(2, slot -> new TabularEvaluator<>(TABLE, new SimulatedTime.Fixed(0.001), slot));
    }

    private static CompletableFuture<SearchEvent.SearchReport> submit(
            Engine engine, Strategy<Nb201Cell> strategy, int budget, Set<Long> recorded) {
        SearchSettings settings =
                SearchSettings.of("hosted", "tabular", 12, budget).journaled(false);
        HostedSearch<Nb201Cell> search =
                new HostedSearch<>(settings, Nb201Space.INSTANCE, strategy, Router.Settings.DEFAULTS, 1);
        ActorRef<Object> host = engine.system()
                .systemActorOf(
                        SearchHost.behavior(JournalSettings.parse("none"), (spec, journal) -> search, false),
                        SearchHost.NAME,
                        Props.empty());
        CompletableFuture<SearchEvent.SearchReport> done = new CompletableFuture<>();
        SearchSpec spec = settings.spec(Nb201Space.INSTANCE.id()).build();
        engine.system()
                .systemActorOf(
                        SearchFollower.submit(
                                host,
                                spec,
                                r -> recorded.add(r.result().getCandidateId()),
                                done,
                                Duration.ofMillis(200)),
                        "follower",
                        Props.empty());
        return done;
    }

    @Test
    @Timeout(60)
    void theFollowerIsPushedEveryResultAndThenTheReport() throws Exception {
        Set<Long> recorded = ConcurrentHashMap.newKeySet();
        try (Engine engine = engine()) {
            SearchEvent.SearchReport report = submit(
                            engine,
                            new RandomSearch<>(Nb201Space.INSTANCE, Objective.maximize("cifar10_valid_12"), 3),
                            60,
                            recorded)
                    .get(30, TimeUnit.SECONDS);
            assertEquals(60, report.evaluations());
            assertTrue(recorded.size() >= 60, "every result before the end: " + recorded.size());
            assertEquals(2, report.maxSlots(), "the report the controller made, slots included");
            assertTrue(report.utilization() > 0, String.valueOf(report.utilization()));
        }
    }

    @Test
    @Timeout(60)
    void aStrategyThatThrowsEndsTheSearchForItsFollowerWithinSeconds() {
        try (Engine engine = engine()) {
            var done = submit(engine, new FailsOnTenthTell(), 100, ConcurrentHashMap.newKeySet());
            ExecutionException failed = assertThrows(ExecutionException.class, () -> done.get(5, TimeUnit.SECONDS));
            assertTrue(
                    String.valueOf(failed.getCause().getMessage()).contains("a bug in the strategy"),
                    String.valueOf(failed.getCause()));
        }
    }
}
