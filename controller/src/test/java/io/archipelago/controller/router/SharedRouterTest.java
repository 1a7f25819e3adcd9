package io.archipelago.controller.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.controller.router.Router.Capacity;
import io.archipelago.controller.router.Router.Completed;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.evaluators.EvaluatorActor;
import io.archipelago.proto.Architecture;
import io.archipelago.proto.Candidate;
import io.archipelago.proto.EvaluationRequest;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.StopEvaluation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One router serving several searches (a cluster's search host): slots go to the searches by
 * weight, never more than one evaluation per slot, and a search's cancel takes back only its own
 * waiting candidates. Fake evaluators hand every request (and stop) to the test, which answers.
 */
class SharedRouterTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final AtomicInteger kinds = new AtomicInteger();
    private static final String[] OPS = {"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"};

    private String kind;
    private TestProbe<Object> asked;

    @BeforeEach
    void freshKind() {
        kind = "shared-" + kinds.incrementAndGet();
        asked = testKit.createTestProbe();
    }

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    private void evaluators(int n) {
        ActorRef<Object> to = asked.getRef();
        String serviceKind = kind;
        for (int i = 0; i < n; i++) {
            testKit.spawn(Behaviors.<Object>setup(context -> {
                context.getSystem()
                        .receptionist()
                        .tell(Receptionist.register(
                                EvaluatorActor.serviceKey(serviceKind),
                                context.getSelf().narrow()));
                return Behaviors.receiveMessage(message -> {
                    to.tell(message);
                    return Behaviors.same();
                });
            }));
        }
    }

    private ActorRef<Router.Command> router(int slots) {
        ActorRef<Router.Command> router = testKit.spawn(Router.create(Router.Settings.DEFAULTS));
        TestProbe<Router.Event> capacity = testKit.createTestProbe();
        router.tell(new Router.WatchCapacity(kind, capacity.getRef()));
        capacity.fishForMessage(
                Duration.ofSeconds(5),
                event -> ((Capacity) event).slots() == slots
                        ? FishingOutcomes.complete()
                        : FishingOutcomes.continueAndIgnore());
        return router;
    }

    /** The NB201 cell of an index: its six edges' ops in base 5. */
    private static String cell(int index) {
        String[] op = new String[6];
        for (int edge = 0; edge < 6; edge++) {
            op[edge] = OPS[index % 5];
            index /= 5;
        }
        return "|" + op[0] + "~0|+|" + op[1] + "~0|" + op[2] + "~1|+|" + op[3] + "~0|" + op[4] + "~1|" + op[5] + "~2|";
    }

    /** {@code count} candidates that compute different functions (equivalent cells would follow one evaluation). */
    private List<Candidate> candidates(String searchId, int count) {
        List<Candidate> candidates = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (int index = 0; candidates.size() < count; index++) {
            Candidate candidate = Candidate.newBuilder()
                    .setSearchId(searchId)
                    .setCandidateId(candidates.size())
                    .setArchitecture(
                            Architecture.newBuilder().setSpace(Nb201Space.ID).setEncoding(cell(index)))
                    .setEvaluatorKind(kind)
                    .setFidelity(12)
                    .build();
            if (keys.add(ResultCache.key(candidate))) {
                candidates.add(candidate);
            }
        }
        return candidates;
    }

    private static void answerOk(EvaluationRequest request) {
        Candidate candidate = request.getCandidate();
        ActorRef<EvaluationResult> replyTo =
                ActorRefResolver.get(testKit.system()).resolveActorRef(request.getReplyTo());
        replyTo.tell(EvaluationResult.newBuilder()
                .setSearchId(candidate.getSearchId())
                .setCandidateId(candidate.getCandidateId())
                .setArchitecture(candidate.getArchitecture())
                .setEvaluatorKind(candidate.getEvaluatorKind())
                .setAttempt(request.getAttempt())
                .setStatus(EvaluationStatus.EVALUATION_STATUS_OK)
                .putMetrics("acc", 90.0)
                .build());
    }

    private EvaluationRequest nextRequest() {
        return (EvaluationRequest) asked.receiveMessage(Duration.ofSeconds(5));
    }

    @Test
    void whileBothWaitSearchesOfWeightsThreeAndOneHoldThreeAndOneOfFourSlots() {
        evaluators(4);
        ActorRef<Router.Command> router = router(4);
        router.tell(new Router.Join("heavy", 3, Router.Settings.DEFAULTS));
        router.tell(new Router.Join("light", 1, Router.Settings.DEFAULTS));
        TestProbe<Router.Event> heavyEvents = testKit.createTestProbe();
        TestProbe<Router.Event> lightEvents = testKit.createTestProbe();
        // The light search comes first and, alone, takes every slot: a share is no reservation.
        router.tell(new Router.Submit(candidates("light", 40), lightEvents.getRef()));
        List<EvaluationRequest> running = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            running.add(nextRequest());
        }
        assertTrue(running.stream().allMatch(r -> r.getCandidate().getSearchId().equals("light")));
        router.tell(new Router.Submit(candidates("heavy", 40), heavyEvents.getRef()));
        asked.expectNoMessage(Duration.ofMillis(200)); // four slots, four evaluations: nothing overbooked
        // As the light search's evaluations end, their slots go to the heavy one until it holds 3.
        for (int i = 0; i < 3; i++) {
            answerOk(running.remove(0));
            EvaluationRequest next = nextRequest();
            assertEquals("heavy", next.getCandidate().getSearchId());
            running.add(next);
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int step = 0; step < 30; step++) {
            Map<String, Integer> held = new HashMap<>();
            running.forEach(r -> held.merge(r.getCandidate().getSearchId(), 1, Integer::sum));
            assertEquals(Map.of("heavy", 3, "light", 1), held, "at step " + step);
            EvaluationRequest done = running.remove(random.nextInt(running.size()));
            answerOk(done);
            running.add(nextRequest()); // exactly one slot was freed: exactly one request follows
        }
        asked.expectNoMessage(Duration.ofMillis(100));

        TestProbe<Router.Load> load = testKit.createTestProbe();
        router.tell(new Router.ReportLoad(load.getRef()));
        Router.Load now = load.receiveMessage();
        assertEquals(3, now.searches().get("heavy").running());
        assertEquals(1, now.searches().get("light").running());
        assertEquals(3, now.searches().get("heavy").weight());
        assertEquals(
                80 - 33 - 4, // all submitted, less those answered and those running
                now.searches().get("heavy").waiting()
                        + now.searches().get("light").waiting());
    }

    @Test
    void aSearchAloneUsesEverySlotWhateverItsWeight() {
        evaluators(4);
        ActorRef<Router.Command> router = router(4);
        router.tell(new Router.Join("light", 1, Router.Settings.DEFAULTS));
        router.tell(new Router.Join("heavy", 3, Router.Settings.DEFAULTS));
        router.tell(new Router.Submit(
                candidates("light", 6), testKit.<Router.Event>createTestProbe().getRef()));
        for (int i = 0; i < 4; i++) {
            assertEquals("light", nextRequest().getCandidate().getSearchId());
        }
    }

    @Test
    void withdrawTakesBackOnlyThatSearchsWaitingCandidatesAndStopsItsRunningOnes() {
        evaluators(2);
        ActorRef<Router.Command> router = router(2);
        TestProbe<Router.Event> cancelled = testKit.createTestProbe();
        TestProbe<Router.Event> other = testKit.createTestProbe();
        router.tell(new Router.Submit(candidates("cancelled", 5), cancelled.getRef()));
        EvaluationRequest first = nextRequest();
        EvaluationRequest second = nextRequest();
        router.tell(new Router.Submit(candidates("other", 2), other.getRef()));

        router.tell(new Router.Withdraw("cancelled", "user asked", cancelled.getRef()));
        Router.Withdrawn withdrawn = (Router.Withdrawn) cancelled.receiveMessage();
        assertEquals(3, withdrawn.candidateIds().size(), "three waited; two run");
        List<StopEvaluation> stops =
                List.of((StopEvaluation) asked.receiveMessage(Duration.ofSeconds(5)), (StopEvaluation)
                        asked.receiveMessage(Duration.ofSeconds(5)));
        assertTrue(stops.stream().allMatch(s -> s.getReason().contains("user asked")), stops.toString());

        answerOk(first); // the running ones complete as usual ...
        assertEquals(
                EvaluationStatus.EVALUATION_STATUS_OK,
                ((Completed) cancelled.receiveMessage()).result().getStatus());
        // ... and the freed slot goes to the other search, not to a withdrawn candidate
        assertEquals("other", nextRequest().getCandidate().getSearchId());
        answerOk(second);
        cancelled.receiveMessage();
        assertEquals("other", nextRequest().getCandidate().getSearchId());
        cancelled.expectNoMessage(Duration.ofMillis(200));
    }

    @Test
    void aSearchThatLeftLeavesNothingBehindAndItsLateAnswerOnlyFreesTheSlot() {
        evaluators(1);
        ActorRef<Router.Command> router = router(1);
        TestProbe<Router.Event> gone = testKit.createTestProbe();
        router.tell(new Router.Submit(candidates("gone", 3), gone.getRef()));
        EvaluationRequest running = nextRequest();
        router.tell(new Router.Leave("gone"));
        TestProbe<Router.Event> next = testKit.createTestProbe();
        router.tell(new Router.Submit(candidates("next", 1), next.getRef()));
        asked.expectNoMessage(Duration.ofMillis(200)); // the slot still runs the one that left

        answerOk(running);
        assertEquals("next", nextRequest().getCandidate().getSearchId());
        gone.expectNoMessage(Duration.ofMillis(200));
        TestProbe<Router.Load> load = testKit.createTestProbe();
        router.tell(new Router.ReportLoad(load.getRef()));
        assertEquals(
                List.of("next"), List.copyOf(load.receiveMessage().searches().keySet()));
    }
}
