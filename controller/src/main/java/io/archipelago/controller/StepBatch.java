package io.archipelago.controller;

import io.archipelago.controller.journal.EncodedStep;
import io.archipelago.controller.journal.StepWriter;
import io.archipelago.proto.StepOp;
import java.util.ArrayList;
import java.util.List;

/**
 * The ops a journaled search has applied but not yet sent to its journal (group commit: one
 * message and one write per batch, not per op). Each op is encoded as it is applied, while it is
 * at hand, so the journal writes the bytes without encoding them again.
 */
final class StepBatch {
    private final List<StepOp> applied = new ArrayList<>();
    private final StepWriter encoder = new StepWriter();
    private boolean scheduled;

    void add(StepOp op) {
        applied.add(op);
        encoder.append(op);
    }

    /** True once per batch: ops wait and no send is scheduled yet (the caller schedules it). */
    boolean needsSchedule() {
        if (applied.isEmpty() || scheduled) {
            return false;
        }
        scheduled = true;
        return true;
    }

    /** The scheduled send came due (it may find the batch sent already, by a finish). */
    void scheduleFired() {
        scheduled = false;
    }

    /** The waiting ops and their encoding, the batch then empty; null when none wait. */
    EncodedStep take() {
        if (applied.isEmpty()) {
            return null;
        }
        EncodedStep step = new EncodedStep(List.copyOf(applied), encoder.drain());
        applied.clear();
        return step;
    }
}
