package io.archipelago.controller.journal;

import io.archipelago.proto.SearchStep;
import io.archipelago.proto.StepOp;
import java.util.List;

/**
 * A step as the controller journals it: its ops, for the journal's state, and their Protobuf
 * encoding (the body of a {@link SearchStep}, from the controller's {@link StepWriter}), which is
 * what the journal writes. It is read back as the {@code JournalEvent} it was encoded as.
 */
public record EncodedStep(List<StepOp> ops, byte[] body) {

    /** Several steps as one (group commit): the ops in order, the bodies end to end (a repeated field's entries concatenate). */
    public static EncodedStep concat(List<EncodedStep> steps) {
        if (steps.size() == 1) {
            return steps.get(0);
        }
        int ops = 0;
        int bytes = 0;
        for (EncodedStep step : steps) {
            ops += step.ops().size();
            bytes += step.body().length;
        }
        StepOp[] allOps = new StepOp[ops];
        byte[] body = new byte[bytes];
        ops = 0;
        bytes = 0;
        for (EncodedStep step : steps) {
            for (StepOp op : step.ops()) {
                allOps[ops++] = op;
            }
            System.arraycopy(step.body(), 0, body, bytes, step.body().length);
            bytes += step.body().length;
        }
        return new EncodedStep(List.of(allOps), body);
    }
}
