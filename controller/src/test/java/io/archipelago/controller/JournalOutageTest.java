package io.archipelago.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import io.archipelago.controller.SearchEvent.ResultRecorded;
import io.archipelago.controller.SearchEvent.SearchAborted;
import io.archipelago.controller.SearchEvent.SearchFinished;
import io.archipelago.controller.router.Router;
import io.archipelago.controller.strategy.RegularizedEvolution;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.evaluators.EvaluatorActor;
import io.archipelago.evaluators.SimulatedTime;
import io.archipelago.evaluators.TabularEvaluator;
import io.archipelago.proto.JournalEvent;
import io.archipelago.proto.ResultSource;
import io.archipelago.proto.StepOp;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A journal that fails mid-search (a database restarting): the search goes on, the journal is
 * started again, and it ends up holding every result exactly once; a journal that stays away
 * past the retry window stops the search with the reason. Pekko's persistence test kit fails the
 * writes and reads on demand; the node's tests do the same with a real PostgreSQL stopped and
 * started.
 */
class JournalOutageTest {
    private static final ActorTestKit testKit = ActorTestKit.create(PersistenceTestKitPlugin.getInstance()
            .config()
            .withFallback(ConfigFactory.parseString("archipelago.journal.retry-window = 4s\n"
                    + "archipelago.evaluator-dispatcher.thread-pool-executor.fixed-pool-size = 2"))
            .withFallback(ConfigFactory.load()));
    private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    private static final BenchmarkTable<Nb201Cell> TABLE = BenchmarkTable.embeddedNb201Cifar10();
    private static final AtomicInteger tests = new AtomicInteger();

    private String kind;

    @BeforeEach
    void fresh() {
        kind = "tabular-outage-" + tests.incrementAndGet();
        journal.clearAll();
        journal.resetPolicy();
        for (int i = 0; i < 2; i++) {
            testKit.spawn(
                    EvaluatorActor.create(new TabularUnderKind(
                            kind, new TabularEvaluator<>(TABLE, new SimulatedTime.Fixed(0.01), i))),
                    kind + "-" + i,
                    EvaluatorActor.dispatcher());
        }
    }

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    private ActorRef<Controller.Command> start(String searchId, int budget, TestProbe<SearchEvent> observer) {
        ActorRef<Router.Command> router = testKit.spawn(Router.create(Router.Settings.DEFAULTS));
        SearchSettings settings = SearchSettings.of(searchId, kind, 12, budget);
        return testKit.spawn(Controller.create(
                settings,
                Nb201Space.INSTANCE,
                new RegularizedEvolution<>(Nb201Space.INSTANCE, Objective.maximize("cifar10_valid_12"), 7, 20, 5),
                router,
                observer.getRef()));
    }

    /** Reads results until {@code n} have come; fails if the search ends first. */
    private static void awaitResults(TestProbe<SearchEvent> observer, int n) {
        for (int seen = 0; seen < n; ) {
            SearchEvent event = observer.receiveMessage(Duration.ofSeconds(30));
            if (!(event instanceof ResultRecorded)) {
                fail("the search ended after " + seen + " results: " + event);
            }
            seen++;
        }
    }

    private static SearchEvent awaitEnd(TestProbe<SearchEvent> observer) {
        while (true) {
            SearchEvent event = observer.receiveMessage(Duration.ofSeconds(30));
            if (!(event instanceof ResultRecorded)) {
                return event;
            }
        }
    }

    @Test
    void aWriteThatFailsIsWrittenAgainOnceTheJournalIsBackAndTheSearchFinishes() {
        TestProbe<SearchEvent> observer = testKit.createTestProbe();
        start("outage-write", 300, observer);
        awaitResults(observer, 60);
        journal.failNextNPersisted(2); // the write under way fails, and so does a first try to start again
        SearchEvent end = awaitEnd(observer);
        assertTrue(end instanceof SearchFinished, "the search should finish despite the outage: " + end);
        assertEquals(300, ((SearchFinished) end).report().evaluations());

        List<Object> events = journal.persistedInStorage("search|outage-write");
        Set<Long> told = new HashSet<>();
        long evaluated = 0;
        boolean finished = false;
        for (Object stored : events) {
            JournalEvent event = (JournalEvent) stored;
            finished |= event.hasFinished();
            for (StepOp op : event.getStep().getOpsList()) {
                if (op.hasTold()) {
                    assertTrue(
                            told.add(op.getTold().getResult().getCandidateId()),
                            "candidate " + op.getTold().getResult().getCandidateId() + " is in the journal twice");
                    evaluated += op.getTold().getSource() == ResultSource.RESULT_SOURCE_EVALUATED ? 1 : 0;
                }
            }
        }
        assertEquals(300, evaluated, "every evaluation is in the journal once");
        assertTrue(finished, "the end is in the journal");
    }

    @Test
    void aJournalThatStaysAwayPastTheWindowStopsTheSearchWithTheReason() {
        TestProbe<SearchEvent> observer = testKit.createTestProbe();
        start("outage-long", 100_000, observer);
        awaitResults(observer, 30);
        journal.failNextNPersisted(1_000); // it reads, but every write fails: still away
        long start = System.nanoTime();
        SearchEvent end = awaitEnd(observer);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(end instanceof SearchAborted, "the search should stop: " + end);
        String reason = ((SearchAborted) end).reason();
        assertTrue(reason.contains("was not back within 4 s"), reason);
        assertFalse(((SearchAborted) end).replay(), "the journal failed; nothing is wrong with what it holds");
        assertTrue(seconds >= 3 && seconds < 20, "stopped after " + seconds + " s with a 4 s window");
    }
}
