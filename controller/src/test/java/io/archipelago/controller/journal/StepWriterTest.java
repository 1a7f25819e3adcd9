package io.archipelago.controller.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.UnknownFieldSet;
import io.archipelago.proto.Architecture;
import io.archipelago.proto.CandidatesAsked;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.JournalEvent;
import io.archipelago.proto.ModelFitted;
import io.archipelago.proto.ResultSource;
import io.archipelago.proto.ResultTold;
import io.archipelago.proto.ResultToldCompact;
import io.archipelago.proto.SearchSnapshot;
import io.archipelago.proto.SearchSpec;
import io.archipelago.proto.SearchStep;
import io.archipelago.proto.StepOp;
import java.io.NotSerializableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-written step encoding must read back, through the journal's serializer, as exactly the
 * ops that were written: format 2's compact results as the results they stand for, everything else
 * byte for byte as Protobuf writes it.
 */
class StepWriterTest {

    private static final String[] STRINGS = {
        "",
        "a",
        "cifar10_valid_12",
        "params",
        "latency_µs",
        "日本語",
        "x".repeat(200),
        "|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|"
    };
    private static final double[] DOUBLES = {
        0.0, -0.0, 1.5, -2.25e-300, Double.NaN, Double.POSITIVE_INFINITY, 84.036, 615386.0
    };
    private static final long[] LONGS = {
        0, 1, 127, 128, 16_383, 16_384, Integer.MAX_VALUE, Long.MAX_VALUE, -1, Long.MIN_VALUE
    };
    private static final int[] INTS = {0, 1, 127, 128, 300, Integer.MAX_VALUE, -1, Integer.MIN_VALUE};

    private final JournalSerializer serializer = new JournalSerializer();

    @Test
    void randomStepsReadBackAsTheyWereWritten() throws Exception {
        Random random = new Random(20_201);
        StepWriter writer = new StepWriter(); // one writer for all rounds, as a controller has: drain starts it over
        for (int round = 0; round < 300; round++) {
            List<StepOp> ops = new ArrayList<>();
            int count = round % 50 == 0 ? 3000 : random.nextInt(20); // long steps take multi-byte lengths
            for (int i = 0; i < count; i++) {
                ops.add(op(random));
                writer.append(ops.get(i));
            }
            JournalEvent event = JournalEvent.newBuilder()
                    .setStep(SearchStep.newBuilder().addAllOps(ops))
                    .build();
            EncodedStep step = new EncodedStep(ops, writer.drain());
            List<StepOp> written = SearchStep.parseFrom(step.body()).getOpsList();
            assertEquals(
                    ops.size(),
                    written.stream().filter(op -> !op.hasName()).count(),
                    "round " + round + ": one op for each, names aside");
            assertEquals(event, read(step), "round " + round);
        }
    }

    @Test
    void stepsWithoutResultsAreWrittenAsProtobufWritesThem() throws Exception {
        Random random = new Random(11);
        StepWriter writer = new StepWriter();
        for (int round = 0; round < 100; round++) {
            List<StepOp> ops = new ArrayList<>();
            for (int i = random.nextInt(30); i > 0; i--) {
                StepOp op = op(random);
                if (!op.hasTold()) {
                    ops.add(op);
                    writer.append(op);
                }
            }
            EncodedStep step = new EncodedStep(ops, writer.drain());
            JournalEvent event = JournalEvent.newBuilder()
                    .setStep(SearchStep.newBuilder().addAllOps(ops))
                    .build();
            assertArrayEquals(event.toByteArray(), serializer.toBinary(step), "round " + round);
        }
    }

    @Test
    void groupedStepsConcatenate() throws Exception {
        Random random = new Random(3);
        StepWriter writer = new StepWriter();
        List<EncodedStep> steps = new ArrayList<>();
        List<StepOp> all = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            List<StepOp> ops = new ArrayList<>();
            for (int j = 0; j <= i * 10; j++) {
                StepOp op = op(random);
                ops.add(op);
                writer.append(op);
            }
            all.addAll(ops);
            steps.add(new EncodedStep(ops, writer.drain()));
        }
        EncodedStep grouped = EncodedStep.concat(steps);
        assertEquals(all, grouped.ops());
        // Each batch defined its own names, under ids the others use for other names: the latest definition holds.
        assertEquals(
                JournalEvent.newBuilder()
                        .setStep(SearchStep.newBuilder().addAllOps(all))
                        .build(),
                read(grouped));
    }

    @Test
    void snapshotsReadBackAsTheyWereWritten() throws Exception {
        Random random = new Random(7);
        List<StepOp> ops = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            ops.add(op(random));
        }
        // The journal keeps its steps' ops: one replayed (encoded again), one drained live; each defines its own
        // names.
        StepWriter live = new StepWriter();
        ops.subList(200, 500).forEach(live::append);
        byte[] first = StepWriter.snapshotOps(StepWriter.step(ops.subList(0, 200)));
        byte[] second = StepWriter.snapshotOps(live.drain());
        byte[] steps = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, steps, first.length, second.length);
        SearchSpec spec = SearchSpec.newBuilder()
                .setSearchId("s-1")
                .addArgs("--seed")
                .addArgs("3")
                .setBudget(100)
                .setSeed(-5)
                .build();
        Map<EncodedSnapshot, SearchSnapshot> cases = Map.of(
                new EncodedSnapshot(spec, steps, true, "budget spent", 2),
                SearchSnapshot.newBuilder()
                        .setSpec(spec)
                        .addAllOps(ops)
                        .setFinished(true)
                        .setStopReason("budget spent")
                        .setResumes(2)
                        .build(),
                new EncodedSnapshot(null, steps, false, null, 0),
                SearchSnapshot.newBuilder().addAllOps(ops).build(),
                new EncodedSnapshot(null, new byte[0], false, null, 0),
                SearchSnapshot.getDefaultInstance());
        for (Map.Entry<EncodedSnapshot, SearchSnapshot> c : cases.entrySet()) {
            byte[] written = serializer.toBinary(c.getKey());
            assertEquals(c.getValue(), serializer.fromBinary(written, serializer.manifest(c.getKey())));
        }
    }

    @Test
    void unknownFieldsAreKept() throws Exception {
        // A result from a newer node carries a field this version does not know: it is written whole, and survives the
        // journal.
        UnknownFieldSet extra = UnknownFieldSet.newBuilder()
                .addField(
                        99,
                        UnknownFieldSet.Field.newBuilder()
                                .addVarint(42)
                                .addLengthDelimited(com.google.protobuf.ByteString.copyFromUtf8("new"))
                                .build())
                .build();
        EvaluationResult newer = EvaluationResult.newBuilder()
                .setSearchId("s")
                .setCandidateId(3)
                .putMetrics("acc", 90)
                .setUnknownFields(extra)
                .build();
        StepOp op = StepOp.newBuilder()
                .setTold(ResultTold.newBuilder().setResult(newer).setUnknownFields(extra))
                .setUnknownFields(extra)
                .build();
        StepWriter writer = new StepWriter();
        writer.append(op);
        EncodedStep step = new EncodedStep(List.of(op), writer.drain());
        assertArrayEquals(SearchStep.newBuilder().addOps(op).build().toByteArray(), step.body());
        assertEquals(extra, read(step).getStep().getOps(0).getTold().getResult().getUnknownFields());
    }

    @Test
    void resultsTakeUnderTwoThirdsOfTheirFormatOneBytes() {
        // What a tabular NAS-Bench-201 evaluation returns, a hundred times over with other candidates and values.
        Random random = new Random(5);
        StepWriter writer = new StepWriter();
        SearchStep.Builder formatOne = SearchStep.newBuilder();
        for (int i = 0; i < 100; i++) {
            StepOp op = StepOp.newBuilder()
                    .setTold(ResultTold.newBuilder()
                            .setSource(ResultSource.RESULT_SOURCE_EVALUATED)
                            .setAttempts(1)
                            .setResult(EvaluationResult.newBuilder()
                                    .setSearchId("sz-evolution-0")
                                    .setCandidateId(1000 + i)
                                    .setArchitecture(Architecture.newBuilder()
                                            .setSpace("nb201")
                                            .setEncoding(STRINGS[7]))
                                    .setStatus(EvaluationStatus.EVALUATION_STATUS_OK)
                                    .putMetrics("cifar10_test_12", 80 + random.nextDouble() * 10)
                                    .putMetrics("cifar10_valid_12", 80 + random.nextDouble() * 10)
                                    .putMetrics("flops", 8.6e7 * random.nextDouble())
                                    .putMetrics("params", 615386.0)
                                    .setCostSeconds(7.7e-5)
                                    .setEvaluator("tabular@archipelago/evaluator-0")
                                    .setAttempt(1)
                                    .setEvaluatorKind("tabular")))
                    .build();
            writer.append(op);
            formatOne.addOps(op);
        }
        int compact = writer.drain().length;
        int protobuf = formatOne.build().getSerializedSize();
        assertTrue(compact < protobuf * 2 / 3, compact + " bytes against " + protobuf);
    }

    @Test
    void formatOneRecordsAreStillRead() throws Exception {
        Random random = new Random(13);
        List<StepOp> ops = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ops.add(op(random));
        }
        JournalEvent event = JournalEvent.newBuilder()
                .setStep(SearchStep.newBuilder().addAllOps(ops))
                .build();
        assertEquals(
                event,
                serializer.fromBinary(event.toByteArray(), "event-v1")); // what format 1 wrote: Protobuf's own bytes
        SearchSnapshot snapshot =
                SearchSnapshot.newBuilder().addAllOps(ops).setResumes(1).build();
        assertEquals(snapshot, serializer.fromBinary(snapshot.toByteArray(), "snapshot-v1"));
    }

    @Test
    void aResultWithAnUndefinedNameIsACorruptedRecord() {
        StepOp undefined = StepOp.newBuilder()
                .setToldCompact(ResultToldCompact.newBuilder().setCandidateId(4).setEvaluator(7))
                .build();
        StepOp unpaired = StepOp.newBuilder()
                .setToldCompact(ResultToldCompact.newBuilder().setCandidateId(5).addMetricValues(1.0))
                .build();
        for (StepOp op : List.of(undefined, unpaired)) {
            byte[] bytes = JournalEvent.newBuilder()
                    .setStep(SearchStep.newBuilder().addOps(op))
                    .build()
                    .toByteArray();
            NotSerializableException e =
                    assertThrows(NotSerializableException.class, () -> serializer.fromBinary(bytes, "event-v2"));
            assertTrue(e.getMessage().startsWith("corrupted journal event"), e.getMessage());
        }
    }

    private JournalEvent read(EncodedStep step) throws Exception {
        return (JournalEvent) serializer.fromBinary(serializer.toBinary(step), serializer.manifest(step));
    }

    private static StepOp op(Random random) {
        return switch (random.nextInt(8)) {
            case 0 ->
                StepOp.newBuilder()
                        .setAsked(CandidatesAsked.newBuilder().setCount(pick(random, INTS)))
                        .build();
            case 1 ->
                StepOp.newBuilder()
                        .setFitted(ModelFitted.newBuilder()
                                .setVersion(pick(random, INTS))
                                .setOk(random.nextBoolean()))
                        .build();
            case 2 -> StepOp.getDefaultInstance(); // no op set: written empty, as Protobuf does
            case 3 ->
                StepOp.newBuilder().setTold(ResultTold.getDefaultInstance()).build();
            default ->
                StepOp.newBuilder()
                        .setTold(ResultTold.newBuilder()
                                .setResult(result(random))
                                .setSource(ResultSource.forNumber(random.nextInt(4)))
                                .setAttempts(pick(random, INTS)))
                        .build();
        };
    }

    private static EvaluationResult result(Random random) {
        EvaluationResult.Builder result = EvaluationResult.newBuilder()
                .setSearchId(pick(random, STRINGS))
                .setCandidateId(LONGS[random.nextInt(LONGS.length)])
                .setStatus(EvaluationStatus.forNumber(random.nextInt(4)))
                .setFailureReason(random.nextInt(4) == 0 ? pick(random, STRINGS) : "")
                .setCostSeconds(DOUBLES[random.nextInt(DOUBLES.length)])
                .setEvaluator(pick(random, STRINGS))
                .setAttempt(pick(random, INTS))
                .setEvaluatorKind(pick(random, STRINGS));
        if (random.nextInt(5) != 0) {
            result.setArchitecture(
                    random.nextInt(10) == 0
                            ? Architecture.getDefaultInstance()
                            : Architecture.newBuilder()
                                    .setSpace(pick(random, STRINGS))
                                    .setEncoding(pick(random, STRINGS))
                                    .build());
        }
        int metrics = random.nextInt(10) == 0 ? 40 : random.nextInt(6);
        for (int i = 0; i < metrics; i++) {
            result.putMetrics(pick(random, STRINGS) + (i % 3 == 0 ? "" : i), DOUBLES[random.nextInt(DOUBLES.length)]);
        }
        for (int i = random.nextInt(3); i > 0; i--) {
            result.putLabels(pick(random, STRINGS), pick(random, STRINGS));
        }
        return result.build();
    }

    private static String pick(Random random, String[] values) {
        return values[random.nextInt(values.length)];
    }

    private static int pick(Random random, int[] values) {
        return values[random.nextInt(values.length)];
    }
}
