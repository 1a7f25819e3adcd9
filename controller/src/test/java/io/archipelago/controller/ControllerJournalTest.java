package io.archipelago.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.archipelago.controller.SearchEvent.ResultRecorded;
import io.archipelago.controller.SearchEvent.SearchFinished;
import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.controller.router.Router;
import io.archipelago.controller.strategy.ModelGuidedStrategy;
import io.archipelago.controller.strategy.Observation;
import io.archipelago.controller.strategy.OraclePredictor;
import io.archipelago.controller.strategy.PredictorEvolution;
import io.archipelago.controller.strategy.RegularizedEvolution;
import io.archipelago.controller.strategy.Strategy;
import io.archipelago.controller.strategy.Trial;
import io.archipelago.controller.strategy.TrialResult;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.evaluators.EvaluatorActor;
import io.archipelago.evaluators.SimulatedTime;
import io.archipelago.evaluators.TabularEvaluator;
import io.archipelago.proto.EvaluationStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The controller's journal: a controller stopped mid-search and a new one with the same search id
 * and a fresh strategy go on where the first stopped, and propose exactly what an uninterrupted
 * search proposes (the in-memory journal and a local snapshot store of this actor system stand in
 * for the database; the node tests run the same on H2 and PostgreSQL, across JVMs).
 */
class ControllerJournalTest {
    private static final Path SNAPSHOTS = tempDir();
    private static final ActorTestKit testKit = ActorTestKit.create(
            ConfigFactory.parseString("archipelago.evaluator-dispatcher.thread-pool-executor.fixed-pool-size = 4\n"
                            + "pekko.persistence.snapshot-store.plugin = \"pekko.persistence.snapshot-store.local\"\n"
                            + "pekko.persistence.snapshot-store.local.dir = \"" + SNAPSHOTS + "\"")
                    .withFallback(ConfigFactory.load()));
    private static final BenchmarkTable<Nb201Cell> TABLE = BenchmarkTable.embeddedNb201Cifar10();
    private static final Objective OBJECTIVE = Objective.maximize("cifar10_valid_12");
    private static final AtomicInteger tests = new AtomicInteger();

    private String kind;

    @BeforeEach
    void fresh() {
        kind = "tabular-journal-" + tests.incrementAndGet();
    }

    @AfterAll
    static void shutdown() throws IOException {
        testKit.shutdownTestKit();
        try (var files = Files.walk(SNAPSHOTS)) {
            for (Path path : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("archipelago-snapshots");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void spawnEvaluators(int n, SimulatedTime time) {
        String k = kind;
        for (int i = 0; i < n; i++) {
            testKit.spawn(
                    EvaluatorActor.create(new TabularUnderKind(k, new TabularEvaluator<>(TABLE, time, i))),
                    kind + "-" + i,
                    EvaluatorActor.dispatcher());
        }
    }

    /** A running controller with its router and what it has reported so far. */
    private final class Run {
        final TestProbe<SearchEvent> observer = testKit.createTestProbe();
        final ActorRef<Router.Command> router = testKit.spawn(Router.create(Router.Settings.DEFAULTS));
        final ActorRef<Controller.Command> controller;
        final List<ResultRecorded> results = new ArrayList<>();

        Run(SearchSettings settings, Strategy<Nb201Cell> strategy) {
            controller = testKit.spawn(
                    Controller.create(settings, Nb201Space.INSTANCE, strategy, router, observer.getRef()));
        }

        /** Reads results until {@code n} have come (or the search ended). */
        SearchReport until(int n) {
            while (results.size() < n) {
                SearchEvent event = observer.receiveMessage(Duration.ofSeconds(30));
                if (event instanceof SearchFinished finished) {
                    return finished.report();
                }
                results.add((ResultRecorded) event);
            }
            return null;
        }

        SearchReport toEnd() {
            SearchReport report = until(Integer.MAX_VALUE);
            testKit.stop(router);
            return report;
        }

        /** The controller and its router stop, as if their JVM died; whatever was not journaled is lost. */
        void crash() {
            testKit.stop(controller);
            testKit.stop(router);
        }
    }

    private static Map<Long, String> architectures(List<ResultRecorded> results) {
        Map<Long, String> byId = new HashMap<>();
        for (ResultRecorded r : results) {
            String previous = byId.put(
                    r.result().getCandidateId(), r.result().getArchitecture().getEncoding());
            assertTrue(previous == null, "candidate " + r.result().getCandidateId() + " recorded twice");
        }
        return byId;
    }

    private RegularizedEvolution<Nb201Cell> evolution(long seed) {
        return new RegularizedEvolution<>(Nb201Space.INSTANCE, OBJECTIVE, seed, 20, 5);
    }

    /**
     * With one slot the whole search is deterministic, so the resumed search must propose, candidate
     * by candidate, what the uninterrupted one did, from the snapshot plus the events after it,
     * whichever of its runs took that snapshot.
     */
    @Test
    void aResumedSearchProposesWhatTheUninterruptedOneDid() {
        // 15 ms per evaluation, longer than the journal's commit window: a step per result, so snapshots come
        spawnEvaluators(1, new SimulatedTime.Fixed(0.015));
        Run uninterrupted = new Run(SearchSettings.of("straight", kind, 12, 90), evolution(7));
        SearchReport straight = uninterrupted.toEnd();
        assertEquals(90, straight.evaluations());

        SearchSettings settings = SearchSettings.of("crashed", kind, 12, 90).snapshotEvery(10);
        Run first = new Run(settings, evolution(7));
        first.until(45); // past the random population of 20, well into evolution
        first.crash();
        // Crashed again after a snapshot taken since the first recovery: that snapshot must hold the
        // ops the recovered one did as well as the new ones (they come from the journal's ops file).
        Run second = new Run(settings, evolution(7));
        second.until(70); // the 45 or so journaled, re-reported, and 25 more
        second.crash();
        Run resumed = new Run(settings, evolution(7));
        SearchReport report = resumed.toEnd();

        assertEquals(90, report.evaluations(), report.stopReason());
        assertTrue(report.stopReason().contains("budget"), report.stopReason());
        // The resumed controller first re-reports what the journal holds (the files are rebuilt from it).
        Map<Long, String> resumedArchitectures = architectures(resumed.results);
        assertEquals(90, resumedArchitectures.size());
        assertEquals(
                architectures(uninterrupted.results),
                resumedArchitectures,
                "the resumed strategy proposes what the straight one did");
        assertEquals(straight.bestArchitecture(), report.bestArchitecture());
        assertTrue(
                listSnapshots().stream()
                                .filter(name -> name.contains("crashed"))
                                .count()
                        >= 2,
                "snapshots were taken: " + listSnapshots());
    }

    /** Several slots: in-flight candidates at the crash are dispatched again; each is told once. */
    @Test
    void inFlightCandidatesAreDispatchedAgainAndCountedOnce() {
        spawnEvaluators(4, new SimulatedTime.Fixed(0.01));
        SearchSettings settings = SearchSettings.of("in-flight", kind, 12, 120);
        Run first = new Run(settings, evolution(3));
        first.until(50);
        first.crash();
        Run resumed = new Run(settings, evolution(3));
        SearchReport report = resumed.toEnd();

        assertEquals(120, report.evaluations());
        Set<Long> ok = new HashSet<>();
        for (ResultRecorded r : resumed.results) {
            assertEquals(EvaluationStatus.EVALUATION_STATUS_OK, r.result().getStatus());
            assertTrue(
                    ok.add(r.result().getCandidateId()),
                    "candidate " + r.result().getCandidateId() + " told twice");
        }
        assertEquals(120, ok.size());
        // Whatever the crash lost was evaluated again under its own id: ids stay consecutive.
        for (long id = 0; id < 120; id++) {
            assertTrue(ok.contains(id), "candidate " + id + " missing");
        }
    }

    /** Model-guided: the journal records when each model arrived; replay fits it again at that point. */
    @Test
    void aModelGuidedSearchReplaysItsModels() {
        spawnEvaluators(1, null);
        Supplier<Strategy<Nb201Cell>> strategy = () -> new PredictorEvolution<>(
                Nb201Space.INSTANCE,
                OBJECTIVE,
                new OraclePredictor(TABLE, "cifar10_valid_12", 5),
                new ModelGuidedStrategy.Schedule(10, 10, 1),
                4,
                10,
                100);
        SearchSettings settings = SearchSettings.of("guided-crash", kind, 12, 60);
        Run first = new Run(settings, strategy.get());
        first.until(35);
        first.crash();
        Run resumed = new Run(settings, strategy.get());
        SearchReport report = resumed.toEnd();

        assertEquals(60, report.evaluations(), report.stopReason());
        assertEquals(60, architectures(resumed.results).size());
        // The journaled part replays exactly: the first run's results are the resumed run's first results.
        Map<Long, String> before = architectures(first.results);
        Map<Long, String> after = architectures(resumed.results);
        before.forEach((id, arch) -> assertEquals(arch, after.get(id), "candidate " + id));
    }

    /**
     * A resumed search's new router learns from the journal what was evaluated before the crash: a
     * repeat of such an architecture is answered from the cache, as without the crash, and costs
     * no budget.
     */
    @Test
    void repeatsOfArchitecturesEvaluatedBeforeTheCrashAreAnsweredFromTheCache() {
        spawnEvaluators(
                1,
                new SimulatedTime.Fixed(
                        0.1)); // an evaluation takes two commit windows: a result is journaled before the next one
        SearchSettings settings = SearchSettings.of("cache-after-crash", kind, 12, 10);
        Run first = new Run(settings, new RepeatsLater());
        first.until(6); // candidates 0-5 evaluated, 6 in flight; the repeats (8-11) of 0-3 not yet asked
        first.crash();
        Run resumed = new Run(settings, new RepeatsLater());
        SearchReport report = resumed.toEnd();

        assertEquals(10, report.evaluations(), report.stopReason());
        assertEquals(4, report.cached(), "candidates 8-11 repeat 0-3, evaluated before the crash");
        for (ResultRecorded r : resumed.results) {
            long id = r.result().getCandidateId();
            assertEquals(
                    id >= 8 && id < 12 ? Router.Source.CACHED : Router.Source.EVALUATED, r.source(), "candidate " + id);
        }
    }

    /** Proposes eight distinct cells, then the first four again, then new ones. */
    private static final class RepeatsLater implements Strategy<Nb201Cell> {
        private final List<Nb201Cell> cells = new ArrayList<>();
        private long next;

        RepeatsLater() {
            Random random = new Random(5);
            Set<String> keys = new HashSet<>();
            while (cells.size() < 30) {
                Nb201Cell cell = Nb201Space.INSTANCE.sample(random);
                if (keys.add(Nb201Space.INSTANCE.canonicalKey(cell))) { // distinct for the router's cache too
                    cells.add(cell);
                }
            }
        }

        @Override
        public List<Trial<Nb201Cell>> ask(int n) {
            List<Trial<Nb201Cell>> trials = new ArrayList<>();
            for (int i = 0; i < n; i++, next++) {
                int cell = (int) (next < 8 ? next : next < 12 ? next - 8 : next - 4);
                trials.add(new Trial<>(next, cells.get(cell)));
            }
            return trials;
        }

        @Override
        public void tell(Trial<Nb201Cell> trial, TrialResult result) {}

        @Override
        public Optional<Observation<Nb201Cell>> best() {
            return Optional.empty();
        }
    }

    /** A finished search resumed is only reported again: nothing is evaluated, nothing journaled. */
    @Test
    void resumingAFinishedSearchReportsItAgain() {
        spawnEvaluators(1, null);
        SearchSettings settings = SearchSettings.of("done", kind, 12, 30);
        SearchReport first = new Run(settings, evolution(1)).toEnd();
        Run again = new Run(settings, evolution(1));
        SearchReport report = again.toEnd();
        assertEquals(30, report.evaluations());
        assertEquals(first.bestArchitecture(), report.bestArchitecture());
        assertEquals(first.stopReason(), report.stopReason());
        assertEquals(30, again.results.size());
    }

    private static List<String> listSnapshots() {
        try (var files = Files.list(SNAPSHOTS)) {
            return files.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
