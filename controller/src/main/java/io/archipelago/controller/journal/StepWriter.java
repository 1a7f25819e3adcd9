package io.archipelago.controller.journal;

import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.archipelago.proto.Architecture;
import io.archipelago.proto.CandidatesAsked;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.JournalEvent;
import io.archipelago.proto.ModelFitted;
import io.archipelago.proto.ResultTold;
import io.archipelago.proto.SearchSnapshot;
import io.archipelago.proto.SearchStep;
import io.archipelago.proto.StepOp;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes the journal's bulk, its step ops, as exactly the bytes Protobuf's generated
 * {@code toByteArray} writes (the format stays {@code journal.proto}, read back by the generated
 * parser), without Protobuf's per-entry work, and where the ops are still in the cache: the
 * {@link io.archipelago.controller.Controller} appends each op as it applies it, and the journal
 * writes the bytes it drains ({@link EncodedStep}). Encoding the same results 50 ms later, on the
 * journal's thread and out of cache, cost four to eight times as much (benchmarks/RESULTS.md);
 * through the generated code (every result walked twice, for sizes then bytes, a map-entry message
 * built for each metric both times, every string encoded twice) it was most of the journal's cost
 * at tens of thousands of results a second.
 *
 * <p>Each nested message is written in place after room for its length, which is filled in (and
 * the content moved up to four bytes back) once its end is known. Strings that repeat from result
 * to result (metric names, the search id, evaluator names) are encoded once.
 *
 * <p>Not thread-safe: one writer per controller, or per record ({@link #snapshot}).
 */
public final class StepWriter {
    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;
    /** Room kept for a nested message's length: a varint of up to 2^35 - 1, more than an array holds. */
    private static final int LENGTH_ROOM = 5;
    /** Distinct repeating strings kept encoded; beyond, the cache starts over (a pathological search only costs speed). */
    private static final int CACHE_LIMIT = 4096;

    private byte[] bytes;
    private int position;
    private final Map<String, byte[]> encoded = new HashMap<>();

    public StepWriter() {
        this(4096);
    }

    private StepWriter(int capacity) {
        this.bytes = new byte[Math.max(64, capacity)];
    }

    /** Appends an op as the next entry of a {@link SearchStep}'s ops. */
    public void append(StepOp op) {
        op(SearchStep.OPS_FIELD_NUMBER, op);
    }

    /** The ops appended since the last drain, as the body of a {@link SearchStep}; the writer starts over. */
    public byte[] drain() {
        byte[] body = Arrays.copyOf(bytes, position);
        position = 0;
        return body;
    }

    /** A journal event holding the step: its framing around the body the controller's writer drained. */
    static byte[] event(EncodedStep step) {
        StepWriter writer = new StepWriter(step.body().length + 2 * LENGTH_ROOM);
        writer.lengthDelimited(JournalEvent.STEP_FIELD_NUMBER, step.body());
        return writer.toByteArray();
    }

    static byte[] snapshot(SearchSnapshot snapshot) {
        StepWriter writer = new StepWriter(snapshot.getOpsCount() * 256 + 1024);
        if (snapshot.hasSpec()) {
            writer.message(SearchSnapshot.SPEC_FIELD_NUMBER, snapshot.getSpec());
        }
        for (StepOp op : snapshot.getOpsList()) {
            writer.op(SearchSnapshot.OPS_FIELD_NUMBER, op);
        }
        writer.bool(SearchSnapshot.FINISHED_FIELD_NUMBER, snapshot.getFinished());
        writer.string(SearchSnapshot.STOP_REASON_FIELD_NUMBER, snapshot.getStopReason());
        writer.int32(SearchSnapshot.RESUMES_FIELD_NUMBER, snapshot.getResumes());
        writer.unknown(snapshot);
        return writer.toByteArray();
    }

    private void op(int field, StepOp op) {
        int start = beginNested(field);
        switch (op.getOpCase()) {
            case TOLD -> told(op.getTold());
            case ASKED -> asked(op.getAsked());
            case FITTED -> fitted(op.getFitted());
            case OP_NOT_SET -> { }
        }
        unknown(op);
        endNested(start);
    }

    private void told(ResultTold told) {
        int start = beginNested(StepOp.TOLD_FIELD_NUMBER);
        if (told.hasResult()) {
            result(told.getResult());
        }
        int32(ResultTold.SOURCE_FIELD_NUMBER, told.getSourceValue());
        int32(ResultTold.ATTEMPTS_FIELD_NUMBER, told.getAttempts());
        unknown(told);
        endNested(start);
    }

    private void asked(CandidatesAsked asked) {
        int start = beginNested(StepOp.ASKED_FIELD_NUMBER);
        int32(CandidatesAsked.COUNT_FIELD_NUMBER, asked.getCount());
        unknown(asked);
        endNested(start);
    }

    private void fitted(ModelFitted fitted) {
        int start = beginNested(StepOp.FITTED_FIELD_NUMBER);
        int32(ModelFitted.VERSION_FIELD_NUMBER, fitted.getVersion());
        bool(ModelFitted.OK_FIELD_NUMBER, fitted.getOk());
        unknown(fitted);
        endNested(start);
    }

    private void result(EvaluationResult result) {
        int start = beginNested(ResultTold.RESULT_FIELD_NUMBER);
        repeatingString(EvaluationResult.SEARCH_ID_FIELD_NUMBER, result.getSearchId());
        int64(EvaluationResult.CANDIDATE_ID_FIELD_NUMBER, result.getCandidateId());
        if (result.hasArchitecture()) {
            Architecture architecture = result.getArchitecture();
            int nested = beginNested(EvaluationResult.ARCHITECTURE_FIELD_NUMBER);
            repeatingString(Architecture.SPACE_FIELD_NUMBER, architecture.getSpace());
            string(Architecture.ENCODING_FIELD_NUMBER, architecture.getEncoding());
            unknown(architecture);
            endNested(nested);
        }
        int32(EvaluationResult.STATUS_FIELD_NUMBER, result.getStatusValue());
        string(EvaluationResult.FAILURE_REASON_FIELD_NUMBER, result.getFailureReason());
        for (Map.Entry<String, Double> metric : result.getMetricsMap().entrySet()) {
            // A map entry always holds both its key (1) and its value (2), defaults included.
            byte[] key = repeating(metric.getKey());
            tag(EvaluationResult.METRICS_FIELD_NUMBER, LENGTH_DELIMITED);
            varint32(1 + varintSize(key.length) + key.length + 1 + 8);
            tag(1, LENGTH_DELIMITED);
            varint32(key.length);
            raw(key);
            tag(2, FIXED64);
            fixed64(Double.doubleToRawLongBits(metric.getValue()));
        }
        double64(EvaluationResult.COST_SECONDS_FIELD_NUMBER, result.getCostSeconds());
        repeatingString(EvaluationResult.EVALUATOR_FIELD_NUMBER, result.getEvaluator());
        int32(EvaluationResult.ATTEMPT_FIELD_NUMBER, result.getAttempt());
        repeatingString(EvaluationResult.EVALUATOR_KIND_FIELD_NUMBER, result.getEvaluatorKind());
        for (Map.Entry<String, String> label : result.getLabelsMap().entrySet()) {
            byte[] key = repeating(label.getKey());
            byte[] value = repeating(label.getValue());
            tag(EvaluationResult.LABELS_FIELD_NUMBER, LENGTH_DELIMITED);
            varint32(2 + varintSize(key.length) + key.length + varintSize(value.length) + value.length);
            tag(1, LENGTH_DELIMITED);
            varint32(key.length);
            raw(key);
            tag(2, LENGTH_DELIMITED);
            varint32(value.length);
            raw(value);
        }
        unknown(result);
        endNested(start);
    }

    // ---- fields, with proto3's rule that a scalar at its default is not written

    private void int32(int field, int value) {
        if (value != 0) {
            tag(field, VARINT);
            if (value >= 0) {
                varint32(value);
            } else {
                varint64(value); // a negative int32 is sign-extended to ten bytes
            }
        }
    }

    private void int64(int field, long value) {
        if (value != 0) {
            tag(field, VARINT);
            varint64(value);
        }
    }

    private void bool(int field, boolean value) {
        if (value) {
            tag(field, VARINT);
            varint32(1);
        }
    }

    private void double64(int field, double value) {
        long bits = Double.doubleToRawLongBits(value);
        if (bits != 0) {
            tag(field, FIXED64);
            fixed64(bits);
        }
    }

    private void string(int field, String value) {
        if (!value.isEmpty()) {
            lengthDelimited(field, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A string that comes back in most results: encoded once per record. */
    private void repeatingString(int field, String value) {
        if (!value.isEmpty()) {
            lengthDelimited(field, repeating(value));
        }
    }

    private byte[] repeating(String value) {
        byte[] utf8 = encoded.get(value);
        if (utf8 == null) {
            if (encoded.size() >= CACHE_LIMIT) {
                encoded.clear();
            }
            utf8 = value.getBytes(StandardCharsets.UTF_8);
            encoded.put(value, utf8);
        }
        return utf8;
    }

    /** A message this writer has no hand-written form for (e.g. the spec in a snapshot): Protobuf writes it. */
    private void message(int field, Message message) {
        lengthDelimited(field, message.toByteArray());
    }

    private void lengthDelimited(int field, byte[] content) {
        tag(field, LENGTH_DELIMITED);
        varint32(content.length);
        raw(content);
    }

    /** Fields a newer Archipelago added (a result from a newer node): kept, where Protobuf keeps them, at the end. */
    private void unknown(Message message) {
        UnknownFieldSet unknown = message.getUnknownFields();
        if (unknown != UnknownFieldSet.getDefaultInstance() && !unknown.asMap().isEmpty()) {
            raw(unknown.toByteArray());
        }
    }

    // ---- wire format

    /** Writes the field's tag and leaves room for the length; returns where the content starts. */
    private int beginNested(int field) {
        tag(field, LENGTH_DELIMITED);
        ensure(LENGTH_ROOM);
        position += LENGTH_ROOM;
        return position;
    }

    /** Writes the length of the content begun at {@code start} and moves the content up against it. */
    private void endNested(int start) {
        int length = position - start;
        int lengthAt = start - LENGTH_ROOM;
        position = lengthAt;
        varint32(length);
        if (position != start) {
            System.arraycopy(bytes, start, bytes, position, length);
        }
        position += length;
    }

    private void tag(int field, int wireType) {
        varint32(field << 3 | wireType);
    }

    private void varint32(int value) {
        ensure(LENGTH_ROOM);
        while ((value & ~0x7F) != 0) {
            bytes[position++] = (byte) (value & 0x7F | 0x80);
            value >>>= 7;
        }
        bytes[position++] = (byte) value;
    }

    private void varint64(long value) {
        ensure(10);
        while ((value & ~0x7FL) != 0) {
            bytes[position++] = (byte) ((int) value & 0x7F | 0x80);
            value >>>= 7;
        }
        bytes[position++] = (byte) value;
    }

    private void fixed64(long value) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            bytes[position++] = (byte) (value >>> 8 * i);
        }
    }

    private void raw(byte[] content) {
        ensure(content.length);
        System.arraycopy(content, 0, bytes, position, content.length);
        position += content.length;
    }

    private static int varintSize(int value) {
        return (31 - Integer.numberOfLeadingZeros(value | 1)) / 7 + 1;
    }

    private void ensure(int more) {
        if (bytes.length - position < more) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, position + more));
        }
    }

    private byte[] toByteArray() {
        return Arrays.copyOf(bytes, position);
    }
}
