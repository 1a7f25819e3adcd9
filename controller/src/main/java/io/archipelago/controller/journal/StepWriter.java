package io.archipelago.controller.journal;

import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.archipelago.proto.Architecture;
import io.archipelago.proto.CandidatesAsked;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.JournalEvent;
import io.archipelago.proto.ModelFitted;
import io.archipelago.proto.NameDefined;
import io.archipelago.proto.ResultTold;
import io.archipelago.proto.ResultToldCompact;
import io.archipelago.proto.SearchSnapshot;
import io.archipelago.proto.SearchStep;
import io.archipelago.proto.StepOp;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the journal's bulk, its step ops, in Protobuf ({@code journal.proto}, read back by the
 * generated parser), without Protobuf's per-entry work, and where the ops are still in the cache:
 * the {@link io.archipelago.controller.Controller} appends each op as it applies it, and the
 * journal writes the bytes it drains ({@link EncodedStep}). Encoding the same results 50 ms later,
 * on the journal's thread and out of cache, cost four to eight times as much (benchmarks/RESULTS.md).
 *
 * <p>Results are written in format 2's compact form ({@link ResultToldCompact}): the strings that
 * repeat from result to result are written once per record, as {@link NameDefined} ops, and
 * referred to by id; metrics are two packed lists. That halves a result's bytes, and every byte
 * the journal writes is copied and allocated several times on its way to the database (the
 * serializer, JDBC, H2's pages). {@link StepReader} turns them back into the {@link ResultTold}s
 * they were. A result carrying fields this version does not know (from a newer node) is written
 * whole, as format 1 did, so that they survive. Everything else is byte for byte what Protobuf's
 * generated {@code toByteArray} writes.
 *
 * <p>Each nested message is written in place after room for its length, which is filled in (and
 * the content moved up to four bytes back) once its end is known.
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
    /** An op's tag in a step, and in a snapshot: one byte each. */
    private static final int STEP_OP_TAG = SearchStep.OPS_FIELD_NUMBER << 3 | LENGTH_DELIMITED;
    private static final int SNAPSHOT_OP_TAG = SearchSnapshot.OPS_FIELD_NUMBER << 3 | LENGTH_DELIMITED;

    private byte[] bytes;
    private int position;
    private final Map<String, byte[]> encoded = new HashMap<>();
    /** The names this record has defined so far, by id; {@link #drain} starts a new record. */
    private final Map<String, Integer> nameIds = new HashMap<>();
    /** The result being written: its metrics' name ids and values (as bits). */
    private int[] metricIds = new int[16];
    private long[] metricBits = new long[16];

    public StepWriter() {
        this(4096);
    }

    private StepWriter(int capacity) {
        this(new byte[Math.max(64, capacity)]);
    }

    private StepWriter(byte[] buffer) {
        this.bytes = buffer;
    }

    /** Appends an op as the next entry of a {@link SearchStep}'s ops. */
    public void append(StepOp op) {
        op(SearchStep.OPS_FIELD_NUMBER, op);
    }

    /** The ops appended since the last drain, as the body of a {@link SearchStep}; the writer starts over. */
    public byte[] drain() {
        byte[] body = Arrays.copyOf(bytes, position);
        position = 0;
        nameIds.clear(); // each batch defines the names it uses: steps stand alone, and concatenate (the latest definition holds)
        return body;
    }

    /** A journal event holding the step: its framing around the body the controller's writer drained. */
    static byte[] event(EncodedStep step) {
        byte[] body = step.body();
        int tag = JournalEvent.STEP_FIELD_NUMBER << 3 | LENGTH_DELIMITED;
        // Exactly the record's size, the body copied once: at the engine's raw rate these are megabytes a second.
        StepWriter writer = new StepWriter(new byte[varintSize(tag) + varintSize(body.length) + body.length]);
        writer.lengthDelimited(JournalEvent.STEP_FIELD_NUMBER, body);
        return writer.position == writer.bytes.length ? writer.bytes : writer.toByteArray(); // a tiny body: the varints' headroom grew it
    }

    /** Ops (read back, or replayed) as the body of a {@link SearchStep}, as the controller's writer would have drained them. */
    public static byte[] step(List<StepOp> ops) {
        StepWriter writer = new StepWriter(ops.size() * 192 + 64);
        ops.forEach(writer::append);
        return writer.toByteArray();
    }

    /**
     * A {@link SearchSnapshot}: its steps' ops are the entries of the steps' bodies, each moved from
     * {@code SearchStep.ops} to {@code SearchSnapshot.ops} (the same entry under the other field's
     * tag; both tags are one byte, so the bytes keep their length). Each body defines the names it
     * uses, so they stand alone in the snapshot too.
     */
    static byte[] snapshot(EncodedSnapshot snapshot) {
        int size = 1024;
        for (byte[] step : snapshot.steps()) {
            size += step.length;
        }
        StepWriter writer = new StepWriter(size);
        if (snapshot.spec() != null) {
            writer.message(SearchSnapshot.SPEC_FIELD_NUMBER, snapshot.spec());
        }
        for (byte[] step : snapshot.steps()) {
            writer.stepAsSnapshotOps(step);
        }
        writer.bool(SearchSnapshot.FINISHED_FIELD_NUMBER, snapshot.finished());
        writer.string(SearchSnapshot.STOP_REASON_FIELD_NUMBER, snapshot.stopReason() == null ? "" : snapshot.stopReason());
        writer.int32(SearchSnapshot.RESUMES_FIELD_NUMBER, snapshot.resumes());
        return writer.toByteArray();
    }

    private void stepAsSnapshotOps(byte[] step) {
        ensure(step.length);
        int at = position;
        System.arraycopy(step, 0, bytes, at, step.length);
        position += step.length;
        while (at < position) {
            if (bytes[at] != STEP_OP_TAG) {
                throw new IllegalStateException("not the body of a step: byte " + (at - (position - step.length)) + " is no op's tag");
            }
            bytes[at++] = SNAPSHOT_OP_TAG;
            int length = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = bytes[at++];
                length |= (b & 0x7F) << shift;
                if (b >= 0) {
                    break;
                }
            }
            at += length;
        }
    }

    private void op(int field, StepOp op) {
        if (op.getOpCase() == StepOp.OpCase.TOLD && compactable(op)) {
            toldCompact(field, op.getTold());
            return;
        }
        int start = beginNested(field);
        switch (op.getOpCase()) {
            case TOLD -> told(op.getTold());
            case ASKED -> asked(op.getAsked());
            case FITTED -> fitted(op.getFitted());
            case OP_NOT_SET -> { }
            // Read back, they were turned into what they stand for (StepReader): never the writer's input.
            case TOLD_COMPACT, NAME -> throw new IllegalArgumentException("a " + op.getOpCase() + " op is the writer's own form, not an op to write");
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

    /**
     * Whether {@link StepReader} gives back exactly this op from its compact form: it has a result,
     * with an architecture exactly when it names one, and no field of it is unknown here.
     */
    private static boolean compactable(StepOp op) {
        ResultTold told = op.getTold();
        if (!told.hasResult()) {
            return false;
        }
        EvaluationResult result = told.getResult();
        Architecture architecture = result.getArchitecture();
        boolean namesOne = !architecture.getSpace().isEmpty() || !architecture.getEncoding().isEmpty();
        return result.hasArchitecture() == namesOne && noUnknownFields(op) && noUnknownFields(told) && noUnknownFields(result)
                && noUnknownFields(architecture);
    }

    private void toldCompact(int field, ResultTold told) {
        EvaluationResult result = told.getResult();
        Architecture architecture = result.getArchitecture();
        // The names' ids first (a new name is defined by its own op, before the result that refers to it); the metrics are
        // read once (each pass over a Protobuf map allocates its views and iterators), into arrays the writer keeps.
        int searchId = nameId(field, result.getSearchId());
        int space = nameId(field, architecture.getSpace());
        int metrics = result.getMetricsCount();
        if (metricIds.length < metrics) {
            metricIds = new int[Math.max(metrics, 2 * metricIds.length)];
            metricBits = new long[metricIds.length];
        }
        if (metrics > 0) {
            int i = 0;
            for (Map.Entry<String, Double> metric : result.getMetricsMap().entrySet()) {
                metricIds[i] = nameId(field, metric.getKey());
                metricBits[i++] = Double.doubleToRawLongBits(metric.getValue());
            }
        }
        int evaluator = nameId(field, result.getEvaluator());
        int evaluatorKind = nameId(field, result.getEvaluatorKind());

        int op = beginNested(field);
        int start = beginNested(StepOp.TOLD_COMPACT_FIELD_NUMBER);
        int64(ResultToldCompact.CANDIDATE_ID_FIELD_NUMBER, result.getCandidateId());
        string(ResultToldCompact.ARCHITECTURE_FIELD_NUMBER, architecture.getEncoding());
        int32(ResultToldCompact.SPACE_FIELD_NUMBER, space);
        int32(ResultToldCompact.SEARCH_ID_FIELD_NUMBER, searchId);
        int32(ResultToldCompact.STATUS_FIELD_NUMBER, result.getStatusValue());
        string(ResultToldCompact.FAILURE_REASON_FIELD_NUMBER, result.getFailureReason());
        if (metrics > 0) {
            int names = beginNested(ResultToldCompact.METRIC_NAMES_FIELD_NUMBER); // packed, as proto3 packs repeated scalars
            for (int i = 0; i < metrics; i++) {
                varint32(metricIds[i]);
            }
            endNested(names);
            tag(ResultToldCompact.METRIC_VALUES_FIELD_NUMBER, LENGTH_DELIMITED);
            varint32(8 * metrics);
            for (int i = 0; i < metrics; i++) {
                fixed64(metricBits[i]);
            }
        }
        double64(ResultToldCompact.COST_SECONDS_FIELD_NUMBER, result.getCostSeconds());
        int32(ResultToldCompact.EVALUATOR_FIELD_NUMBER, evaluator);
        int32(ResultToldCompact.ATTEMPT_FIELD_NUMBER, result.getAttempt());
        int32(ResultToldCompact.EVALUATOR_KIND_FIELD_NUMBER, evaluatorKind);
        if (result.getLabelsCount() > 0) {
            labels(ResultToldCompact.LABELS_FIELD_NUMBER, result.getLabelsMap());
        }
        int32(ResultToldCompact.SOURCE_FIELD_NUMBER, told.getSourceValue());
        int32(ResultToldCompact.ATTEMPTS_FIELD_NUMBER, told.getAttempts());
        endNested(start);
        endNested(op);
    }

    /**
     * The id of a name in this record: 0 for the empty string; a name the record has not defined yet
     * is defined first, by a name-defined op (an entry of the record's ops, {@code field}).
     */
    private int nameId(int field, String name) {
        if (name.isEmpty()) {
            return 0;
        }
        Integer known = nameIds.get(name);
        if (known != null) {
            return known;
        }
        int id = nameIds.size() + 1;
        nameIds.put(name, id);
        int op = beginNested(field);
        int start = beginNested(StepOp.NAME_FIELD_NUMBER);
        int32(NameDefined.ID_FIELD_NUMBER, id);
        repeatingString(NameDefined.NAME_FIELD_NUMBER, name);
        endNested(start);
        endNested(op);
        return id;
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
        labels(EvaluationResult.LABELS_FIELD_NUMBER, result.getLabelsMap());
        unknown(result);
        endNested(start);
    }

    /** A {@code map<string, string>}: an entry message per pair. */
    private void labels(int field, Map<String, String> labels) {
        for (Map.Entry<String, String> label : labels.entrySet()) {
            byte[] key = repeating(label.getKey());
            byte[] value = repeating(label.getValue());
            tag(field, LENGTH_DELIMITED);
            varint32(2 + varintSize(key.length) + key.length + varintSize(value.length) + value.length);
            tag(1, LENGTH_DELIMITED);
            varint32(key.length);
            raw(key);
            tag(2, LENGTH_DELIMITED);
            varint32(value.length);
            raw(value);
        }
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
        if (value.isEmpty()) {
            return;
        }
        int length = value.length();
        for (int i = 0; i < length; i++) {
            if (value.charAt(i) >= 0x80) {
                lengthDelimited(field, value.getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        // ASCII, as architectures' encodings are: its UTF-8 is its chars, written without an intermediate array.
        tag(field, LENGTH_DELIMITED);
        varint32(length);
        ensure(length);
        for (int i = 0; i < length; i++) {
            bytes[position++] = (byte) value.charAt(i);
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
        if (!noUnknownFields(message)) {
            raw(message.getUnknownFields().toByteArray());
        }
    }

    private static boolean noUnknownFields(Message message) {
        UnknownFieldSet unknown = message.getUnknownFields();
        return unknown == UnknownFieldSet.getDefaultInstance() || unknown.asMap().isEmpty();
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
