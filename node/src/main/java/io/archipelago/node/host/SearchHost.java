package io.archipelago.node.host;

import io.archipelago.controller.SearchEvent;
import io.archipelago.controller.journal.JournalReplayException;
import io.archipelago.node.cluster.NodeRole;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.engine.SearchParent;
import io.archipelago.node.journal.JournalReader;
import io.archipelago.node.journal.JournalSettings;
import io.archipelago.node.journal.SearchRecord;
import io.archipelago.node.setup.SearchDefinition;
import io.archipelago.proto.FollowSearch;
import io.archipelago.proto.RunSearch;
import io.archipelago.proto.SearchSpec;
import io.archipelago.proto.SearchUpdate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
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
 */
public final class SearchHost {
    public static final String NAME = "search-host";

    private record Unfinished(List<SearchSpec> searches, Throwable failure) {}

    /** An event of a running search, from its observer. */
    private record Relayed(String searchId, SearchEvent event) {}

    /** A search's run completed its future (after its last event, or without one: a controller that threw). */
    private record Ended(String searchId, Throwable failure) {}

    /** What the journal says of a search that a follower asked about and that does not run here. */
    private record Looked(FollowSearch follow, Optional<SearchRecord> record, Throwable failure) {}

    private final ActorContext<Object> context;
    private final JournalSettings journal;
    private final BiFunction<SearchSpec, JournalSettings, HostedSearch<?>> searches;
    private final ActorRefResolver refs;
    /** Running searches and who follows each. */
    private final Map<String, Set<ActorRef<SearchUpdate>>> followers = new HashMap<>();

    private SearchHost(
            ActorContext<Object> context,
            JournalSettings journal,
            BiFunction<SearchSpec, JournalSettings, HostedSearch<?>> searches) {
        this.context = context;
        this.journal = journal;
        this.searches = searches;
        this.refs = ActorRefResolver.get(context.getSystem());
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
                    start(run.getSpec(), follower(run.getFollower()));
                    return Behaviors.same();
                })
                .onMessage(FollowSearch.class, this::onFollow)
                .onMessage(Relayed.class, relayed -> {
                    io.archipelago.node.ops.SearchMetrics.get(context.getSystem())
                            .record(relayed.searchId(), relayed.event());
                    onEvent(relayed.searchId(), relayed.event());
                    return Behaviors.same();
                })
                .onMessage(Ended.class, ended -> {
                    // Followers still here were told nothing: the controller threw rather than end the search.
                    Set<ActorRef<SearchUpdate>> following = followers.remove(ended.searchId());
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
                        u.searches().forEach(spec -> start(spec, null));
                    }
                    return Behaviors.same();
                })
                .build();
    }

    private ActorRef<SearchUpdate> follower(String serialized) {
        return serialized.isEmpty() ? null : refs.resolveActorRef(serialized);
    }

    /** Runs (or resumes: the controller replays whatever the journal has of it) one search as a child of the host. */
    private void start(SearchSpec spec, ActorRef<SearchUpdate> follower) {
        String id = spec.getSearchId();
        Set<ActorRef<SearchUpdate>> following = followers.get(id);
        if (following != null) { // already running here
            if (follower != null) {
                following.add(follower);
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
        following = new LinkedHashSet<>();
        if (follower != null) {
            following.add(follower);
        }
        followers.put(id, following);
        spawn(search, spec);
    }

    private <A> void spawn(HostedSearch<A> search, SearchSpec spec) {
        String id = spec.getSearchId();
        ActorRef<Object> self = context.getSelf();
        CompletableFuture<SearchEvent.SearchReport> done = new CompletableFuture<>();
        context.spawnAnonymous(SearchParent.behavior(
                search.settings(),
                spec,
                search.space(),
                search.strategy(),
                search.router(),
                finished -> relay(id, self, finished),
                done));
        context.pipeToSelf(done, (report, failure) -> new Ended(id, failure));
        context.getLog().info("search {} runs here ({} of {} evaluations)", id, spec.getStrategy(), spec.getBudget());
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
        Set<ActorRef<SearchUpdate>> following = followers.get(searchId);
        if (following == null) {
            return;
        }
        if (event instanceof SearchEvent.ResultRecorded recorded) {
            tell(following, SearchUpdates.recorded(searchId, recorded));
        } else if (event instanceof SearchEvent.SearchFinished finished) {
            context.getLog()
                    .info(
                            "search {} finished: {} evaluations, {}",
                            searchId,
                            finished.report().evaluations(),
                            finished.report().stopReason());
            tell(followers.remove(searchId), SearchUpdates.finished(finished.report()));
        } else if (event instanceof SearchEvent.SearchAborted aborted) {
            context.getLog().error("search {} stopped: {}", searchId, aborted.reason());
            tell(followers.remove(searchId), SearchUpdates.failed(searchId, aborted.reason(), aborted.replay()));
        }
    }

    private Behavior<Object> onFollow(FollowSearch follow) {
        ActorRef<SearchUpdate> follower = follower(follow.getFollower());
        if (follower == null) {
            return Behaviors.same(); // nobody to tell: a malformed request
        }
        Set<ActorRef<SearchUpdate>> following = followers.get(follow.getSearchId());
        if (following != null) {
            following.add(follower);
        } else {
            context.pipeToSelf(
                    CompletableFuture.supplyAsync(
                            () -> {
                                try (JournalReader reader = JournalReader.open(journal)) {
                                    return reader.search(follow.getSearchId());
                                }
                            },
                            blocking(context)),
                    (record, failure) -> new Looked(follow, record, failure));
        }
        return Behaviors.same();
    }

    /** A search that finished while its follower was away (a fail-over) is answered from the journal. */
    private Behavior<Object> onLooked(Looked looked) {
        if (looked.failure() != null) {
            context.getLog()
                    .warn(
                            "cannot read search {} from the journal: {}",
                            looked.follow().getSearchId(),
                            looked.failure().getMessage());
        } else if (looked.record().isPresent() && looked.record().get().finished()) {
            SearchRecord record = looked.record().get();
            tell(
                    Set.of(follower(looked.follow().getFollower())),
                    SearchUpdate.newBuilder()
                            .setSearchId(record.searchId())
                            .setEnded(io.archipelago.proto.SearchEnded.newBuilder()
                                    .setOutcome(SearchUpdates.outcome(record)))
                            .build());
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
