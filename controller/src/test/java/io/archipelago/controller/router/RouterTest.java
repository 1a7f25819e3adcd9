package io.archipelago.controller.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.controller.router.Router.Capacity;
import io.archipelago.controller.router.Router.Completed;
import io.archipelago.controller.router.Router.Source;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.nbgraph.NbGraphSpace;
import io.archipelago.evaluators.EvaluatorActor;
import io.archipelago.evaluators.supernet.WeightSharingEvaluator;
import io.archipelago.proto.Architecture;
import io.archipelago.proto.Candidate;
import io.archipelago.proto.EvaluationRequest;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The router against scripted evaluators: each fake evaluator registers with the Receptionist like
 * a real one and forwards what it is asked to a probe, so a test decides who answers what, when.
 */
class RouterTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final AtomicInteger kinds = new AtomicInteger();

    // DEAD_END_A and DEAD_END_B compute the same function: nodes 1 and 2 reach the output only
    // through 'none', so the output is the skip from the input whatever their ops are.
    private static final String CELL =
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|";
    private static final String OTHER_CELL =
            "|nor_conv_1x1~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|";
    private static final String DEAD_END_A =
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|none~1|none~2|";
    private static final String DEAD_END_B =
            "|avg_pool_3x3~0|+|nor_conv_1x1~0|nor_conv_3x3~1|+|skip_connect~0|none~1|none~2|";

    /** What a fake evaluator was asked, and by which evaluator. */
    record Asked(ActorRef<EvaluationRequest> evaluator, EvaluationRequest request) {
        Candidate candidate() {
            return request.getCandidate();
        }
    }

    private String kind;
    private TestProbe<Asked> asked;
    private TestProbe<Router.Event> events;

    @BeforeEach
    void freshKind() {
        // A kind of its own per test, so evaluators of other tests never join this test's pool.
        kind = "fake-" + kinds.incrementAndGet();
        asked = testKit.createTestProbe();
        events = testKit.createTestProbe();
    }

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    private Behavior<EvaluationRequest> fakeEvaluator() {
        ActorRef<Asked> to = asked.getRef();
        String serviceKind = kind;
        return Behaviors.setup(context -> {
            context.getSystem()
                    .receptionist()
                    .tell(Receptionist.register(EvaluatorActor.serviceKey(serviceKind), context.getSelf()));
            return Behaviors.receiveMessage(request -> {
                to.tell(new Asked(context.getSelf(), request));
                return Behaviors.same();
            });
        });
    }

    private List<ActorRef<EvaluationRequest>> evaluators(int n) {
        List<ActorRef<EvaluationRequest>> refs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            refs.add(testKit.spawn(fakeEvaluator()));
        }
        return refs;
    }

    /** A router that has seen {@code slots} evaluators of this test's kind. */
    private ActorRef<Router.Command> router(Router.Settings settings, int slots) {
        ActorRef<Router.Command> router = testKit.spawn(Router.create(settings));
        TestProbe<Router.Event> capacity = testKit.createTestProbe();
        router.tell(new Router.WatchCapacity(kind, capacity.getRef()));
        capacity.fishForMessage(
                Duration.ofSeconds(5),
                event -> ((Capacity) event).slots() == slots
                        ? FishingOutcomes.complete()
                        : FishingOutcomes.continueAndIgnore());
        return router;
    }

    private Candidate candidate(long id, String cell) {
        return candidate(id, Nb201Space.ID, cell);
    }

    private Candidate candidate(long id, String space, String cell) {
        return Candidate.newBuilder()
                .setSearchId("router-test")
                .setCandidateId(id)
                .setArchitecture(Architecture.newBuilder().setSpace(space).setEncoding(cell))
                .setEvaluatorKind(kind)
                .setFidelity(12)
                .build();
    }

    private void submit(ActorRef<Router.Command> router, Candidate... candidates) {
        router.tell(new Router.Submit(List.of(candidates), events.getRef()));
    }

    private static void answerOk(Asked asked, double accuracy) {
        answer(
                asked,
                EvaluationResult.newBuilder()
                        .setStatus(EvaluationStatus.EVALUATION_STATUS_OK)
                        .putMetrics("acc", accuracy));
    }

    private static void answerFailed(Asked asked, String reason) {
        answer(
                asked,
                EvaluationResult.newBuilder()
                        .setStatus(EvaluationStatus.EVALUATION_STATUS_FAILED)
                        .setFailureReason(reason));
    }

    private static void answer(Asked asked, EvaluationResult.Builder result) {
        ActorRef<EvaluationResult> replyTo = ActorRefResolver.get(testKit.system())
                .resolveActorRef(asked.request().getReplyTo());
        Candidate candidate = asked.candidate();
        replyTo.tell(result.setSearchId(candidate.getSearchId())
                .setCandidateId(candidate.getCandidateId())
                .setArchitecture(candidate.getArchitecture())
                .setEvaluatorKind(candidate.getEvaluatorKind())
                .setEvaluator(asked.evaluator().path().name())
                .setAttempt(asked.request().getAttempt())
                .setCostSeconds(0.5)
                .build());
    }

    private Completed completed() {
        return (Completed) events.receiveMessage(Duration.ofSeconds(5));
    }

    @Test
    void spreadsCandidatesOverFreeSlotsAndQueuesTheRest() {
        evaluators(2);
        ActorRef<Router.Command> router = router(Router.Settings.DEFAULTS, 2);
        submit(router, candidate(0, CELL), candidate(1, OTHER_CELL), candidate(2, DEAD_END_A));
        Asked first = asked.receiveMessage();
        Asked second = asked.receiveMessage();
        assertNotEquals(first.evaluator(), second.evaluator(), "two free slots: one candidate each");
        asked.expectNoMessage(Duration.ofMillis(200)); // the third waits for a slot

        answerOk(first, 90.0);
        assertEquals(Source.EVALUATED, completed().source());
        Asked third = asked.receiveMessage();
        assertEquals(first.evaluator(), third.evaluator(), "the freed slot takes the waiting candidate");
        assertEquals(2, third.candidate().getCandidateId());
    }

    @Test
    void retriesAFailedEvaluationOnAnotherEvaluator() {
        evaluators(2);
        ActorRef<Router.Command> router = router(new Router.Settings(Duration.ofMinutes(1), 3, 100), 2);
        submit(router, candidate(7, CELL));
        Asked first = asked.receiveMessage();
        assertEquals(1, first.request().getAttempt());
        answerFailed(first, "CUDA out of memory");

        Asked retry = asked.receiveMessage();
        assertEquals(2, retry.request().getAttempt());
        assertNotEquals(first.evaluator(), retry.evaluator(), "a retry goes to an evaluator that has not tried it");
        answerOk(retry, 93.5);

        Completed done = completed();
        assertEquals(Source.EVALUATED, done.source());
        assertEquals(2, done.attempts());
        assertEquals(EvaluationStatus.EVALUATION_STATUS_OK, done.result().getStatus());
        assertEquals(93.5, done.result().getMetricsOrThrow("acc"));
        assertEquals(7, done.result().getCandidateId());
    }

    @Test
    void failsWithTheLastReasonOnceTheAttemptsAreSpent() {
        evaluators(2);
        ActorRef<Router.Command> router = router(new Router.Settings(Duration.ofMinutes(1), 2, 100), 2);
        submit(router, candidate(1, CELL));
        answerFailed(asked.receiveMessage(), "first reason");
        answerFailed(asked.receiveMessage(), "second reason");

        Completed done = completed();
        assertEquals(Source.EVALUATED, done.source(), "failed evaluations still spent evaluator time");
        assertEquals(2, done.attempts());
        assertEquals(EvaluationStatus.EVALUATION_STATUS_FAILED, done.result().getStatus());
        assertEquals("failed after 2 attempt(s): second reason", done.result().getFailureReason());
        asked.expectNoMessage(Duration.ofMillis(200));

        // A failure is not cached: the same cell is evaluated again when asked again.
        submit(router, candidate(2, CELL));
        assertEquals(2, asked.receiveMessage().candidate().getCandidateId());
    }

    private static void answerScoredBy(Asked asked, String supernetHash) {
        answer(
                asked,
                EvaluationResult.newBuilder()
                        .setStatus(EvaluationStatus.EVALUATION_STATUS_OK)
                        .putMetrics("supernet_accuracy", 80.0)
                        .putLabels(WeightSharingEvaluator.HASH, supernetHash));
    }

    @Test
    void refusesAResultScoredByAnotherSupernetAndRetriesItElsewhere() {
        evaluators(2);
        ActorRef<Router.Command> router = router(new Router.Settings(Duration.ofMinutes(1), 2, 100), 2);
        submit(router, candidate(0, CELL));
        answerScoredBy(asked.receiveMessage(), "aaaa");
        assertEquals("aaaa", completed().result().getLabelsOrThrow(WeightSharingEvaluator.HASH));

        submit(router, candidate(1, OTHER_CELL));
        Asked first = asked.receiveMessage();
        answerScoredBy(first, "bbbb");
        Asked retry = asked.receiveMessage();
        assertEquals(2, retry.request().getAttempt(), "a result of another supernet is a failed attempt");
        assertNotEquals(first.evaluator(), retry.evaluator());
        answerScoredBy(retry, "bbbb");
        Completed refused = completed();
        assertEquals(EvaluationStatus.EVALUATION_STATUS_FAILED, refused.result().getStatus());
        assertTrue(
                refused.result().getFailureReason().contains("supernet_hash bbbb")
                        && refused.result().getFailureReason().contains("come from aaaa"),
                refused.result().getFailureReason());
    }

    @Test
    void aResumedSearchKeepsTheSupernetItsJournalWasScoredBy() {
        evaluators(1);
        ActorRef<Router.Command> router = router(new Router.Settings(Duration.ofMinutes(1), 1, 100), 1);
        Candidate earlier = candidate(0, CELL);
        router.tell(new Router.Seed(
                List.of(earlier),
                List.of(EvaluationResult.newBuilder()
                        .setSearchId(earlier.getSearchId())
                        .setCandidateId(0)
                        .setArchitecture(earlier.getArchitecture())
                        .setEvaluatorKind(kind)
                        .setStatus(EvaluationStatus.EVALUATION_STATUS_OK)
                        .putLabels(WeightSharingEvaluator.HASH, "aaaa")
                        .build())));
        submit(router, candidate(1, OTHER_CELL));
        answerScoredBy(asked.receiveMessage(), "cccc");
        assertEquals(
                EvaluationStatus.EVALUATION_STATUS_FAILED, completed().result().getStatus());
    }

    @Test
    void retriesATimedOutEvaluationAndIgnoresItsLateAnswer() {
        evaluators(2);
        ActorRef<Router.Command> router = router(new Router.Settings(Duration.ofMillis(300), 3, 100), 2);
        submit(router, candidate(3, CELL));
        Asked slow = asked.receiveMessage();

        Asked retry = asked.receiveMessage(Duration.ofSeconds(5)); // after the deadline, elsewhere
        assertEquals(2, retry.request().getAttempt());
        assertNotEquals(slow.evaluator(), retry.evaluator());
        answerOk(retry, 91.0);
        Completed done = completed();
        assertEquals(91.0, done.result().getMetricsOrThrow("acc"));
        assertEquals(2, done.attempts());

        answerOk(slow, 12.0); // the superseded attempt answers after all
        events.expectNoMessage(Duration.ofMillis(300));

        // ... and its slot is free again: two new candidates run at once.
        submit(router, candidate(4, OTHER_CELL), candidate(5, DEAD_END_A));
        Set<ActorRef<EvaluationRequest>> used = new HashSet<>();
        used.add(asked.receiveMessage().evaluator());
        used.add(asked.receiveMessage().evaluator());
        assertEquals(2, used.size());
    }

    @Test
    void answersARepeatedCandidateFromTheCacheWithoutASlot() {
        evaluators(1);
        ActorRef<Router.Command> router = router(Router.Settings.DEFAULTS, 1);
        submit(router, candidate(0, DEAD_END_A));
        answerOk(asked.receiveMessage(), 88.0);
        assertEquals(Source.EVALUATED, completed().source());

        // A different spelling of the same function, under a new candidate id.
        submit(router, candidate(1, DEAD_END_B));
        Completed cached = completed();
        assertEquals(Source.CACHED, cached.source());
        assertEquals(0, cached.attempts());
        assertEquals(1, cached.result().getCandidateId(), "the answer is addressed to the asking candidate");
        assertEquals(DEAD_END_B, cached.result().getArchitecture().getEncoding());
        assertEquals(88.0, cached.result().getMetricsOrThrow("acc"));
        asked.expectNoMessage(Duration.ofMillis(200));
    }

    @Test
    void answersAnEquivalentNasBenchGraphEncodingFromTheCache() {
        evaluators(1);
        ActorRef<Router.Command> router = router(Router.Settings.DEFAULTS, 1);
        // The README's example: the same network as its table row, with two branches swapped.
        submit(router, candidate(0, NbGraphSpace.ID, "gcn~0|gin~1|cheb~1|fc~2"));
        answerOk(asked.receiveMessage(), 80.5);
        assertEquals(Source.EVALUATED, completed().source());

        submit(router, candidate(1, NbGraphSpace.ID, "gcn~0|cheb~1|gin~1|fc~3"));
        Completed cached = completed();
        assertEquals(Source.CACHED, cached.source());
        assertEquals(80.5, cached.result().getMetricsOrThrow("acc"));
        asked.expectNoMessage(Duration.ofMillis(200));
    }

    @Test
    void aCandidateIdenticalToOneInFlightWaitsForItsEvaluation() {
        evaluators(2);
        ActorRef<Router.Command> router = router(Router.Settings.DEFAULTS, 2);
        submit(router, candidate(0, DEAD_END_A), candidate(1, DEAD_END_B));
        Asked only = asked.receiveMessage();
        asked.expectNoMessage(Duration.ofMillis(200)); // a free slot, yet no second evaluation
        answerOk(only, 77.0);

        List<Completed> both = List.of(completed(), completed());
        assertEquals(
                Set.of(Source.EVALUATED, Source.CACHED),
                Set.of(both.get(0).source(), both.get(1).source()));
        assertEquals(
                Set.of(0L, 1L),
                Set.of(
                        both.get(0).result().getCandidateId(),
                        both.get(1).result().getCandidateId()));
        both.forEach(c -> assertEquals(77.0, c.result().getMetricsOrThrow("acc")));
    }

    @Test
    void rejectsAnInvalidCandidateWithoutDispatchingIt() {
        evaluators(1);
        ActorRef<Router.Command> router = router(Router.Settings.DEFAULTS, 1);
        submit(router, candidate(0, "no-such-space", CELL), candidate(1, Nb201Space.ID, "|bogus~0|"));
        for (int i = 0; i < 2; i++) {
            Completed rejected = completed();
            assertEquals(Source.REJECTED, rejected.source());
            assertEquals(
                    EvaluationStatus.EVALUATION_STATUS_FAILED, rejected.result().getStatus());
            assertTrue(!rejected.result().getFailureReason().isBlank());
        }
        asked.expectNoMessage(Duration.ofMillis(200));
    }

    @Test
    void waitsForEvaluatorsToJoinAndRetriesWorkOfOneThatLeaves() {
        ActorRef<Router.Command> router = router(Router.Settings.DEFAULTS, 0);
        submit(router, candidate(0, CELL));
        asked.expectNoMessage(Duration.ofMillis(200)); // nobody to run it yet

        ActorRef<EvaluationRequest> first = evaluators(1).get(0);
        Asked orphaned = asked.receiveMessage(Duration.ofSeconds(5));
        assertEquals(first, orphaned.evaluator());

        ActorRef<EvaluationRequest> second = evaluators(1).get(0);
        testKit.stop(first); // dies holding the candidate
        Asked retry = asked.receiveMessage(Duration.ofSeconds(5));
        assertEquals(second, retry.evaluator());
        assertEquals(2, retry.request().getAttempt());
        answerOk(retry, 60.0);
        assertEquals(2, completed().attempts());
    }

    @Test
    void aPoolWithoutEvaluatorsFailsItsWaitingCandidatesAfterTheTimeoutNamingThePool() {
        ActorRef<EvaluationRequest> only = evaluators(1).get(0);
        ActorRef<Router.Command> router = router(new Router.Settings(Duration.ofMillis(600), 3, 100), 1);
        submit(router, candidate(7, CELL));
        Asked running = asked.receiveMessage(Duration.ofSeconds(5));
        assertEquals(only, running.evaluator());
        long died = System.nanoTime();
        testKit.stop(only); // the pool's only node dies holding the candidate: it waits for a node to come back

        Completed failed = (Completed) events.receiveMessage(Duration.ofSeconds(5));
        assertTrue(System.nanoTime() - died >= 500_000_000L, "failed before the timeout");
        assertEquals(EvaluationStatus.EVALUATION_STATUS_FAILED, failed.result().getStatus());
        assertTrue(
                failed.result().getFailureReason().contains("no evaluator in pool " + kind),
                failed.result().getFailureReason());
        assertTrue(
                failed.result().getFailureReason().contains("left the pool"),
                failed.result().getFailureReason());
    }

    @Test
    void reportsPoolCapacityAsItChanges() {
        ActorRef<Router.Command> router = testKit.spawn(Router.create(Router.Settings.DEFAULTS));
        router.tell(new Router.WatchCapacity(kind, events.getRef()));
        assertEquals(new Capacity(kind, 0), events.receiveMessage());
        List<ActorRef<EvaluationRequest>> refs = evaluators(3);
        int slots = 0;
        while (slots < 3) {
            slots = ((Capacity) events.receiveMessage(Duration.ofSeconds(5))).slots();
        }
        testKit.stop(refs.get(1));
        assertEquals(new Capacity(kind, 2), events.receiveMessage(Duration.ofSeconds(5)));
    }

    @Test
    void aHandedBackCandidateGoesElsewhereWithoutSpendingAnAttemptAndTheSlotRetires() {
        evaluators(2);
        ActorRef<Router.Command> router = router(new Router.Settings(Duration.ofMinutes(1), 1, 100), 2);
        TestProbe<Router.Event> capacity = testKit.createTestProbe();
        router.tell(new Router.WatchCapacity(kind, capacity.getRef()));
        assertEquals(new Capacity(kind, 2), capacity.receiveMessage());
        submit(router, candidate(3, CELL));
        Asked first = asked.receiveMessage();
        answer(
                first,
                EvaluationResult.newBuilder()
                        .setStatus(EvaluationStatus.EVALUATION_STATUS_HANDED_BACK)
                        .setFailureReason("draining"));

        Asked moved = asked.receiveMessage();
        assertNotEquals(first.evaluator(), moved.evaluator(), "a draining slot gets no more work");
        assertEquals(1, moved.request().getAttempt(), "handing back is not an attempt (max-attempts is 1 here)");
        assertEquals(new Capacity(kind, 1), capacity.receiveMessage(), "controllers see only the slots that take work");
        answerOk(moved, 91.0);
        Completed done = completed();
        assertEquals(EvaluationStatus.EVALUATION_STATUS_OK, done.result().getStatus());
        assertEquals(1, done.attempts());

        // The retired slot stays idle even with work waiting and the other slot busy.
        submit(router, candidate(4, OTHER_CELL), candidate(5, DEAD_END_A));
        Asked next = asked.receiveMessage();
        assertEquals(moved.evaluator(), next.evaluator());
        asked.expectNoMessage(Duration.ofMillis(300));
    }
}
