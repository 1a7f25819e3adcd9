package io.archipelago.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.proto.Architecture;
import io.archipelago.proto.Candidate;
import io.archipelago.proto.EvaluationRequest;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.IntermediateResult;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EvaluatorActorTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String BEST =
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|";

    private static ActorTestKit testKit;
    private static BenchmarkTable<Nb201Cell> table;
    private static final AtomicInteger names = new AtomicInteger();

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create();
        table = BenchmarkTable.embeddedNb201Cifar10();
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /**
     * An evaluator whose behaviour is chosen by the architecture's encoding: {@code ok},
     * {@code curve} (a learning curve of two points), {@code reason} (EvaluationException), {@code no-reason} (EvaluationException without a
     * message), {@code bug} (RuntimeException) and {@code crash} (a checked exception that the
     * interface does not declare, which the actor does not catch).
     */
    static final class ScriptedEvaluator implements Evaluator {
        final String kind;
        final List<String> threads = new CopyOnWriteArrayList<>();
        final List<Integer> fidelities = new CopyOnWriteArrayList<>();

        ScriptedEvaluator(String kind) {
            this.kind = kind;
        }

        @Override
        public String kind() {
            return kind;
        }

        @Override
        public Evaluation evaluate(Architecture architecture, int fidelity) throws EvaluationException {
            threads.add(Thread.currentThread().getName());
            fidelities.add(fidelity);
            switch (architecture.getEncoding()) {
                case "ok":
                    return new Evaluation(Map.of("score", 0.75, "params", 1.5e6), 0.125);
                case "curve":
                    return new Evaluation(
                            Map.of("valid_accuracy", 61.0),
                            2.0,
                            Map.of(),
                            List.of(
                                    new Evaluation.Intermediate(1, Map.of("valid_accuracy", 40.0), 0.9),
                                    new Evaluation.Intermediate(2, Map.of("valid_accuracy", 61.0), 1.9)));
                case "reason":
                    throw new EvaluationException("cell is outside the benchmark");
                case "no-reason":
                    throw new EvaluationException(null);
                case "bug":
                    throw new IllegalStateException("broken evaluator");
                case "crash":
                    throw EvaluatorActorTest.<RuntimeException>sneaky(new IOException("disk gone"));
                default:
                    throw new AssertionError("unexpected encoding " + architecture.getEncoding());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }

    private static String uniqueName(String prefix) {
        return prefix + "-" + names.incrementAndGet();
    }

    private static ActorRef<EvaluationRequest> spawn(Evaluator evaluator, String name) {
        return testKit.spawn(EvaluatorActor.create(evaluator), name, EvaluatorActor.dispatcher());
    }

    private static String serialized(ActorRef<?> ref) {
        return ActorRefResolver.get(testKit.system()).toSerializationFormat(ref);
    }

    private static EvaluationRequest request(
            Architecture architecture,
            long candidateId,
            int fidelity,
            int attempt,
            ActorRef<EvaluationResult> replyTo) {
        Candidate candidate = Candidate.newBuilder()
                .setSearchId("search-7")
                .setCandidateId(candidateId)
                .setArchitecture(architecture)
                .setEvaluatorKind("whatever")
                .setFidelity(fidelity)
                .build();
        return EvaluationRequest.newBuilder()
                .setCandidate(candidate)
                .setAttempt(attempt)
                .setReplyTo(serialized(replyTo))
                .build();
    }

    private static Architecture scripted(String behaviour) {
        return Architecture.newBuilder().setSpace("test").setEncoding(behaviour).build();
    }

    private static Architecture nb201(String encoding) {
        return Architecture.newBuilder()
                .setSpace(Nb201Space.ID)
                .setEncoding(encoding)
                .build();
    }

    private static String expectedName(String kind, String actorName) {
        // a local system's address has no host: hostPort is the system's name
        return kind + "@" + testKit.system().name() + "/" + actorName;
    }

    private static void assertEchoes(EvaluationRequest request, EvaluationResult result, String evaluatorName) {
        assertEquals(request.getCandidate().getSearchId(), result.getSearchId());
        assertEquals(request.getCandidate().getCandidateId(), result.getCandidateId());
        assertEquals(request.getCandidate().getArchitecture(), result.getArchitecture());
        assertEquals(request.getAttempt(), result.getAttempt());
        assertEquals(evaluatorName, result.getEvaluator());
    }

    // ---------------------------------------------------------------- with the tabular evaluator

    @Test
    void tabularEvaluationAnswersOkWithTheTablesMetrics() {
        String name = uniqueName("tabular");
        ActorRef<EvaluationRequest> actor = spawn(new TabularEvaluator<>(table, null, 1), name);
        TestProbe<EvaluationResult> probe = testKit.createTestProbe(EvaluationResult.class);

        EvaluationRequest best = request(nb201(BEST), 41, 0, 3, probe.getRef());
        actor.tell(best);
        EvaluationResult result = probe.receiveMessage(WAIT);
        assertEquals(EvaluationStatus.EVALUATION_STATUS_OK, result.getStatus());
        assertEchoes(best, result, expectedName("tabular", name));
        assertEquals(
                java.util.Set.of("cifar10_test_200", "params", "flops"),
                result.getMetricsMap().keySet());
        assertEquals(94.3733, result.getMetricsOrThrow("cifar10_test_200"), 1e-4);
        assertEquals("", result.getFailureReason());
        assertTrue(result.getCostSeconds() >= 0);

        EvaluationRequest low = request(nb201(BEST), 42, 12, 1, probe.getRef());
        actor.tell(low);
        EvaluationResult lowResult = probe.receiveMessage(WAIT);
        assertEquals(EvaluationStatus.EVALUATION_STATUS_OK, lowResult.getStatus());
        assertEchoes(low, lowResult, expectedName("tabular", name));
        assertEquals(4, lowResult.getMetricsCount()); // the two 12-epoch metrics, params and flops
        assertEquals(84.384, lowResult.getMetricsOrThrow("cifar10_valid_12"), 1e-4);
        assertEquals(88.79, lowResult.getMetricsOrThrow("cifar10_test_12"), 1e-4);
    }

    @Test
    void tabularSimulatedTimeIsReportedAsCost() {
        ActorRef<EvaluationRequest> actor =
                spawn(new TabularEvaluator<>(table, SimulatedTime.parse("fixed:20ms"), 1), uniqueName("tabular"));
        TestProbe<EvaluationResult> probe = testKit.createTestProbe(EvaluationResult.class);
        actor.tell(request(nb201(BEST), 1, 0, 1, probe.getRef()));
        EvaluationResult result = probe.receiveMessage(WAIT);
        assertEquals(EvaluationStatus.EVALUATION_STATUS_OK, result.getStatus());
        assertTrue(result.getCostSeconds() >= 0.02, () -> "cost " + result.getCostSeconds());
    }

    @Test
    void tabularErrorsBecomeFailedResultsWithTheReason() {
        String name = uniqueName("tabular");
        ActorRef<EvaluationRequest> actor = spawn(new TabularEvaluator<>(table, null, 1), name);
        TestProbe<EvaluationResult> probe = testKit.createTestProbe(EvaluationResult.class);

        EvaluationRequest badFidelity = request(nb201(BEST), 5, 50, 2, probe.getRef());
        actor.tell(badFidelity);
        EvaluationResult result = probe.receiveMessage(WAIT);
        assertEquals(EvaluationStatus.EVALUATION_STATUS_FAILED, result.getStatus());
        assertEchoes(badFidelity, result, expectedName("tabular", name));
        assertTrue(result.getFailureReason().contains("fidelity 50"), result::getFailureReason);
        assertEquals(0, result.getMetricsCount());

        EvaluationRequest malformed = request(nb201("|nor_conv_3x3~0|"), 6, 0, 1, probe.getRef());
        actor.tell(malformed);
        EvaluationResult malformedResult = probe.receiveMessage(WAIT);
        assertEquals(EvaluationStatus.EVALUATION_STATUS_FAILED, malformedResult.getStatus());
        assertTrue(malformedResult.getFailureReason().contains("malformed"), malformedResult::getFailureReason);

        // and the slot still works
        actor.tell(request(nb201(BEST), 7, 0, 1, probe.getRef()));
        EvaluationResult ok = probe.receiveMessage(WAIT);
        assertEquals(EvaluationStatus.EVALUATION_STATUS_OK, ok.getStatus());
        assertEquals(7, ok.getCandidateId());
    }

    // ---------------------------------------------------------------- with a scripted evaluator

    @Test
    void evaluatorOutputIsCopiedIntoTheResultAndFidelityIsPassedOn() {
        ScriptedEvaluator evaluator = new ScriptedEvaluator("scripted-ok");
        String name = uniqueName("slot");
        ActorRef<EvaluationRequest> actor = spawn(evaluator, name);
        TestProbe<EvaluationResult> probe = testKit.createTestProbe(EvaluationResult.class);

        EvaluationRequest ok = request(scripted("ok"), 9, 17, 4, probe.getRef());
        actor.tell(ok);
        EvaluationResult result = probe.receiveMessage(WAIT);
        assertEquals(EvaluationStatus.EVALUATION_STATUS_OK, result.getStatus());
        assertEchoes(ok, result, expectedName("scripted-ok", name));
        assertEquals(Map.of("score", 0.75, "params", 1.5e6), result.getMetricsMap());
        assertEquals(0.125, result.getCostSeconds(), 0.0);
        assertEquals(List.of(17), evaluator.fidelities);
    }

    @Test
    void theLearningCurveTravelsWithTheResultAddressedToTheCandidate() {
        ActorRef<EvaluationRequest> actor = spawn(new ScriptedEvaluator("scripted-curve"), uniqueName("slot"));
        TestProbe<EvaluationResult> probe = testKit.createTestProbe(EvaluationResult.class);
        actor.tell(request(scripted("curve"), 12, 2, 3, probe.getRef()));
        EvaluationResult result = probe.receiveMessage(WAIT);
        assertEquals(EvaluationStatus.EVALUATION_STATUS_OK, result.getStatus());
        assertEquals(2, result.getIntermediatesCount());
        IntermediateResult second = result.getIntermediates(1);
        assertEquals("search-7", second.getSearchId());
        assertEquals(12, second.getCandidateId());
        assertEquals(3, second.getAttempt());
        assertEquals(2, second.getStep());
        assertEquals(Map.of("valid_accuracy", 61.0), second.getMetricsMap());
        assertEquals(1.9, second.getElapsedSeconds(), 0.0);
        assertEquals(1, result.getIntermediates(0).getStep());
    }

    @Test
    void aDrainingSlotHandsRequestsBackAndTheGaugeCountsItsWork() {
        ScriptedEvaluator evaluator = new ScriptedEvaluator("scripted-drain");
        SlotGauge gauge = new SlotGauge();
        ActorRef<EvaluationRequest> actor =
                testKit.spawn(EvaluatorActor.create(evaluator, gauge), uniqueName("slot"), EvaluatorActor.dispatcher());
        TestProbe<EvaluationResult> probe = testKit.createTestProbe(EvaluationResult.class);
        actor.tell(request(scripted("ok"), 1, 0, 1, probe.getRef()));
        assertEquals(
                EvaluationStatus.EVALUATION_STATUS_OK,
                probe.receiveMessage(WAIT).getStatus());
        assertEquals(1, gauge.finished());
        assertEquals(0, gauge.busy());

        gauge.startDraining();
        EvaluationRequest late = request(scripted("ok"), 2, 0, 3, probe.getRef());
        actor.tell(late);
        EvaluationResult handedBack = probe.receiveMessage(WAIT);
        assertEquals(EvaluationStatus.EVALUATION_STATUS_HANDED_BACK, handedBack.getStatus());
        assertEquals(3, handedBack.getAttempt(), "the router matches the answer to its dispatch by attempt");
        assertEquals(2, handedBack.getCandidateId());
        assertEquals(1, evaluator.fidelities.size(), "a handed-back request is not evaluated");
        assertEquals(1, gauge.finished());
    }

    @Test
    void evaluationRunsOnTheEvaluatorDispatcher() {
        ScriptedEvaluator evaluator = new ScriptedEvaluator("scripted-dispatcher");
        ActorRef<EvaluationRequest> actor = spawn(evaluator, uniqueName("slot"));
        TestProbe<EvaluationResult> probe = testKit.createTestProbe(EvaluationResult.class);
        actor.tell(request(scripted("ok"), 1, 0, 1, probe.getRef()));
        probe.receiveMessage(WAIT);
        assertEquals(1, evaluator.threads.size());
        assertTrue(
                evaluator.threads.get(0).contains(EvaluatorActor.DISPATCHER),
                () -> "ran on " + evaluator.threads.get(0));
    }

    @Test
    void evaluationExceptionBecomesFailedResultWithTheReason() {
        ScriptedEvaluator evaluator = new ScriptedEvaluator("scripted-fail");
        String name = uniqueName("slot");
        ActorRef<EvaluationRequest> actor = spawn(evaluator, name);
        TestProbe<EvaluationResult> probe = testKit.createTestProbe(EvaluationResult.class);

        EvaluationRequest failing = request(scripted("reason"), 12, 0, 2, probe.getRef());
        actor.tell(failing);
        EvaluationResult result = probe.receiveMessage(WAIT);
        assertEquals(EvaluationStatus.EVALUATION_STATUS_FAILED, result.getStatus());
        assertEchoes(failing, result, expectedName("scripted-fail", name));
        assertEquals("cell is outside the benchmark", result.getFailureReason());
        assertEquals(0, result.getMetricsCount());
        assertTrue(
                result.getCostSeconds() >= 0 && result.getCostSeconds() < 10, () -> "cost " + result.getCostSeconds());

        actor.tell(request(scripted("no-reason"), 13, 0, 1, probe.getRef()));
        EvaluationResult noReason = probe.receiveMessage(WAIT);
        assertEquals(EvaluationStatus.EVALUATION_STATUS_FAILED, noReason.getStatus());
        assertEquals("unknown", noReason.getFailureReason());
    }

    @Test
    void runtimeExceptionOfTheEvaluatorFailsTheCandidateNotTheSlot() {
        ScriptedEvaluator evaluator = new ScriptedEvaluator("scripted-bug");
        String name = uniqueName("slot");
        ActorRef<EvaluationRequest> actor = spawn(evaluator, name);
        TestProbe<EvaluationResult> probe = testKit.createTestProbe(EvaluationResult.class);

        EvaluationRequest bug = request(scripted("bug"), 20, 0, 1, probe.getRef());
        LoggingTestKit.warn("threw on").expect(testKit.system(), () -> {
            actor.tell(bug);
            return null;
        });
        EvaluationResult result = probe.receiveMessage(WAIT);
        assertEquals(EvaluationStatus.EVALUATION_STATUS_FAILED, result.getStatus());
        assertEchoes(bug, result, expectedName("scripted-bug", name));
        assertEquals("IllegalStateException: broken evaluator", result.getFailureReason());

        EvaluationRequest ok = request(scripted("ok"), 21, 0, 2, probe.getRef());
        actor.tell(ok);
        EvaluationResult after = probe.receiveMessage(WAIT);
        assertEquals(EvaluationStatus.EVALUATION_STATUS_OK, after.getStatus());
        assertEchoes(ok, after, expectedName("scripted-bug", name));
    }

    @Test
    void aCheckedExceptionFailsTheCandidateAndTheSlotKeepsServing() {
        ScriptedEvaluator evaluator = new ScriptedEvaluator("scripted-crash");
        String name = uniqueName("slot");
        ActorRef<EvaluationRequest> actor = spawn(evaluator, name);
        TestProbe<EvaluationResult> probe = testKit.createTestProbe(EvaluationResult.class);

        // the evaluation runs apart from the actor: what it throws, however unexpected, fails that candidate at once
        actor.tell(request(scripted("crash"), 30, 0, 1, probe.getRef()));
        EvaluationResult crashed = probe.receiveMessage(WAIT);
        assertEquals(EvaluationStatus.EVALUATION_STATUS_FAILED, crashed.getStatus());
        assertTrue(crashed.getFailureReason().startsWith("IOException"), crashed.getFailureReason());

        EvaluationRequest ok = request(scripted("ok"), 31, 0, 2, probe.getRef());
        actor.tell(ok);
        EvaluationResult after = probe.receiveMessage(WAIT);
        assertEquals(EvaluationStatus.EVALUATION_STATUS_OK, after.getStatus());
        assertEchoes(ok, after, expectedName("scripted-crash", name));

        // still registered after the restart
        ServiceKey<EvaluationRequest> key = EvaluatorActor.serviceKey("scripted-crash");
        TestProbe<Receptionist.Listing> listings = testKit.createTestProbe(Receptionist.Listing.class);
        listings.awaitAssert(WAIT, () -> {
            testKit.system().receptionist().tell(Receptionist.find(key, listings.getRef()));
            Receptionist.Listing listing = listings.receiveMessage(WAIT);
            assertEquals(java.util.Set.of(actor), listing.getServiceInstances(key));
            return null;
        });
    }

    @Test
    void repliesGoToTheReplyToOfEachRequest() {
        ActorRef<EvaluationRequest> actor = spawn(new ScriptedEvaluator("scripted-replies"), uniqueName("slot"));
        TestProbe<EvaluationResult> a = testKit.createTestProbe(EvaluationResult.class);
        TestProbe<EvaluationResult> b = testKit.createTestProbe(EvaluationResult.class);

        actor.tell(request(scripted("ok"), 1, 0, 1, a.getRef()));
        actor.tell(request(scripted("ok"), 2, 0, 1, b.getRef()));
        actor.tell(request(scripted("reason"), 3, 0, 1, a.getRef()));
        actor.tell(request(scripted("ok"), 4, 0, 1, b.getRef()));

        assertEquals(1, a.receiveMessage(WAIT).getCandidateId());
        assertEquals(3, a.receiveMessage(WAIT).getCandidateId());
        assertEquals(2, b.receiveMessage(WAIT).getCandidateId());
        assertEquals(4, b.receiveMessage(WAIT).getCandidateId());
        a.expectNoMessage(Duration.ofMillis(100));
        b.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void requestsAreAnsweredInOrder() {
        ActorRef<EvaluationRequest> actor =
                spawn(new TabularEvaluator<>(table, SimulatedTime.parse("uniform:1ms,5ms"), 3), uniqueName("tabular"));
        TestProbe<EvaluationResult> probe = testKit.createTestProbe(EvaluationResult.class);
        for (int i = 0; i < 10; i++) {
            actor.tell(request(nb201(BEST), i, i % 2 == 0 ? 0 : 12, 1, probe.getRef()));
        }
        for (int i = 0; i < 10; i++) {
            EvaluationResult result = probe.receiveMessage(WAIT);
            assertEquals(i, result.getCandidateId());
            assertEquals(EvaluationStatus.EVALUATION_STATUS_OK, result.getStatus());
            assertEquals(i % 2 == 0 ? 3 : 4, result.getMetricsCount()); // the fidelity's metrics, params and flops
        }
    }

    // ---------------------------------------------------------------- receptionist

    @Test
    void serviceKeyIsNamedAfterTheKind() {
        ServiceKey<EvaluationRequest> key = EvaluatorActor.serviceKey("tabular");
        assertEquals("evaluator-tabular", key.id());
        assertEquals(key, EvaluatorActor.serviceKey("tabular"));
        assertTrue(!key.equals(EvaluatorActor.serviceKey("teg")));
    }

    @Test
    void slotsRegisterWithTheReceptionistUnderTheirKind() {
        ServiceKey<EvaluationRequest> key = EvaluatorActor.serviceKey("scripted-pool");
        TestProbe<Receptionist.Listing> subscriber = testKit.createTestProbe(Receptionist.Listing.class);
        testKit.system().receptionist().tell(Receptionist.subscribe(key, subscriber.getRef()));
        assertEquals(java.util.Set.of(), subscriber.receiveMessage(WAIT).getServiceInstances(key));

        ActorRef<EvaluationRequest> first = spawn(new ScriptedEvaluator("scripted-pool"), uniqueName("slot"));
        ActorRef<EvaluationRequest> second = spawn(new ScriptedEvaluator("scripted-pool"), uniqueName("slot"));
        ActorRef<EvaluationRequest> other = spawn(new ScriptedEvaluator("scripted-other"), uniqueName("slot"));

        subscriber.fishForMessage(
                WAIT,
                listing -> listing.getServiceInstances(key).equals(java.util.Set.of(first, second))
                        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());

        // a registered slot found through the receptionist answers requests
        TestProbe<Receptionist.Listing> finder = testKit.createTestProbe(Receptionist.Listing.class);
        testKit.system().receptionist().tell(Receptionist.find(key, finder.getRef()));
        java.util.Set<ActorRef<EvaluationRequest>> found =
                finder.receiveMessage(WAIT).getServiceInstances(key);
        assertTrue(!found.contains(other), "a slot of another kind is not listed under this key");
        TestProbe<EvaluationResult> replies = testKit.createTestProbe(EvaluationResult.class);
        for (ActorRef<EvaluationRequest> slot : found) {
            slot.tell(request(scripted("ok"), 1, 0, 1, replies.getRef()));
            assertEquals(
                    EvaluationStatus.EVALUATION_STATUS_OK,
                    replies.receiveMessage(WAIT).getStatus());
        }

        // a stopped slot leaves the listing
        testKit.stop(first, WAIT);
        subscriber.fishForMessage(
                WAIT,
                listing -> listing.getServiceInstances(key).equals(java.util.Set.of(second))
                        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
    }
}
