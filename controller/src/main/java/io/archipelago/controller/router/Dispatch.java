package io.archipelago.controller.router;

import io.archipelago.proto.Candidate;
import io.archipelago.proto.EvaluationRequest;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** A candidate in flight in one pool: its attempts so far, and where the current one runs. */
final class Dispatch {
    final CandidateKey key;
    final Candidate candidate;
    final ActorRef<Router.Event> replyTo;
    final String cacheKey;
    final EvaluatorPool pool;
    /** Its search's part of the pool. */
    final PoolShare share;
    /** Evaluators that ran it (by actor: one that left and came back is the same evaluator): a retry prefers another. */
    private final List<ActorRef<EvaluationRequest>> tried = new ArrayList<>(2);
    /** Identical candidates waiting for this evaluation (null: none). */
    private List<Dispatch> followers;

    private int attempt;
    /** Null while waiting for a slot. */
    private Slot slot;

    private long deadlineNanos;
    private String lastFailure;

    Dispatch(
            CandidateKey key,
            Candidate candidate,
            ActorRef<Router.Event> replyTo,
            String cacheKey,
            EvaluatorPool pool,
            Tenant tenant) {
        this.key = key;
        this.candidate = candidate;
        this.replyTo = replyTo;
        this.cacheKey = cacheKey;
        this.pool = pool;
        this.share = pool.share(tenant);
    }

    Tenant tenant() {
        return share.tenant;
    }

    /** The next attempt goes to {@code slot}, due within {@code timeoutNanos}; returns its number. */
    int sentTo(Slot slot, long timeoutNanos) {
        attempt++;
        this.slot = slot;
        deadlineNanos = System.nanoTime() + timeoutNanos;
        tried.add(slot.ref);
        return attempt;
    }

    /** The slot gave it back unrun (its node is draining): that attempt does not count. */
    void handedBack(Slot by) {
        tried.remove(by.ref);
        attempt--;
    }

    boolean triedOn(Slot evaluator) {
        return tried.contains(evaluator.ref);
    }

    /** The attempt running now, if any, is over (answered, timed out, or its evaluator left); the slot is returned. */
    Slot detach() {
        Slot was = slot;
        slot = null;
        return was;
    }

    Slot slot() {
        return slot;
    }

    /** Whether it runs on a slot now, past its deadline. */
    boolean overdue(long nowNanos) {
        return slot != null && nowNanos - deadlineNanos > 0;
    }

    int attempt() {
        return attempt;
    }

    /** Why the last attempt failed; null when none has. */
    String lastFailure() {
        return lastFailure;
    }

    void failed(String reason) {
        lastFailure = reason;
    }

    void follow(Dispatch follower) {
        if (followers == null) {
            followers = new ArrayList<>(1);
        }
        followers.add(follower);
    }

    List<Dispatch> followers() {
        return followers == null ? List.of() : followers;
    }
}
