package io.archipelago.controller.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.UnknownFieldSet;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written step encoding must be Protobuf's, byte for byte: the journal is read back by the generated parser. */
class StepWriterTest {

    private static final String[] STRINGS = {"", "a", "cifar10_valid_12", "params", "latency_µs", "日本語", "x".repeat(200),
            "|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|"};
    private static final double[] DOUBLES = {0.0, -0.0, 1.5, -2.25e-300, Double.NaN, Double.POSITIVE_INFINITY, 84.036, 615386.0};
    private static final long[] LONGS = {0, 1, 127, 128, 16_383, 16_384, Integer.MAX_VALUE, Long.MAX_VALUE, -1, Long.MIN_VALUE};
    private static final int[] INTS = {0, 1, 127, 128, 300, Integer.MAX_VALUE, -1, Integer.MIN_VALUE};

    private final JournalSerializer serializer = new JournalSerializer();

    @Test
    void randomStepsAreWrittenAsProtobufWritesThem() throws Exception {
        Random random = new Random(20_201);
        StepWriter writer = new StepWriter(); // one writer for all rounds, as a controller has: drain starts it over
        for (int round = 0; round < 300; round++) {
            List<StepOp> ops = new ArrayList<>();
            int count = round % 50 == 0 ? 3000 : random.nextInt(20); // long steps take multi-byte lengths
            for (int i = 0; i < count; i++) {
                ops.add(op(random));
                writer.append(ops.get(i));
            }
            JournalEvent event = JournalEvent.newBuilder().setStep(SearchStep.newBuilder().addAllOps(ops)).build();
            EncodedStep step = new EncodedStep(ops, writer.drain());
            assertArrayEquals(event.getStep().toByteArray(), step.body(), "round " + round);
            byte[] written = serializer.toBinary(step);
            assertArrayEquals(event.toByteArray(), written, "round " + round);
            assertEquals(event, serializer.fromBinary(written, serializer.manifest(step)));
        }
    }

    @Test
    void groupedStepsConcatenate() {
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
        assertArrayEquals(SearchStep.newBuilder().addAllOps(all).build().toByteArray(), grouped.body());
    }

    @Test
    void snapshotsAreWrittenAsProtobufWritesThem() throws Exception {
        Random random = new Random(7);
        List<StepOp> ops = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            ops.add(op(random));
        }
        SearchSpec spec = SearchSpec.newBuilder().setSearchId("s-1").addArgs("--seed").addArgs("3").setBudget(100).setSeed(-5).build();
        for (SearchSnapshot snapshot : List.of(
                SearchSnapshot.newBuilder().setSpec(spec).addAllOps(ops).setFinished(true).setStopReason("budget spent").setResumes(2).build(),
                SearchSnapshot.newBuilder().addAllOps(ops).build(),
                SearchSnapshot.getDefaultInstance())) {
            byte[] written = StepWriter.snapshot(snapshot);
            assertArrayEquals(snapshot.toByteArray(), written);
            assertEquals(snapshot, SearchSnapshot.parseFrom(written));
        }
    }

    @Test
    void unknownFieldsAreKept() throws Exception {

        // A result from a newer node carries a field this version does not know: it survives the journal.
        UnknownFieldSet extra = UnknownFieldSet.newBuilder()
                .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(42).addLengthDelimited(com.google.protobuf.ByteString.copyFromUtf8("new")).build())
                .build();
        EvaluationResult newer = EvaluationResult.newBuilder().setSearchId("s").setCandidateId(3).putMetrics("acc", 90).setUnknownFields(extra).build();
        StepOp op = StepOp.newBuilder().setTold(ResultTold.newBuilder().setResult(newer).setUnknownFields(extra)).setUnknownFields(extra).build();
        StepWriter writer = new StepWriter();
        writer.append(op);
        byte[] body = writer.drain();
        assertArrayEquals(SearchStep.newBuilder().addOps(op).build().toByteArray(), body);
        assertEquals(extra, SearchStep.parseFrom(body).getOps(0).getTold().getResult().getUnknownFields());
    }

    private static StepOp op(Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> StepOp.newBuilder().setAsked(CandidatesAsked.newBuilder().setCount(pick(random, INTS))).build();
            case 1 -> StepOp.newBuilder().setFitted(ModelFitted.newBuilder().setVersion(pick(random, INTS)).setOk(random.nextBoolean())).build();
            case 2 -> StepOp.getDefaultInstance(); // no op set: written empty, as Protobuf does
            case 3 -> StepOp.newBuilder().setTold(ResultTold.getDefaultInstance()).build();
            default -> StepOp.newBuilder().setTold(ResultTold.newBuilder().setResult(result(random))
                    .setSource(ResultSource.forNumber(random.nextInt(4))).setAttempts(pick(random, INTS))).build();
        };
    }

    private static EvaluationResult result(Random random) {
        EvaluationResult.Builder result = EvaluationResult.newBuilder()
                .setSearchId(pick(random, STRINGS)).setCandidateId(LONGS[random.nextInt(LONGS.length)])
                .setStatus(EvaluationStatus.forNumber(random.nextInt(4))).setFailureReason(random.nextInt(4) == 0 ? pick(random, STRINGS) : "")
                .setCostSeconds(DOUBLES[random.nextInt(DOUBLES.length)]).setEvaluator(pick(random, STRINGS))
                .setAttempt(pick(random, INTS)).setEvaluatorKind(pick(random, STRINGS));
        if (random.nextInt(5) != 0) {
            result.setArchitecture(random.nextInt(10) == 0 ? Architecture.getDefaultInstance()
                    : Architecture.newBuilder().setSpace(pick(random, STRINGS)).setEncoding(pick(random, STRINGS)).build());
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
