package io.archipelago.evaluators.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.fuzz.Fuzz;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.evaluators.EvaluatorActor;
import io.archipelago.evaluators.TabularEvaluator;
import io.archipelago.proto.Architecture;
import io.archipelago.proto.Candidate;
import io.archipelago.proto.EvaluationRequest;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.StopEvaluation;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target: what a rogue or broken peer can send an evaluator slot over the wire. Protobuf
 * decodes any bytes of the right shape, so a node meets requests of any content: unknown spaces,
 * garbage encodings, negative or huge ids, fidelities and attempts, reply addresses that are no
 * actor, empty fields, and stops for what does not run. Each drawn request that names a reply
 * address gets one result (ok, or failed with a reason); the slot never dies: after every batch a
 * well-formed request is still answered. {@value #TRIES} requests from a fixed seed; {@code
 * -Darchipelago.fuzz.seconds=N} runs N seconds from a random one.
 */
class EvaluatorSlotFuzzTest {
    static final int TRIES = 400;
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String CELL =
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|";
    private static final List<String> SPACES = List.of("nb201", "nb201-mixed", "nbgraph", "darts", "", "NB201", "x");
    private static final List<String> ENCODINGS =
            List.of(CELL, "", "|bogus|", "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "\u0000", "gcn~0");

    private static ActorTestKit testKit;
    private static ActorRef<EvaluationRequest> slot;
    private static TestProbe<EvaluationResult> probe;
    private static String probeAddress;
    private static final AtomicLong ids = new AtomicLong();

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create();
        BenchmarkTable<Nb201Cell> table = BenchmarkTable.embeddedNb201Cifar10();
        slot = testKit.spawn(
                EvaluatorActor.create(new TabularEvaluator<>(table, null, 1)), "slot", EvaluatorActor.dispatcher());
        probe = testKit.createTestProbe(EvaluationResult.class);
        probeAddress = ActorRefResolver.get(testKit.system()).toSerializationFormat(probe.getRef());
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /** A request as a peer may send it; {@code answered}: whether its reply address is the probe's. */
    record Drawn(EvaluationRequest request, boolean answered, StopEvaluation stop) {
        @Override
        public String toString() {
            return request.toString().replace('\n', ' ') + (stop == null ? "" : " then " + stop);
        }
    }

    private static Drawn draw(SplittableRandom random) {
        Candidate.Builder candidate = Candidate.newBuilder()
                .setSearchId(random.nextInt(4) == 0 ? Fuzz.anyString(random, 12) : "search-" + random.nextInt(3))
                .setCandidateId(random.nextInt(4) == 0 ? random.nextLong() : ids.incrementAndGet())
                .setEvaluatorKind(random.nextBoolean() ? "tabular" : Fuzz.anyString(random, 8))
                .setFidelity(random.nextInt(3) == 0 ? Fuzz.anyInt(random) : Fuzz.pick(random, List.of(0, 12, 200)));
        if (random.nextInt(6) != 0) {
            candidate.setArchitecture(Architecture.newBuilder()
                    .setSpace(Fuzz.pick(random, SPACES))
                    .setEncoding(random.nextInt(3) == 0 ? Fuzz.anyString(random, 40) : Fuzz.pick(random, ENCODINGS)));
        }
        int kind = random.nextInt(5);
        String replyTo = switch (kind) {
            case 0 -> "";
            case 1 -> Fuzz.anyString(random, 30);
            case 2 -> "pekko://nowhere@10.255.255.1:1/user/gone#1";
            default -> probeAddress;
        };
        EvaluationRequest request = EvaluationRequest.newBuilder()
                .setCandidate(candidate)
                .setAttempt(random.nextInt(4) == 0 ? Fuzz.anyInt(random) : 1)
                .setReplyTo(replyTo)
                .setProgressTo(random.nextInt(6) == 0 ? Fuzz.anyString(random, 20) : "")
                .build();
        StopEvaluation stop = random.nextInt(5) == 0
                ? StopEvaluation.newBuilder()
                        .setSearchId(candidate.getSearchId())
                        .setCandidateId(candidate.getCandidateId())
                        .setAttempt(random.nextInt(3))
                        .build()
                : null;
        return new Drawn(request, replyTo.equals(probeAddress), stop);
    }

    private static void sentAndSurvived(Drawn drawn) {
        slot.tell(drawn.request());
        if (drawn.stop() != null) {
            slot.unsafeUpcast().tell(drawn.stop());
        }
        if (drawn.answered()) {
            EvaluationResult result = probe.receiveMessage(WAIT);
            assertEquals(drawn.request().getCandidate().getCandidateId(), result.getCandidateId());
            assertTrue(
                    result.getStatus() == EvaluationStatus.EVALUATION_STATUS_OK
                            || !result.getFailureReason().isBlank(),
                    "a failure without a reason: " + result);
        }
        // the slot still answers a well-formed request
        long id = ids.incrementAndGet();
        slot.tell(EvaluationRequest.newBuilder()
                .setCandidate(Candidate.newBuilder()
                        .setSearchId("search-ok")
                        .setCandidateId(id)
                        .setEvaluatorKind("tabular")
                        .setArchitecture(
                                Architecture.newBuilder().setSpace("nb201").setEncoding(CELL)))
                .setAttempt(1)
                .setReplyTo(probeAddress)
                .build());
        EvaluationResult ok = probe.receiveMessage(WAIT);
        assertEquals(id, ok.getCandidateId());
        assertEquals(EvaluationStatus.EVALUATION_STATUS_OK, ok.getStatus(), ok.toString());
    }

    @Test
    void anyRequestIsAnsweredOrDroppedAndTheSlotLives() {
        Fuzz.check("evaluator-slot", 17, TRIES, EvaluatorSlotFuzzTest::draw, EvaluatorSlotFuzzTest::sentAndSurvived);
    }
}
