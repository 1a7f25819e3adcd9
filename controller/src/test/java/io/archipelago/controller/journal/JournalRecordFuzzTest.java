package io.archipelago.controller.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.archipelago.core.fuzz.Fuzz;
import io.archipelago.proto.Architecture;
import io.archipelago.proto.CandidatesAsked;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.JournalEvent;
import io.archipelago.proto.ModelFitted;
import io.archipelago.proto.ResultSource;
import io.archipelago.proto.ResultTold;
import io.archipelago.proto.SearchSnapshot;
import io.archipelago.proto.SearchSpec;
import io.archipelago.proto.SearchStep;
import io.archipelago.proto.StepOp;
import java.io.NotSerializableException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target: the journal's records as a database hands them back, events and snapshots in
 * formats 1 (Protobuf's own bytes) and 2 (compact results), under any manifest. Bytes either read
 * as a record, or are refused with a {@link NotSerializableException} that says what is wrong
 * (recovery then fails by name, before anything is written); never another exception. A record
 * read back is what was written, when it was not damaged. {@value #TRIES} tries per target from a
 * fixed seed; {@code -Darchipelago.fuzz.seconds=N} runs each for N seconds from a random one.
 */
class JournalRecordFuzzTest {
    static final int TRIES = 2_000;
    private static final JournalSerializer SERIALIZER = new JournalSerializer();
    private static final List<String> MANIFESTS = List.of(
            "event-v1",
            "event-v2",
            "snapshot-v1",
            "snapshot-v2",
            "event-v3",
            "event-v",
            "event-vx",
            "snapshot-v-1",
            "",
            "x");

    /** A journal record as written: its manifest, bytes, and the record they read back as. */
    record Written(String manifest, byte[] bytes, Object record) {}

    /** A drawn input: a manifest and bytes (edited from a written record, or drawn whole). */
    record Input(String manifest, byte[] bytes) {
        @Override
        public String toString() {
            return "new Input(" + Fuzz.show(manifest) + ", " + Fuzz.show(bytes) + ")";
        }
    }

    private static StepOp op(SplittableRandom random, long candidate) {
        return switch (random.nextInt(4)) {
            case 0 ->
                StepOp.newBuilder()
                        .setAsked(CandidatesAsked.newBuilder().setCount(1 + random.nextInt(8)))
                        .build();
            case 1 ->
                StepOp.newBuilder()
                        .setFitted(ModelFitted.newBuilder()
                                .setVersion(random.nextInt(5))
                                .setOk(random.nextBoolean()))
                        .build();
            default ->
                StepOp.newBuilder()
                        .setTold(ResultTold.newBuilder()
                                .setSource(ResultSource.RESULT_SOURCE_EVALUATED)
                                .setAttempts(1)
                                .setResult(EvaluationResult.newBuilder()
                                        .setSearchId("fz-evolution-0")
                                        .setCandidateId(candidate)
                                        .setArchitecture(Architecture.newBuilder()
                                                .setSpace("nb201")
                                                .setEncoding("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"))
                                        .setStatus(
                                                random.nextInt(5) == 0
                                                        ? EvaluationStatus.EVALUATION_STATUS_FAILED
                                                        : EvaluationStatus.EVALUATION_STATUS_OK)
                                        .putMetrics("cifar10_valid_12", 80 + random.nextDouble() * 10)
                                        .putMetrics("params", 1e5 * random.nextInt(20))
                                        .setCostSeconds(random.nextDouble())
                                        .setEvaluator("tabular@archipelago/evaluator-" + random.nextInt(3))
                                        .setAttempt(1)
                                        .setEvaluatorKind("tabular")))
                        .build();
        };
    }

    /** A record as the journal writes it, in either format. */
    static Written written(SplittableRandom random) {
        List<StepOp> ops = new ArrayList<>();
        for (int i = random.nextInt(6); i > 0; i--) {
            ops.add(op(random, random.nextInt(1000)));
        }
        boolean formatOne = random.nextBoolean();
        return switch (random.nextInt(3)) {
            case 0 -> {
                JournalEvent event = JournalEvent.newBuilder()
                        .setStep(SearchStep.newBuilder().addAllOps(ops))
                        .build();
                yield formatOne
                        ? new Written("event-v1", event.toByteArray(), event)
                        : new Written(
                                "event-v2", SERIALIZER.toBinary(new EncodedStep(ops, StepWriter.step(ops))), event);
            }
            case 1 -> {
                JournalEvent created = JournalEvent.newBuilder()
                        .setCreated(SearchSpec.newBuilder()
                                .setSearchId("fz-evolution-" + random.nextInt(9))
                                .setBudget(random.nextInt(500)))
                        .build();
                yield new Written(formatOne ? "event-v1" : "event-v2", created.toByteArray(), created);
            }
            default -> {
                SearchSnapshot snapshot = SearchSnapshot.newBuilder()
                        .addAllOps(ops)
                        .setResumes(random.nextInt(3))
                        .build();
                yield new Written(formatOne ? "snapshot-v1" : "snapshot-v2", snapshot.toByteArray(), snapshot);
            }
        };
    }

    private static byte[] edited(SplittableRandom random, byte[] bytes) {
        byte[] out = bytes.clone();
        switch (random.nextInt(4)) {
            case 0 -> { // flip bytes
                for (int i = 1 + random.nextInt(3); i > 0 && out.length > 0; i--) {
                    out[random.nextInt(out.length)] ^= (byte) (1 + random.nextInt(255));
                }
            }
            case 1 -> out = java.util.Arrays.copyOf(out, random.nextInt(out.length + 1)); // truncated
            case 2 -> { // a stretch repeated
                if (out.length > 1) {
                    int from = random.nextInt(out.length);
                    int to = from + random.nextInt(out.length - from);
                    byte[] longer = new byte[out.length + (to - from)];
                    System.arraycopy(out, 0, longer, 0, to);
                    System.arraycopy(out, from, longer, to, out.length - from);
                    out = longer;
                }
            }
            default -> out = Fuzz.anyBytes(random, 64);
        }
        return out;
    }

    static void readOrRefused(Input input) {
        try {
            Object record = SERIALIZER.fromBinary(input.bytes(), input.manifest());
            assertNotNull(record);
            assertTrue(
                    record instanceof JournalEvent || record instanceof SearchSnapshot,
                    "read as " + record.getClass().getName());
        } catch (NotSerializableException refused) {
            assertNotNull(refused.getMessage());
            assertTrue(!refused.getMessage().isBlank());
        } catch (RuntimeException | Error other) {
            fail("neither read nor refused: " + other, other);
        }
    }

    @Test
    void undamagedRecordsReadBackAsWritten() throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 300; i++) {
            Written w = written(random);
            assertEquals(w.record(), SERIALIZER.fromBinary(w.bytes(), w.manifest()), w.manifest());
        }
    }

    @Test
    void damagedRecordsAreReadOrRefusedByName() {
        Fuzz.check(
                "journal-records",
                41,
                TRIES,
                random -> {
                    Written w = written(random);
                    String manifest = random.nextInt(8) == 0 ? Fuzz.pick(random, MANIFESTS) : w.manifest();
                    return new Input(manifest, edited(random, w.bytes()));
                },
                JournalRecordFuzzTest::readOrRefused);
    }
}
