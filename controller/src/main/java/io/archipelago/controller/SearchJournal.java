package io.archipelago.controller;

import io.archipelago.controller.journal.EncodedSnapshot;
import io.archipelago.controller.journal.EncodedStep;
import io.archipelago.controller.journal.JournalReplayException;
import io.archipelago.controller.journal.SnapshotOps;
import io.archipelago.controller.journal.StepWriter;
import io.archipelago.controller.strategy.Strategy;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.proto.JournalEvent;
import io.archipelago.proto.SearchResumed;
import io.archipelago.proto.SearchSnapshot;
import io.archipelago.proto.SearchSpec;
import io.archipelago.proto.SearchStep;
import io.archipelago.proto.StepOp;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A search's journal (Pekko Persistence, persistence id {@code search|<id>}), as an event-sourced
 * child of its {@link Controller}. Recovery replays the events (from the last snapshot) into a
 * fresh strategy and hands the rebuilt {@link SearchState} to the controller; from then on the
 * controller applies each op as it happens and sends them here in batches (every
 * {@link Controller#COMMIT_WINDOW}), and this actor writes them behind it: batches that arrive
 * while a write is under way (Pekko stashes them) go into the next {@link SearchStep} together
 * (group commit). The controller therefore
 * never waits for the database, and a crash loses at most the last batch: candidates whose ask
 * was not written are asked again on replay (the same ids and architectures: strategies are
 * deterministic), and results not written are evaluated again.
 *
 * <p>The end is not written behind: the controller reports a finished search only once its last
 * ops and the search-finished event are in the journal.
 */
final class SearchJournal<A> extends EventSourcedBehavior<SearchJournal.Command, Object, SearchJournal.State<A>> {
    private static final Logger LOG = LoggerFactory.getLogger(SearchJournal.class);

    sealed interface Command {}

    /** Ops the controller applied, in order, and their encoding, to be written. */
    record Append(EncodedStep step) implements Command {}

    /** The controller took the search over and dispatched these candidates again. */
    record Resume(List<Long> redispatched, String controller) implements Command {}

    /** Write what is pending and the end, with how the run used its slots; then answer {@link Finished} and stop. */
    record Finish(SearchEvent.SearchReport report) implements Command {}

    private enum Flush implements Command {
        INSTANCE
    }

    /** What the journal tells its controller. */
    sealed interface Reply {}

    /**
     * Recovery is done (a new search: its spec is written); the controller owns {@code state} from
     * now on. A finished search is only reported again. {@code ops}: how many ops the journal holds.
     */
    record Recovered<A>(SearchState<A> state, boolean fresh, boolean finished, String stopReason, long ops)
            implements Reply {}

    /** A journal started again after a failure (see {@link JournalKeeper}) has read what is durable: {@code ops} ops. */
    record Reattached(long ops) implements Reply {}

    /** A step is durable: the journal now holds {@code ops} ops. */
    record Written(long ops) implements Reply {}

    record Finished(String reason) implements Reply {}

    /** The journal cannot be replayed (nothing was written), or a write failed. */
    record Failed(String reason, boolean replay) implements Reply {}

    /** The database could not be reached to read the journal: a journal started again later may well succeed. */
    record Unavailable(String reason) implements Reply {}

    /**
     * What the journal holds: the spec and every step (a snapshot is these), and while
     * recovering, the search being rebuilt from them. The steps' ops go to a local file
     * ({@link SnapshotOps}), not the heap: the journal's memory does not grow with the search.
     */
    static final class State<A> {
        SearchSpec spec;
        /** Every step's ops so far, for the next snapshot; null: no snapshots (none asked for, or the file failed). */
        SnapshotOps snapshotOps;

        int ops;
        boolean finished;
        String stopReason;
        int resumes;
        /** Where the last snapshot was taken (not journaled: after a recovery, the next one comes sooner). */
        long snapshotSequenceNr;

        /** Ops at the last snapshot. */
        int snapshotSize;
        /** The snapshot shouldSnapshot read, for toJournal to hand over (and forget). */
        EncodedSnapshot snapshot;
        /** Recovery only: the search replayed from the events; handed to the controller once complete. */
        SearchState<A> replay;

        /** A step written live, or replayed from an in-memory journal (which keeps events as they were persisted). */
        State<A> apply(EncodedStep step) {
            return step(step.ops(), step.body());
        }

        State<A> apply(JournalEvent event) {
            switch (event.getEventCase()) {
                case CREATED -> {
                    spec = event.getCreated();
                    if (replay != null) {
                        replay.created(spec);
                    }
                }
                case STEP ->
                    step(
                            event.getStep().getOpsList(),
                            StepWriter.step(event.getStep().getOpsList()));
                case RESUMED -> resumes++;
                case FINISHED -> {
                    finished = true;
                    stopReason = event.getFinished().getStopReason();
                }
                default ->
                    throw new JournalReplayException("journal event with no content (" + event.getEventCase() + ")");
            }
            return this;
        }

        private State<A> step(List<StepOp> stepOps, byte[] body) {
            if (replay != null) {
                stepOps.forEach(replay::applyOp);
            }
            keepForSnapshot(body);
            ops += stepOps.size();
            return this;
        }

        private void keepForSnapshot(byte[] body) {
            if (snapshotOps != null) {
                try {
                    snapshotOps.append(body);
                } catch (IOException e) {
                    noMoreSnapshots(e);
                }
            }
        }

        /** Null (and no more snapshots taken) when the ops cannot be read back. */
        EncodedSnapshot toSnapshot() {
            try {
                return new EncodedSnapshot(spec, snapshotOps.readAll(), finished, stopReason, resumes);
            } catch (IOException e) {
                noMoreSnapshots(e);
                return null;
            }
        }

        /** Snapshots only save reading events back: without them the search goes on, recovering from its events. */
        private void noMoreSnapshots(IOException e) {
            LOG.warn(
                    "search {}: no more snapshots of its journal (its events hold everything): {}",
                    spec == null ? "?" : spec.getSearchId(),
                    e.toString());
            snapshotOps = null; // the actor closes the file when it stops
        }
    }

    private final ActorContext<Command> context;
    private final SearchSpec spec;
    private final SearchSpace<A> space;
    private final Strategy<A> strategy;
    private final int snapshotEvery;
    private final ActorRef<Reply> controller;
    /**
     * Started again during a live search, whose state the controller holds: recovery only reads
     * what is durable (no replay into the strategy) and reports it, and new steps follow it.
     */
    private final boolean reattach;

    private boolean recoveryReported;
    /** Where every step's ops go for the next snapshot (one file per journal actor, shared by its states). */
    private SnapshotOps snapshotOps;
    /** Steps received since the last write began. */
    private List<EncodedStep> pending = new ArrayList<>();

    static <A> Behavior<Command> create(
            String searchId,
            SearchSpec spec,
            SearchSpace<A> space,
            Strategy<A> strategy,
            int snapshotEvery,
            ActorRef<Reply> controller,
            boolean reattach) {
        return Behaviors.setup(context ->
                new SearchJournal<>(context, searchId, spec, space, strategy, snapshotEvery, controller, reattach));
    }

    static PersistenceId persistenceId(String searchId) {
        return PersistenceId.of("search", searchId);
    }

    /** The node's journal write latency (NodeMeters: archipelago.journal.write). */
    private final io.micrometer.core.instrument.Timer writes;

    private SearchJournal(
            ActorContext<Command> context,
            String searchId,
            SearchSpec spec,
            SearchSpace<A> space,
            Strategy<A> strategy,
            int snapshotEvery,
            ActorRef<Reply> controller,
            boolean reattach) {
        super(persistenceId(searchId));
        this.reattach = reattach;
        this.context = context;
        this.spec = spec;
        this.space = space;
        this.strategy = strategy;
        this.snapshotEvery = snapshotEvery;
        this.controller = controller;
        this.writes =
                io.archipelago.evaluators.NodeMeters.get(context.getSystem()).journalWrite();
    }

    @Override
    public State<A> emptyState() {
        State<A> state = new State<>();
        state.replay = reattach ? null : new SearchState<>(space, strategy);
        state.snapshotOps = emptySnapshotOps();
        return state;
    }

    /**
     * The file this journal's steps go to for its snapshots, emptied for a state that starts from
     * nothing or from a loaded snapshot (recovery always does, however often it runs); null if
     * none are to be taken, or it fails.
     */
    private SnapshotOps emptySnapshotOps() {
        if (snapshotEvery <= 0) {
            return null;
        }
        try {
            if (snapshotOps == null) {
                snapshotOps = SnapshotOps.open(Path.of(System.getProperty("java.io.tmpdir")));
            } else {
                snapshotOps.clear();
            }
            return snapshotOps;
        } catch (IOException e) {
            LOG.warn(
                    "search {}: no snapshots of its journal (its events hold everything): {}",
                    spec.getSearchId(),
                    e.toString());
            return null;
        }
    }

    @Override
    public EventHandler<State<A>, Object> eventHandler() {
        // Events are written as EncodedStep (steps) or JournalEvent (the rest) and read back as JournalEvent.
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(EncodedStep.class, State::apply)
                .onEvent(JournalEvent.class, State::apply)
                .build();
    }

    /**
     * Ops keep coming while a batch is written, and Pekko stashes them meanwhile; its default
     * stash (4096, then dropping) would lose ops of a fast search during a slow write, and a lost op
     * makes the journal unreplayable. A million ops is far beyond a write's worth.
     */
    @Override
    public Optional<Integer> stashCapacity() {
        return Optional.of(1_000_000);
    }

    /**
     * A snapshot holds the whole search, so its cost grows with it: one is taken after at least
     * {@code snapshotEvery} steps and once the search has at least doubled since the last one.
     * Snapshots then cost at most twice the final one in all, and recovery reads one snapshot and
     * at most as many steps as it holds.
     */
    @Override
    public boolean shouldSnapshot(State<A> state, Object event, long sequenceNr) {
        if (state.snapshotOps == null
                || sequenceNr - state.snapshotSequenceNr < snapshotEvery
                || state.ops < 2 * state.snapshotSize) {
            return false;
        }
        // Read here, not in toJournal: a file that fails means no snapshot, never one that loses steps.
        state.snapshot = state.toSnapshot();
        if (state.snapshot == null) {
            return false;
        }
        state.snapshotSequenceNr = sequenceNr;
        state.snapshotSize = state.ops;
        return true;
    }

    @Override
    public SnapshotAdapter<State<A>> snapshotAdapter() {
        return new SnapshotAdapter<>() {
            @Override
            public Object toJournal(State<A> state) {
                EncodedSnapshot snapshot = state.snapshot;
                state.snapshot = null;
                if (snapshot == null) {
                    throw new IllegalStateException("a snapshot the journal did not decide to take (shouldSnapshot)");
                }
                return snapshot;
            }

            @Override
            public State<A> fromJournal(Object from) {
                SearchSnapshot snapshot = (SearchSnapshot) from;
                State<A> state = new State<>();
                state.spec = snapshot.hasSpec() ? snapshot.getSpec() : null;
                state.snapshotOps = emptySnapshotOps();
                state.keepForSnapshot(StepWriter.step(snapshot.getOpsList()));
                state.ops = snapshot.getOpsCount();
                state.finished = snapshot.getFinished();
                state.stopReason = snapshot.getFinished() ? snapshot.getStopReason() : null;
                state.resumes = snapshot.getResumes();
                // The strategy is still fresh: recovery loads at most one snapshot, before any event.
                state.replay = reattach ? null : SearchState.fromSnapshot(space, strategy, snapshot);
                return state;
            }
        };
    }

    @Override
    public SignalHandler<State<A>> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(
                        RecoveryCompleted.instance(), state -> context.getSelf().tell(Flush.INSTANCE))
                .onSignal(PostStop.instance(), state -> closeSnapshotOps())
                // Another journal may try again only if this one replayed nothing into the strategy
                // (a journal reattached to a live search replays into none).
                .onSignal(
                        RecoveryFailed.class,
                        (state, failed) -> controller.tell(
                                JournalKeeper.unreachable(failed.getFailure())
                                                && (reattach || (state.spec == null && state.ops == 0))
                                        ? new Unavailable(JournalReplayException.describe(failed.getFailure()))
                                        : new Failed(JournalReplayException.describe(failed.getFailure()), true)))
                .build();
    }

    @Override
    public CommandHandler<Command, Object, State<A>> commandHandler() {
        return newCommandHandlerBuilder()
                .forAnyState()
                .onCommand(Flush.class, (state, flush) -> !recoveryReported ? recovered(state) : write(state))
                .onCommand(Append.class, (state, append) -> {
                    if (pending.isEmpty()) {
                        context.getSelf().tell(Flush.INSTANCE); // behind whatever else is waiting: they join this write
                    }
                    pending.add(append.step());
                    return Effect().none();
                })
                .onCommand(
                        Resume.class,
                        (state, resume) -> Effect()
                                .persist(JournalEvent.newBuilder()
                                        .setResumed(SearchResumed.newBuilder()
                                                .setController(resume.controller())
                                                .addAllRedispatched(resume.redispatched())
                                                .setResumedAtMs(System.currentTimeMillis()))
                                        .build()))
                .onCommand(Finish.class, (state, finish) -> {
                    List<Object> events = new ArrayList<>(2);
                    if (!pending.isEmpty()) {
                        events.add(step());
                    }
                    SearchEvent.SearchReport report = finish.report();
                    events.add(JournalEvent.newBuilder()
                            .setFinished(io.archipelago.proto.SearchFinished.newBuilder()
                                    .setStopReason(report.stopReason())
                                    .setFinishedAtMs(System.currentTimeMillis())
                                    .setMaxSlots(report.maxSlots())
                                    .setBusySeconds(report.busySeconds())
                                    .setDispatchSeconds(report.dispatchSeconds()))
                            .build());
                    return Effect()
                            .persist(events)
                            .thenRun(s -> controller.tell(new Finished(report.stopReason())))
                            .thenStop();
                })
                .build();
    }

    /** After recovery: a new search writes its spec first; then the controller gets the search. */
    private Effect<Object, State<A>> recovered(State<A> state) {
        recoveryReported = true;
        if (reattach) {
            if (state.spec == null) { // the spec's own write was what failed
                return Effect()
                        .persist(JournalEvent.newBuilder().setCreated(spec).build())
                        .thenRun(s -> controller.tell(new Reattached(s.ops)));
            }
            controller.tell(new Reattached(state.ops));
            return Effect().none();
        }
        SearchState<A> search = state.replay;
        state.replay = null; // the controller owns it now; this actor only records what it is sent
        if (state.spec != null && !state.spec.getSearchId().equals(spec.getSearchId())) {
            controller.tell(new Failed(
                    "the journal holds search " + state.spec.getSearchId() + ", not " + spec.getSearchId(), true));
            return Effect().stop();
        }
        if (state.spec == null) {
            search.created(spec);
            return Effect()
                    .persist(JournalEvent.newBuilder().setCreated(spec).build())
                    .thenRun(s -> controller.tell(new Recovered<>(search, true, false, null, s.ops)));
        }
        controller.tell(new Recovered<>(search, false, state.finished, state.stopReason, state.ops));
        return Effect().none();
    }

    private Effect<Object, State<A>> write(State<A> state) {
        if (pending.isEmpty()) {
            return Effect().none();
        }
        long handed = System.nanoTime();
        return Effect().persist(step()).thenRun(s -> {
            writes.record(System.nanoTime() - handed, java.util.concurrent.TimeUnit.NANOSECONDS);
            controller.tell(new Written(s.ops));
        });
    }

    private void closeSnapshotOps() {
        if (snapshotOps != null) {
            try {
                snapshotOps.close();
            } catch (IOException ignored) { // an unlinked file: nothing is left behind either way
            }
            snapshotOps = null;
        }
    }

    private EncodedStep step() {
        EncodedStep step = EncodedStep.concat(pending);
        pending = new ArrayList<>();
        return step;
    }
}
