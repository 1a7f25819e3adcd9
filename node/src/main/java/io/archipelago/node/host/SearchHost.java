package io.archipelago.node.host;

import io.archipelago.controller.Controller;
import io.archipelago.controller.SearchEvent;
import io.archipelago.controller.journal.JournalReplayException;
import io.archipelago.controller.router.Router;
import io.archipelago.node.cluster.NodeRole;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.engine.SearchParent;
import io.archipelago.node.journal.JournalReader;
import io.archipelago.node.journal.JournalSettings;
import io.archipelago.node.journal.SearchRecord;
import io.archipelago.node.setup.SearchDefinition;
import io.archipelago.proto.CancelSearch;
import io.archipelago.proto.FollowSearch;
import io.archipelago.proto.ListSearches;
import io.archipelago.proto.RunSearch;
import io.archipelago.proto.SearchAccepted;
import io.archipelago.proto.SearchSpec;
import io.archipelago.proto.SearchUpdate;
import io.archipelago.proto.SearchesListed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Where searches run. A submitter ({@code archipelago search}) sends it {@link RunSearch} with the
 * search's spec and gets the search's updates pushed back ({@link SearchUpdate}): every result as
 * it is recorded, then how it ended. The host spawns each search as its child (the per-search
 * parent of {@link Engine#searchBehavior}: controller, router, observer) and relays its events.
 *
 * <p>The same behaviour runs both ways: a local search spawns it as a plain actor of its own JVM;
 * on a cluster with a shared journal it is a Cluster Singleton on the oldest {@code
 * controller}-role node. When it starts there (on the first such node, or on another after that
 * one died) it reads the journal and resumes every cluster search that has not finished; each
 * one's controller replays its journal and dispatches again what was in flight. Submitters on
 * other nodes keep sending {@link FollowSearch}, so the host that resumed their search after a
 * fail-over learns where its updates go; messages are Protobuf, so they cross nodes.
 *
 * <p>Its searches share one router, so they share the evaluator slots by their weights (a
 * search's {@code --share}) and never book one slot twice. A search can be submitted detached
 * ({@code RunSearch.detach}), listed as it runs ({@link ListSearches}) and cancelled ({@link
 * CancelSearch}).
 */
public final class SearchHost {
    public static final String NAME = "search-host";

    private record Unfinished(List<SearchSpec> searches, Throwable failure) {}

    /** An event of a running search, from its observer. */
    private record Relayed(String searchId, SearchEvent event) {}

    /** A search's run completed its future (after its last event, or without one: a controller that threw). */
    private record Ended(String searchId, Throwable failure) {}

    /**
     * What the journal says of a search that a follower asked about (or asked to cancel: {@code
     * cancel}) and that does not run here.
     */
    private record Looked(
            String searchId, String follower, boolean cancel, Optional<SearchRecord> record, Throwable failure) {}

    /** A search's parent spawned its controller. */
    private record ControllerStarted(String searchId, ActorRef<Controller.Command> controller) {}

    /** The router's load, for a {@link ListSearches}. */
    private record LoadReported(String replyTo, Router.Load load) {}

    private final ActorContext<Object> context;
    private final JournalSettings journal;
    private final BiFunction<SearchSpec, JournalSettings, HostedSearch<?>> searches;
    private final ActorRefResolver refs;
    /** The router every search here shares. */
    private final ActorRef<Router.Command> router;
    /** Running searches, with who follows each. */
    private final Map<String, RunningSearch> running = new HashMap<>();

    private SearchHost(
            ActorContext<Object> context,
            JournalSettings journal,
            BiFunction<SearchSpec, JournalSettings, HostedSearch<?>> searches) {
        this.context = context;
        this.journal = journal;
        this.searches = searches;
        this.refs = ActorRefResolver.get(context.getSystem());
        this.router = context.spawn(Router.create(Router.Settings.DEFAULTS), "router");
    }

    /** A cluster's host: starts the singleton's manager on this node (every controller-role node calls it) and returns its proxy. */
    public static ActorRef<Object> init(ActorSystem<?> system, JournalSettings journal) {
        SingletonActor<Object> singleton = SingletonActor.of(behavior(journal, HostedSearch::fromSpec, true), NAME)
                .withSettings(ClusterSingletonSettings.create(system).withRole(NodeRole.CONTROLLER.id()));
        return ClusterSingleton.get(system).init(singleton);
    }

    /**
     * @param searches how a spec becomes a search to run
     * @param resumeUnfinished resume the journal's unfinished cluster searches at start (a cluster's host)
     */
    public static Behavior<Object> behavior(
            JournalSettings journal,
            BiFunction<SearchSpec, JournalSettings, HostedSearch<?>> searches,
            boolean resumeUnfinished) {
        return Behaviors.setup(context -> {
            SearchHost host = new SearchHost(context, journal, searches);
            if (resumeUnfinished) {
                context.getLog()
                        .info(
                                "search host starts on {}: resuming the unfinished cluster searches of {}",
                                context.getSystem().address(),
                                journal.describe());
                context.pipeToSelf(
                        CompletableFuture.supplyAsync(() -> unfinished(journal), blocking(context)), Unfinished::new);
            }
            return host.receive();
        });
    }

    private Behavior<Object> receive() {
        return Behaviors.receive(Object.class)
                .onMessage(RunSearch.class, run -> {
                    start(run.getSpec(), follower(run.getFollower()), run.getDetach());
                    return Behaviors.same();
                })
                .onMessage(FollowSearch.class, this::onFollow)
                .onMessage(CancelSearch.class, this::onCancel)
                .onMessage(ListSearches.class, this::onList)
                .onMessage(LoadReported.class, this::onLoad)
                .onMessage(ControllerStarted.class, started -> {
                    RunningSearch search = running.get(started.searchId());
                    if (search != null) {
                        search.controller = started.controller();
                        if (search.cancelling != null) {
                            started.controller().tell(new Controller.Cancel(search.cancelling));
                        }
                    }
                    return Behaviors.same();
                })
                .onMessage(Relayed.class, relayed -> {
                    io.archipelago.node.ops.SearchMetrics.get(context.getSystem())
                            .record(relayed.searchId(), relayed.event());
                    onEvent(relayed.searchId(), relayed.event());
                    return Behaviors.same();
                })
                .onMessage(Ended.class, ended -> {
                    // Followers still here were told nothing: the controller threw rather than end the search.
                    RunningSearch search = running.remove(ended.searchId());
                    Set<ActorRef<SearchUpdate>> following = search == null ? null : search.followers;
                    if (ended.failure() != null && following != null) {
                        boolean replay = ended.failure() instanceof JournalReplayException;
                        context.getLog()
                                .error(
                                        "search {} stopped: {}",
                                        ended.searchId(),
                                        ended.failure().getMessage());
                        tell(
                                following,
                                SearchUpdates.failed(
                                        ended.searchId(), ended.failure().getMessage(), replay));
                    }
                    return Behaviors.same();
                })
                .onMessage(Looked.class, this::onLooked)
                .onMessage(Unfinished.class, u -> {
                    if (u.failure() != null) {
                        context.getLog()
                                .error(
                                        "cannot read the journal {}: {}",
                                        journal.describe(),
                                        u.failure().getMessage());
                    } else {
                        u.searches().forEach(spec -> start(spec, null, false));
                    }
                    return Behaviors.same();
                })
                .build();
    }

    private ActorRef<SearchUpdate> follower(String serialized) {
        return serialized.isEmpty() ? null : refs.resolveActorRef(serialized);
    }

    /**
     * Runs (or resumes: the controller replays whatever the journal has of it) one search as a
     * child of the host. A detached submitter is told it runs, and follows nothing.
     */
    private void start(SearchSpec spec, ActorRef<SearchUpdate> follower, boolean detach) {
        String id = spec.getSearchId();
        RunningSearch already = running.get(id);
        if (already != null) {
            if (detach && follower != null) {
                tell(Set.of(follower), accepted(id));
            } else if (follower != null && !detach) {
                already.followers.add(follower);
            }
            return;
        }
        HostedSearch<?> search;
        try {
            search = searches.apply(spec, journal);
        } catch (RuntimeException e) {
            context.getLog().error("cannot run search {} from its spec: {}", id, e.getMessage());
            tell(
                    follower == null ? Set.of() : Set.of(follower),
                    SearchUpdates.failed(id, "cannot run search " + id + ": " + e.getMessage(), false));
            return;
        }
        RunningSearch started = new RunningSearch(spec, search.share());
        if (follower != null && !detach) {
            started.followers.add(follower);
        }
        running.put(id, started);
        spawn(search, spec);
        if (detach && follower != null) {
            tell(Set.of(follower), accepted(id));
        }
    }

    private SearchUpdate accepted(String searchId) {
        return SearchUpdate.newBuilder()
                .setSearchId(searchId)
                .setAccepted(SearchAccepted.newBuilder()
                        .setHost(context.getSystem().address().toString()))
                .build();
    }

    private <A> void spawn(HostedSearch<A> search, SearchSpec spec) {
        String id = spec.getSearchId();
        ActorRef<Object> self = context.getSelf();
        CompletableFuture<SearchEvent.SearchReport> done = new CompletableFuture<>();
        context.spawnAnonymous(SearchParent.onSharedRouter(
                search.settings(),
                spec,
                search.space(),
                search.strategy(),
                router,
                search.router(),
                search.share(),
                finished -> relay(id, self, finished),
                done,
                controller -> self.tell(new ControllerStarted(id, controller))));
        context.pipeToSelf(done, (report, failure) -> new Ended(id, failure));
        context.getLog()
                .info(
                        "search {} runs here ({} of {} evaluations, share {})",
                        id,
                        spec.getStrategy(),
                        spec.getBudget(),
                        search.share());
    }

    /**
     * The search's observer: hands every event to the host and completes the run's future at the
     * end. The host relays them in the order they came, the end after the last result.
     */
    private static Behavior<SearchEvent> relay(
            String searchId, ActorRef<Object> host, CompletableFuture<SearchEvent.SearchReport> done) {
        return Behaviors.receive(SearchEvent.class)
                .onMessage(SearchEvent.ResultRecorded.class, recorded -> {
                    host.tell(new Relayed(searchId, recorded));
                    return Behaviors.same();
                })
                .onMessage(SearchEvent.SearchFinished.class, finished -> {
                    host.tell(new Relayed(searchId, finished));
                    done.complete(finished.report());
                    return Behaviors.stopped();
                })
                .onMessage(SearchEvent.SearchAborted.class, aborted -> {
                    host.tell(new Relayed(searchId, aborted));
                    return SearchParent.failWith(done, aborted);
                })
                .build();
    }

    private void onEvent(String searchId, SearchEvent event) {
        RunningSearch search = running.get(searchId);
        if (search == null) {
            return;
        }
        Set<ActorRef<SearchUpdate>> following = search.followers;
        if (event instanceof SearchEvent.ResultRecorded recorded) {
            search.evaluations = recorded.evaluations();
            if (!Double.isNaN(recorded.bestScore())) {
                search.bestScore = recorded.bestScore();
            }
            tell(following, SearchUpdates.recorded(searchId, recorded));
        } else if (event instanceof SearchEvent.SearchFinished finished) {
            context.getLog()
                    .info(
                            "search {} finished: {} evaluations, {}",
                            searchId,
                            finished.report().evaluations(),
                            finished.report().stopReason());
            running.remove(searchId);
            tell(following, SearchUpdates.finished(finished.report()));
        } else if (event instanceof SearchEvent.SearchAborted aborted) {
            context.getLog().error("search {} stopped: {}", searchId, aborted.reason());
            running.remove(searchId);
            tell(following, SearchUpdates.failed(searchId, aborted.reason(), aborted.replay()));
        }
    }

    private Behavior<Object> onFollow(FollowSearch follow) {
        return followOrLookUp(follow.getSearchId(), follow.getFollower(), false);
    }

    /** {@code follower} follows the search if it runs here; else the journal answers it. */
    private Behavior<Object> followOrLookUp(String searchId, String serializedFollower, boolean cancel) {
        ActorRef<SearchUpdate> follower = follower(serializedFollower);
        if (follower == null) {
            return Behaviors.same(); // nobody to tell: a malformed request
        }
        RunningSearch search = running.get(searchId);
        if (search != null) {
            search.followers.add(follower);
        } else {
            context.pipeToSelf(
                    CompletableFuture.supplyAsync(
                            () -> {
                                try (JournalReader reader = JournalReader.open(journal)) {
                                    return reader.search(searchId);
                                }
                            },
                            blocking(context)),
                    (record, failure) -> new Looked(searchId, serializedFollower, cancel, record, failure));
        }
        return Behaviors.same();
    }

    private Behavior<Object> onCancel(CancelSearch cancel) {
        RunningSearch search = running.get(cancel.getSearchId());
        if (search != null && search.cancelling == null) {
            search.cancelling = cancel.getReason().isBlank() ? "no reason given" : cancel.getReason();
            context.getLog().info("search {}: cancel asked ({})", cancel.getSearchId(), search.cancelling);
            if (search.controller != null) { // else it is told when its parent has spawned it
                search.controller.tell(new Controller.Cancel(search.cancelling));
            }
        }
        return followOrLookUp(cancel.getSearchId(), cancel.getFollower(), true);
    }

    private Behavior<Object> onList(ListSearches list) {
        context.pipeToSelf(
                AskPattern.<Router.Command, Router.Load>ask(
                        router,
                        Router.ReportLoad::new,
                        Duration.ofSeconds(5),
                        context.getSystem().scheduler()),
                (load, failure) -> new LoadReported(list.getReplyTo(), load));
        return Behaviors.same();
    }

    private Behavior<Object> onLoad(LoadReported reported) {
        ActorRef<SearchesListed> replyTo;
        try {
            replyTo = refs.resolveActorRef(reported.replyTo());
        } catch (RuntimeException malformed) {
            return Behaviors.same();
        }
        SearchesListed.Builder listed = SearchesListed.newBuilder()
                .setHost(context.getSystem().address().toString());
        for (RunningSearch search : running.values()) {
            listed.addSearches(search.live(
                    reported.load() == null ? null : reported.load().searches().get(search.spec.getSearchId())));
        }
        replyTo.tell(listed.build());
        return Behaviors.same();
    }

    /**
     * A search that finished while its follower was away (a fail-over) is answered from the
     * journal; a cancel of a search that does not run here (and has not finished) fails, saying so.
     */
    private Behavior<Object> onLooked(Looked looked) {
        Set<ActorRef<SearchUpdate>> asker = Set.of(follower(looked.follower()));
        if (looked.failure() != null) {
            context.getLog()
                    .warn(
                            "cannot read search {} from the journal: {}",
                            looked.searchId(),
                            looked.failure().getMessage());
            if (looked.cancel()) {
                tell(
                        asker,
                        SearchUpdates.failed(
                                looked.searchId(),
                                "cannot read search " + looked.searchId() + " from the journal: "
                                        + looked.failure().getMessage(),
                                false));
            }
        } else if (looked.record().isPresent() && looked.record().get().finished()) {
            SearchRecord record = looked.record().get();
            tell(
                    asker,
                    SearchUpdate.newBuilder()
                            .setSearchId(record.searchId())
                            .setEnded(io.archipelago.proto.SearchEnded.newBuilder()
                                    .setOutcome(SearchUpdates.outcome(record)))
                            .build());
        } else if (looked.cancel() && !running.containsKey(looked.searchId())) {
            tell(
                    asker,
                    SearchUpdates.failed(
                            looked.searchId(),
                            looked.record().isPresent()
                                    ? "search " + looked.searchId()
                                            + " is not running on the search host (it may be resuming after a "
                                            + "fail-over: try again in a few seconds)"
                                    : "no search " + looked.searchId() + " in " + journal.describe(),
                            false));
        }
        return Behaviors.same();
    }

    private static void tell(Set<ActorRef<SearchUpdate>> following, SearchUpdate update) {
        if (following != null) {
            following.forEach(f -> f.tell(update));
        }
    }

    /** The specs of the journal's cluster searches that have not finished (read from each one's first and last events). */
    private static List<SearchSpec> unfinished(JournalSettings journal) {
        List<SearchSpec> searches = new ArrayList<>();
        try (JournalReader reader = JournalReader.open(journal)) {
            for (String id : reader.searchIds()) {
                reader.head(id)
                        .filter(h -> !h.finished() && isCluster(h.spec()))
                        .ifPresent(h -> searches.add(h.spec()));
            }
        }
        return searches;
    }

    /** A spec that does not decode is not resumed here (start would log why, for every host start: once is enough). */
    private static boolean isCluster(SearchSpec spec) {
        try {
            return SearchDefinition.of(spec).cluster();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static java.util.concurrent.Executor blocking(ActorContext<?> context) {
        return context.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    }
}
