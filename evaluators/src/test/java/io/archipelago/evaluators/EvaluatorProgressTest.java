package io.archipelago.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.archipelago.proto.Architecture;
import io.archipelago.proto.Candidate;
import io.archipelago.proto.EvaluationRequest;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.IntermediateResult;
import io.archipelago.proto.StopEvaluation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A slot reports its evaluation's curve as it goes, and a stop ends the evaluation at its next step. */
class EvaluatorProgressTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final Duration WAIT = Duration.ofSeconds(10);

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /** Ten steps of 50 ms; its score is the step; a stop ends it with the last step's score. */
    private static final class Curve implements Evaluator {
        final CountDownLatch secondStep = new CountDownLatch(1);

        @Override
        public String kind() {
            return "curve";
        }

        @Override
        public Evaluation evaluate(Architecture architecture, int fidelity) {
            return new Evaluation(Map.of("score", 10.0), 0);
        }

        @Override
        public Evaluation evaluate(Architecture architecture, int fidelity, Progress progress) {
            for (int step = 1; step <= 10; step++) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                boolean goOn = progress.report(step, Map.of("score", (double) step));
                if (step == 2) {
                    secondStep.countDown();
                }
                if (!goOn) {
                    return new Evaluation(
                            Map.of("score", (double) step), 0, Map.of(Evaluation.STOPPED_AT_STEP, "" + step));
                }
            }
            return new Evaluation(Map.of("score", 10.0), 0);
        }
    }

    private static EvaluationRequest request(
            long id, ActorRef<EvaluationResult> replyTo, ActorRef<IntermediateResult> progressTo) {
        ActorRefResolver resolver = ActorRefResolver.get(testKit.system());
        EvaluationRequest.Builder request = EvaluationRequest.newBuilder()
                .setCandidate(Candidate.newBuilder()
                        .setSearchId("s")
                        .setCandidateId(id)
                        .setEvaluatorKind("curve")
                        .setArchitecture(
                                Architecture.newBuilder().setSpace("nb201").setEncoding("x")))
                .setAttempt(1)
                .setReplyTo(resolver.toSerializationFormat(replyTo));
        if (progressTo != null) {
            request.setProgressTo(resolver.toSerializationFormat(progressTo));
        }
        return request.build();
    }

    @Test
    void theCurveGoesToProgressToAsItIsMeasured() {
        ActorRef<EvaluationRequest> slot = testKit.spawn(EvaluatorActor.create(new Curve()));
        TestProbe<EvaluationResult> results = testKit.createTestProbe();
        TestProbe<IntermediateResult> progress = testKit.createTestProbe();
        slot.tell(request(1, results.getRef(), progress.getRef()));
        List<IntermediateResult> points = progress.receiveSeveralMessages(10, WAIT);
        assertEquals(1, points.get(0).getStep());
        assertEquals("curve", points.get(0).getEvaluatorKind());
        assertEquals(10.0, points.get(9).getMetricsOrThrow("score"));
        assertEquals(10.0, results.receiveMessage(WAIT).getMetricsOrThrow("score"));
    }

    @Test
    void aStopEndsTheEvaluationAtItsNextStep() throws Exception {
        Curve curve = new Curve();
        ActorRef<EvaluationRequest> slot = testKit.spawn(EvaluatorActor.create(curve));
        TestProbe<EvaluationResult> results = testKit.createTestProbe();
        TestProbe<IntermediateResult> progress = testKit.createTestProbe();
        slot.tell(request(2, results.getRef(), progress.getRef()));
        curve.secondStep.await(5, TimeUnit.SECONDS);
        EvaluatorActor.control(slot)
                .tell(StopEvaluation.newBuilder()
                        .setSearchId("s")
                        .setCandidateId(2)
                        .setAttempt(1)
                        .build());
        EvaluationResult result = results.receiveMessage(WAIT);
        assertEquals(EvaluationStatus.EVALUATION_STATUS_OK, result.getStatus());
        double stoppedAt = result.getMetricsOrThrow("score");
        assertEquals(String.valueOf((int) stoppedAt), result.getLabelsOrThrow(Evaluation.STOPPED_AT_STEP));
        org.junit.jupiter.api.Assertions.assertTrue(stoppedAt >= 2 && stoppedAt <= 4, "stopped at " + stoppedAt);
    }

    @Test
    void withoutProgressToNothingIsReportedAndNothingStops() {
        ActorRef<EvaluationRequest> slot = testKit.spawn(EvaluatorActor.create(new Curve()));
        TestProbe<EvaluationResult> results = testKit.createTestProbe();
        slot.tell(request(3, results.getRef(), null));
        assertEquals(10.0, results.receiveMessage(WAIT).getMetricsOrThrow("score"));
    }
}
