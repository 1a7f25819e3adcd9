package io.archipelago.controller.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.archipelago.proto.JournalEvent;
import io.archipelago.proto.SearchStep;
import io.archipelago.proto.StepOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link StepWriter} encodes ops by hand, field by field, so a field added to a message it writes
 * (a new metric kind on {@code EvaluationResult}, say) would be silently dropped from every
 * journal. This test reads the messages' descriptors, not a list of fields: for every kind of op
 * the controller applies, it fills every field reachable from it with a value that is not the
 * default (maps and repeated fields with two entries), writes it through the step writer, reads it
 * back through the journal's serializer, and asks for the op it wrote. A field the writer does not
 * know fails here the day it is added.
 */
class StepWriterFieldCoverageTest {

    /** Ops of the record format itself, not ops a controller applies: the writer produces them. */
    private static final Set<String> FORMAT_OPS = Set.of("told_compact", "name");

    private final JournalSerializer serializer = new JournalSerializer();

    @Test
    void everyFieldOfEveryOpReadsBackAsItWasWritten() throws Exception {
        List<String> covered = new ArrayList<>();
        for (FieldDescriptor kind : StepOp.getDescriptor().getFields()) {
            if (FORMAT_OPS.contains(kind.getName())) {
                continue;
            }
            StepOp.Builder op = StepOp.newBuilder();
            op.setField(kind, filled(op.newBuilderForField(kind), 0));
            StepOp written = op.build();
            StepWriter writer = new StepWriter();
            writer.append(written);
            EncodedStep step = new EncodedStep(List.of(written), writer.drain());
            JournalEvent read =
                    (JournalEvent) serializer.fromBinary(serializer.toBinary(step), serializer.manifest(step));
            assertEquals(
                    JournalEvent.newBuilder()
                            .setStep(SearchStep.newBuilder().addOps(written))
                            .build(),
                    read,
                    "op '" + kind.getName() + "' with every field set");
            covered.add(kind.getName());
        }
        assertTrue(covered.containsAll(List.of("told", "asked", "fitted")), "ops covered: " + covered);
    }

    @Test
    void theFillerSetsEveryField() {
        StepOp.Builder op = StepOp.newBuilder();
        FieldDescriptor told = StepOp.getDescriptor().findFieldByName("told");
        Message result = filled(op.newBuilderForField(told), 0);
        List<String> unset = new ArrayList<>();
        collectUnset(result, "told", unset);
        assertTrue(unset.isEmpty(), "fields the filler left at their default: " + unset);
    }

    /** {@code builder}'s message with every field set to a value other than its default. */
    private static Message filled(Message.Builder builder, int depth) {
        for (FieldDescriptor field : builder.getDescriptorForType().getFields()) {
            if (field.isMapField()) {
                for (int i = 1; i <= 2; i++) {
                    Message.Builder entry = builder.newBuilderForField(field);
                    builder.addRepeatedField(field, filledEntry(entry, i));
                }
            } else if (field.isRepeated()) {
                for (int i = 1; i <= 2; i++) {
                    builder.addRepeatedField(field, value(builder, field, i, depth));
                }
            } else {
                builder.setField(field, value(builder, field, 1, depth));
            }
        }
        return builder.build();
    }

    private static Message filledEntry(Message.Builder entry, int i) {
        for (FieldDescriptor field : entry.getDescriptorForType().getFields()) {
            entry.setField(field, value(entry, field, i, 1));
        }
        return entry.build();
    }

    /** The i-th non-default value of a field's type (distinct per field, so swapped fields show too). */
    private static Object value(Message.Builder owner, FieldDescriptor field, int i, int depth) {
        int n = field.getNumber() * 10 + i;
        return switch (field.getJavaType()) {
            case INT -> n;
            case LONG -> 1_000_000_000_000L + n;
            case FLOAT -> n + 0.5f;
            case DOUBLE -> n + 0.25;
            case BOOLEAN -> true;
            case STRING -> field.getName() + "-" + i;
            case BYTE_STRING -> com.google.protobuf.ByteString.copyFromUtf8(field.getName() + i);
            case ENUM -> {
                List<EnumValueDescriptor> values = field.getEnumType().getValues();
                yield values.get(values.size() - 1);
            }
            case MESSAGE -> {
                if (depth > 4) {
                    throw new IllegalStateException("messages nest deeper than 4 at " + field.getFullName());
                }
                yield filled(owner.newBuilderForField(field), depth + 1);
            }
        };
    }

    private static void collectUnset(Message message, String path, List<String> unset) {
        for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
            String at = path + "." + field.getName();
            if (field.isRepeated()) {
                if (message.getRepeatedFieldCount(field) == 0) {
                    unset.add(at);
                }
            } else if (!message.hasField(field)) {
                unset.add(at);
            } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                collectUnset((Message) message.getField(field), at, unset);
            }
        }
    }
}
