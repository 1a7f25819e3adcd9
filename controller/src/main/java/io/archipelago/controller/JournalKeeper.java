package io.archipelago.controller;

import io.archipelago.controller.journal.EncodedStep;
import io.archipelago.controller.journal.JournalReplayException;
import io.archipelago.controller.strategy.Strategy;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.proto.SearchSpec;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Stands between a controller and its {@link SearchJournal} so that a database that goes away
 * for a while (a PostgreSQL restart, a fail-over of its host) costs a days-long search nothing.
 *
 * <p>A journal whose write or read fails stops (Pekko Persistence cannot go on after a failed
 * write: it cannot know what was written). The keeper keeps every step the controller sent until
 * the journal says it is durable; when the journal stops, the search goes on, its steps gather
 * here, and the keeper starts a journal again (after 1 s, then doubling up to 5 s). The new
 * journal reads what is durable (without replaying it into the live strategy) and reports how
 * many ops that is; the keeper sends it every step after those, then whatever waited. If no
 * journal comes back within {@code archipelago.journal.retry-window} (default 2 minutes) of the
 * failure, the search stops as it did before the keeper existed: with the reason, resumable from
 * what is durable.
 *
 * <p>At the first start only a database that cannot be reached is waited for: a journal that
 * cannot be replayed (another version wrote it, another search) is a user's problem, reported at
 * once.
 */
final class JournalKeeper<A> extends AbstractBehavior<JournalKeeper.Command> {

    sealed interface Command {}

    /** A command for the journal, from the controller. */
    record Send(SearchJournal.Command command) implements Command {}

    private record FromJournal(SearchJournal.Reply reply) implements Command {}

    private enum StartAgain implements Command {
        INSTANCE
    }

    static final String RETRY_WINDOW_KEY = "archipelago.journal.retry-window";
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final String searchId;
    private final SearchSpec spec;
    private final SearchSpace<A> space;
    private final Strategy<A> strategy;
    private final int snapshotEvery;
    private final ActorRef<SearchJournal.Reply> controller;
    private final ActorRef<SearchJournal.Reply> replies;
    private final TimerScheduler<Command> timers;
    private final Duration retryWindow;

    /** The journal now (null while none runs), and whether it has read what is durable. */
    private ActorRef<SearchJournal.Command> journal;

    private boolean attached;
    private boolean everAttached;
    private int starts;
    /** Steps sent but not known to be durable, oldest first, and the ops the journal holds before them. */
    private final Deque<EncodedStep> unconfirmed = new ArrayDeque<>();

    private long durableOps;
    /** Commands other than steps that wait for a journal (the end, a resumption). */
    private final List<SearchJournal.Command> waiting = new ArrayList<>();

    private long outageStartNanos = -1;
    private Duration backoff = FIRST_BACKOFF;
    private String lastFailure = "the journal stopped";
    /** The last journal stopped because the database could not be reached. */
    private boolean unavailable;

    private boolean finished;
    private boolean failed;

    static <A> Behavior<Command> create(
            String searchId,
            SearchSpec spec,
            SearchSpace<A> space,
            Strategy<A> strategy,
            int snapshotEvery,
            ActorRef<SearchJournal.Reply> controller) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
                new JournalKeeper<>(context, timers, searchId, spec, space, strategy, snapshotEvery, controller)));
    }

    private JournalKeeper(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            String searchId,
            SearchSpec spec,
            SearchSpace<A> space,
            Strategy<A> strategy,
            int snapshotEvery,
            ActorRef<SearchJournal.Reply> controller) {
        super(context);
        this.timers = timers;
        this.searchId = searchId;
        this.spec = spec;
        this.space = space;
        this.strategy = strategy;
        this.snapshotEvery = snapshotEvery;
        this.controller = controller;
        this.replies = context.messageAdapter(SearchJournal.Reply.class, FromJournal::new);
        this.retryWindow = context.getSystem().settings().config().getDuration(RETRY_WINDOW_KEY);
        startJournal();
    }

    private void startJournal() {
        // Once the controller has the search, a new journal only reads what is durable.
        journal = getContext()
                .spawn(
                        SearchJournal.create(searchId, spec, space, strategy, snapshotEvery, replies, everAttached),
                        "journal-" + starts++);
        getContext().watch(journal);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Send.class, this::onSend)
                .onMessage(FromJournal.class, message -> onReply(message.reply()))
                .onMessage(StartAgain.class, again -> {
                    startJournal();
                    return this;
                })
                .onSignal(ChildFailed.class, failed -> {
                    unavailable |= unreachable(failed.getCause());
                    return onJournalStopped(JournalReplayException.describe(failed.getCause()));
                })
                .onSignal(Terminated.class, terminated -> onJournalStopped(lastFailure))
                .build();
    }

    private Behavior<Command> onSend(Send send) {
        if (send.command() instanceof SearchJournal.Append append) {
            unconfirmed.add(append.step());
        } else if (!attached) {
            waiting.add(send.command());
            return this;
        }
        if (attached) {
            journal.tell(send.command());
        }
        return this;
    }

    private Behavior<Command> onReply(SearchJournal.Reply reply) {
        if (reply instanceof SearchJournal.Recovered<?> recovered) {
            durableOps = recovered.ops();
            attached = true;
            everAttached = true;
            outageOver();
            controller.tell(reply);
        } else if (reply instanceof SearchJournal.Written written) {
            confirm(written.ops());
            outageOver();
        } else if (reply instanceof SearchJournal.Reattached reattached) {
            return onReattached(reattached.ops());
        } else if (reply instanceof SearchJournal.Unavailable down) {
            lastFailure = down.reason();
            unavailable = true; // the journal stops next: then it is started again
        } else if (reply instanceof SearchJournal.Failed failed) {
            if (!everAttached) {
                return fail(failed); // the first start: nothing to retry
            }
            lastFailure = failed.reason(); // the journal stops next: then it is started again
        } else if (reply instanceof SearchJournal.Finished) {
            finished = true;
            controller.tell(reply);
        }
        return this;
    }

    /** Forgets the steps the journal now holds. */
    private void confirm(long ops) {
        while (!unconfirmed.isEmpty()
                && durableOps + unconfirmed.peekFirst().ops().size() <= ops) {
            durableOps += unconfirmed.pollFirst().ops().size();
        }
    }

    private Behavior<Command> onReattached(long ops) {
        confirm(ops);
        if (durableOps != ops) {
            return fail(new SearchJournal.Failed(
                    "the journal holds " + ops + " ops of search " + searchId
                            + ", which is not where a step of this run ended (" + durableOps + "); the search stops",
                    false));
        }
        getContext()
                .getLog()
                .info(
                        "search {}: the journal started again; writing the {} step(s) kept meanwhile",
                        searchId,
                        unconfirmed.size());
        attached = true;
        if (unconfirmed.isEmpty()) {
            outageOver();
        }
        unconfirmed.forEach(step -> journal.tell(new SearchJournal.Append(step)));
        waiting.forEach(journal::tell);
        waiting.clear();
        return this;
    }

    /** The journal writes again (a journal that reads but cannot write is still away). */
    private void outageOver() {
        if (outageStartNanos >= 0) {
            getContext()
                    .getLog()
                    .warn(
                            "search {}: the journal is back after {} s",
                            searchId,
                            String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - outageStartNanos) / 1e9));
            outageStartNanos = -1;
            backoff = FIRST_BACKOFF;
        }
    }

    private Behavior<Command> onJournalStopped(String reason) {
        journal = null;
        attached = false;
        if (finished) {
            return Behaviors.stopped(); // it stopped after writing the end
        }
        if (failed) {
            return this; // the controller heard why and stops the search
        }
        if (!everAttached && !unavailable) {
            return fail(new SearchJournal.Failed(
                    "the journal failed: " + reason + "; the search stops (resume it once the journal is back)",
                    false));
        }
        long now = System.nanoTime();
        if (outageStartNanos < 0) {
            outageStartNanos = now;
            getContext()
                    .getLog()
                    .warn(
                            "search {}: the journal failed ({}); the search goes on and the journal is retried for {}",
                            searchId,
                            reason,
                            retryWindow);
        }
        if (Duration.ofNanos(now - outageStartNanos).plus(backoff).compareTo(retryWindow) > 0) {
            return fail(new SearchJournal.Failed(
                    "the journal failed: " + reason + ", and was not back within " + retryWindow.toSeconds()
                            + " s; the search stops (resume it once the journal is back)",
                    false));
        }
        timers.startSingleTimer(StartAgain.INSTANCE, backoff);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        return this;
    }

    /**
     * Whether {@code failure} says the database could not be reached (a connection refused, lost
     * or timed out; PostgreSQL shutting down), rather than that what it holds is wrong.
     */
    static boolean unreachable(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof java.sql.SQLTransientException
                    || cause instanceof java.sql.SQLRecoverableException
                    || cause instanceof java.sql.SQLNonTransientConnectionException
                    || cause instanceof java.net.ConnectException) {
                return true;
            }
            if (cause instanceof java.sql.SQLException sql
                    && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Tells the controller, which stops the search and this keeper with it. The keeper does not
     * stop first: the controller would hear of that before it read why.
     */
    private Behavior<Command> fail(SearchJournal.Failed failure) {
        failed = true;
        controller.tell(failure);
        return this;
    }
}
