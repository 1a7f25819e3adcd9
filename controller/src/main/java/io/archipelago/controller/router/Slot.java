package io.archipelago.controller.router;

import io.archipelago.proto.EvaluationRequest;
import org.apache.pekko.actor.typed.ActorRef;

/** One evaluator actor of a pool: one slot. */
final class Slot {
    final ActorRef<EvaluationRequest> ref;
    /** The node it runs on: load is balanced across nodes. */
    final String node;
    /** The dispatch it is running (also after that attempt timed out, until it answers). */
    private CandidateKey runningKey;

    private int runningAttempt;
    /** The search's part of the pool that the running dispatch counts against. */
    private PoolShare share;
    /** Its node is draining: it takes no more work. */
    private boolean retired;

    Slot(ActorRef<EvaluationRequest> ref) {
        this.ref = ref;
        this.node = ref.path().address().toString();
    }

    boolean busy() {
        return runningKey != null;
    }

    /** The dispatch it runs, null when free. */
    CandidateKey runningKey() {
        return runningKey;
    }

    boolean runs(CandidateKey key, int attempt) {
        return key.equals(runningKey) && runningAttempt == attempt;
    }

    void run(CandidateKey key, int attempt, PoolShare share) {
        runningKey = key;
        runningAttempt = attempt;
        this.share = share;
    }

    /** Frees the slot; returns the share its dispatch counted against. */
    PoolShare free() {
        PoolShare was = share;
        runningKey = null;
        share = null;
        return was;
    }

    PoolShare share() {
        return share;
    }

    boolean retired() {
        return retired;
    }

    /** Takes it out of service; false when it was already. */
    boolean retire() {
        boolean was = retired;
        retired = true;
        return !was;
    }
}
