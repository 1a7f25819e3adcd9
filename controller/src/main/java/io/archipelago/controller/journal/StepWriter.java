package io.archipelago.controller.journal;

import io.archipelago.proto.Architecture;
import io.archipelago.proto.CandidatesAsked;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.IntermediateResult;
import io.archipelago.proto.JournalEvent;
import io.archipelago.proto.ModelFitted;
import io.archipelago.proto.ResultTold;
import io.archipelago.proto.SearchSnapshot;
import io.archipelago.proto.SearchStep;
import io.archipelago.proto.StepOp;
import java.util.List;

/**
 * Writes the journal's bulk, its step ops, in Protobuf ({@code journal.proto}, read back by the
 * generated parser), without Protobuf's per-entry work, and where the ops are still in the cache:
 * the {@link io.archipelago.controller.Controller} appends each op as it applies it, and the
 * journal writes the bytes it drains ({@link EncodedStep}). Encoding the same results 50 ms later,
 * on the journal's thread and out of cache, cost four to eight times as much (benchmarks/RESULTS.md).
 *
 * <p>Results are written in format 2's compact form ({@link CompactResults}): the strings that
 * repeat from result to result are written once per record, as name-defined ops, and referred to
 * by id; metrics are two packed lists. That halves a result's bytes, and every byte
 * the journal writes is copied and allocated several times on its way to the database (the
 * serializer, JDBC, H2's pages). {@link StepReader} turns them back into the {@link ResultTold}s
 * they were. A result carrying fields this version does not know (from a newer node) is written
 * whole, as format 1 did, so that they survive. Everything else is byte for byte what Protobuf's
 * generated {@code toByteArray} writes.
 *
 * <p>This class frames the ops (a step's body, a snapshot, a journal event) and writes the ops
 * that are not compact results field by field; the wire format is {@link WireWriter}'s.
 *
 * <p>Not thread-safe: one writer per controller, or per record ({@link #snapshot}).
 */
public final class StepWriter {
    /** An op's tag in a step, and in a snapshot: one byte each. */
    private static final int STEP_OP_TAG = SearchStep.OPS_FIELD_NUMBER << 3 | WireWriter.LENGTH_DELIMITED;

    private static final int SNAPSHOT_OP_TAG = SearchSnapshot.OPS_FIELD_NUMBER << 3 | WireWriter.LENGTH_DELIMITED;

    private final WireWriter out;
    private final CompactResults compact;

    public StepWriter() {
        this(4096);
    }

    private StepWriter(int capacity) {
        this.out = new WireWriter(new byte[Math.max(64, capacity)]);
        this.compact = new CompactResults(out);
    }

    /** Appends an op as the next entry of a {@link SearchStep}'s ops. */
    public void append(StepOp op) {
        op(SearchStep.OPS_FIELD_NUMBER, op);
    }

    /** The ops appended since the last drain, as the body of a {@link SearchStep}; the writer starts over. */
    public byte[] drain() {
        byte[] body = out.toByteArray();
        out.reset();
        compact.newRecord(); // each batch defines the names it uses: steps stand alone, and concatenate (the latest
        // definition holds)
        return body;
    }

    /** A journal event holding the step: its framing around the body the controller's writer drained. */
    static byte[] event(EncodedStep step) {
        byte[] body = step.body();
        int tag = JournalEvent.STEP_FIELD_NUMBER << 3 | WireWriter.LENGTH_DELIMITED;
        // Exactly the record's size, the body copied once: at the engine's raw rate these are megabytes a second.
        WireWriter event =
                new WireWriter(new byte[WireWriter.varintSize(tag) + WireWriter.varintSize(body.length) + body.length]);
        event.lengthDelimited(JournalEvent.STEP_FIELD_NUMBER, body);
        return event.finish(); // a copy only for a tiny body: the varints' headroom grew the array
    }

    /** Ops (read back, or replayed) as the body of a {@link SearchStep}, as the controller's writer would have drained them. */
    public static byte[] step(List<StepOp> ops) {
        StepWriter writer = new StepWriter(ops.size() * 192 + 64);
        ops.forEach(writer::append);
        return writer.out.toByteArray();
    }

    /**
     * A step's body as the ops of a {@link SearchSnapshot}: each entry moved from
     * {@code SearchStep.ops} to {@code SearchSnapshot.ops} (the same entry under the other field's
     * tag; both tags are one byte, so the bytes keep their length). Each body defines the names it
     * uses, so they stand alone in the snapshot too.
     */
    static byte[] snapshotOps(byte[] stepBody) {
        WireWriter out = new WireWriter(new byte[stepBody.length]);
        out.retagged(stepBody, STEP_OP_TAG, SNAPSHOT_OP_TAG);
        return out.finish();
    }

    /** A {@link SearchSnapshot}, its ops written as they are. */
    static byte[] snapshot(EncodedSnapshot snapshot) {
        WireWriter out = new WireWriter(new byte[snapshot.ops().length + 1024]);
        if (snapshot.spec() != null) {
            out.message(SearchSnapshot.SPEC_FIELD_NUMBER, snapshot.spec());
        }
        out.raw(snapshot.ops());
        out.bool(SearchSnapshot.FINISHED_FIELD_NUMBER, snapshot.finished());
        out.string(SearchSnapshot.STOP_REASON_FIELD_NUMBER, snapshot.stopReason() == null ? "" : snapshot.stopReason());
        out.int32(SearchSnapshot.RESUMES_FIELD_NUMBER, snapshot.resumes());
        return out.toByteArray();
    }

    private void op(int field, StepOp op) {
        if (op.getOpCase() == StepOp.OpCase.TOLD && CompactResults.compactable(op)) {
            compact.write(field, op.getTold());
            return;
        }
        int start = out.beginNested(field);
        switch (op.getOpCase()) {
            case TOLD -> told(op.getTold());
            case ASKED -> asked(op.getAsked());
            case FITTED -> fitted(op.getFitted());
            case OP_NOT_SET -> {}
            // Read back, they were turned into what they stand for (StepReader): never the writer's input.
            case TOLD_COMPACT, NAME ->
                throw new IllegalArgumentException(
                        "a " + op.getOpCase() + " op is the writer's own form, not an op to write");
        }
        out.unknown(op);
        out.endNested(start);
    }

    /** A told op in full, as format 1 wrote every result: for one that carries fields this version does not know. */
    private void told(ResultTold told) {
        int start = out.beginNested(StepOp.TOLD_FIELD_NUMBER);
        if (told.hasResult()) {
            result(told.getResult());
        }
        out.int32(ResultTold.SOURCE_FIELD_NUMBER, told.getSourceValue());
        out.int32(ResultTold.ATTEMPTS_FIELD_NUMBER, told.getAttempts());
        out.unknown(told);
        out.endNested(start);
    }

    private void asked(CandidatesAsked asked) {
        int start = out.beginNested(StepOp.ASKED_FIELD_NUMBER);
        out.int32(CandidatesAsked.COUNT_FIELD_NUMBER, asked.getCount());
        out.unknown(asked);
        out.endNested(start);
    }

    private void fitted(ModelFitted fitted) {
        int start = out.beginNested(StepOp.FITTED_FIELD_NUMBER);
        out.int32(ModelFitted.VERSION_FIELD_NUMBER, fitted.getVersion());
        out.bool(ModelFitted.OK_FIELD_NUMBER, fitted.getOk());
        out.unknown(fitted);
        out.endNested(start);
    }

    private void result(EvaluationResult result) {
        int start = out.beginNested(ResultTold.RESULT_FIELD_NUMBER);
        out.repeatingString(EvaluationResult.SEARCH_ID_FIELD_NUMBER, result.getSearchId());
        out.int64(EvaluationResult.CANDIDATE_ID_FIELD_NUMBER, result.getCandidateId());
        if (result.hasArchitecture()) {
            Architecture architecture = result.getArchitecture();
            int nested = out.beginNested(EvaluationResult.ARCHITECTURE_FIELD_NUMBER);
            out.repeatingString(Architecture.SPACE_FIELD_NUMBER, architecture.getSpace());
            out.string(Architecture.ENCODING_FIELD_NUMBER, architecture.getEncoding());
            out.unknown(architecture);
            out.endNested(nested);
        }
        out.int32(EvaluationResult.STATUS_FIELD_NUMBER, result.getStatusValue());
        out.string(EvaluationResult.FAILURE_REASON_FIELD_NUMBER, result.getFailureReason());
        out.doubleMap(EvaluationResult.METRICS_FIELD_NUMBER, result.getMetricsMap());
        out.double64(EvaluationResult.COST_SECONDS_FIELD_NUMBER, result.getCostSeconds());
        out.repeatingString(EvaluationResult.EVALUATOR_FIELD_NUMBER, result.getEvaluator());
        out.int32(EvaluationResult.ATTEMPT_FIELD_NUMBER, result.getAttempt());
        out.repeatingString(EvaluationResult.EVALUATOR_KIND_FIELD_NUMBER, result.getEvaluatorKind());
        out.stringMap(EvaluationResult.LABELS_FIELD_NUMBER, result.getLabelsMap());
        // A trained candidate's learning curve: a handful of small messages per result of minutes,
        // not worth a hand-written form.
        for (IntermediateResult point : result.getIntermediatesList()) {
            out.message(EvaluationResult.INTERMEDIATES_FIELD_NUMBER, point);
        }
        out.unknown(result);
        out.endNested(start);
    }
}
