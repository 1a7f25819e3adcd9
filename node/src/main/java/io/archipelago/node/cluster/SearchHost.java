package io.archipelago.node.cluster;

import io.archipelago.controller.SearchEvent;
import io.archipelago.controller.SearchSettings;
import io.archipelago.node.SearchCommand;
import io.archipelago.node.SearchSetup;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.journal.JournalReader;
import io.archipelago.node.journal.JournalSettings;
import io.archipelago.proto.SearchSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Where a cluster's searches run: one instance in the whole cluster (a Cluster Singleton on the
 * oldest {@code controller}-role node that shares the journal). When it starts, on the first
 * such node or on another after that one died, it reads the shared journal and resumes every
 * cluster search that has not finished; each one's controller replays its journal and dispatches
 * again what was in flight. {@code archipelago search --cluster --journal URL} sends it the
 * search's spec (a Protobuf message, so it may cross nodes).
 */
public final class SearchHost {
    public static final String NAME = "search-host";

    private record Unfinished(List<SearchSpec> searches, Throwable failure) {}

    private record Ended(String searchId, SearchEvent.SearchReport report, Throwable failure) {}

    private SearchHost() {}

    /** Starts the singleton's manager on this node (every controller-role node calls it) and returns the singleton's proxy. */
    public static ActorRef<Object> init(ActorSystem<?> system, JournalSettings journal) {
        SingletonActor<Object> singleton = SingletonActor.of(behavior(journal), NAME)
                .withSettings(ClusterSingletonSettings.create(system).withRole(NodeRole.CONTROLLER.id()));
        return ClusterSingleton.get(system).init(singleton);
    }

    static Behavior<Object> behavior(JournalSettings journal) {
        return Behaviors.setup(context -> {
            context.getLog().info("search host starts on {}: resuming the unfinished cluster searches of {}", context.getSystem().address(),
                    journal.describe());
            CompletableFuture<List<SearchSpec>> read = CompletableFuture.supplyAsync(() -> unfinished(journal),
                    context.getSystem().dispatchers().lookup(DispatcherSelector.blocking()));
            context.pipeToSelf(read, Unfinished::new);
            Set<String> running = new HashSet<>();
            return Behaviors.receive(Object.class)
                    .onMessage(Unfinished.class, u -> {
                        if (u.failure() != null) {
                            context.getLog().error("cannot read the journal {}: {}", journal.describe(), u.failure().getMessage());
                        } else {
                            for (SearchSpec spec : u.searches()) {
                                start(context, spec, running);
                            }
                        }
                        return Behaviors.same();
                    })
                    .onMessage(SearchSpec.class, spec -> {
                        start(context, spec, running);
                        return Behaviors.same();
                    })
                    .onMessage(Ended.class, ended -> {
                        running.remove(ended.searchId());
                        if (ended.failure() != null) {
                            context.getLog().error("search {} stopped: {}", ended.searchId(), ended.failure().getMessage());
                        } else {
                            context.getLog().info("search {} finished: {} evaluations, {}", ended.searchId(), ended.report().evaluations(),
                                    ended.report().stopReason());
                        }
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    /** The specs of the journal's cluster searches that have not finished (read from each one's first and last events). */
    private static List<SearchSpec> unfinished(JournalSettings journal) {
        List<SearchSpec> searches = new ArrayList<>();
        try (JournalReader reader = JournalReader.open(journal)) {
            for (String id : reader.searchIds()) {
                reader.head(id).filter(h -> !h.finished() && h.spec().getArgsList().contains("--cluster"))
                        .ifPresent(h -> searches.add(h.spec()));
            }
        }
        return searches;
    }

    /** Runs (or resumes: the controller replays whatever the journal has of it) one search as a child of the host. */
    private static void start(ActorContext<Object> context, SearchSpec spec, Set<String> running) {
        if (!running.add(spec.getSearchId())) {
            return; // already running here
        }
        try {
            SearchCommand command = SearchCommand.fromSpec(spec);
            SearchSetup<?> setup = SearchSetup.from(command.options());
            spawn(context, setup, command, spec);
        } catch (RuntimeException e) {
            running.remove(spec.getSearchId());
            context.getLog().error("cannot run search {} from its spec {}: {}", spec.getSearchId(), spec.getArgsList(), e.getMessage());
        }
    }

    private static <A> void spawn(ActorContext<Object> context, SearchSetup<A> setup, SearchCommand command, SearchSpec spec) {
        SearchSettings settings = setup.settings(spec.getSearchId(), command.budget()).minSlots(command.minEvaluators())
                .snapshotEvery(command.snapshotEvery());
        CompletableFuture<SearchEvent.SearchReport> done = new CompletableFuture<>();
        context.spawnAnonymous(Engine.searchBehavior(settings, spec, setup.space, setup.strategy(command.seed()), setup.routerSettings,
                Engine::reportOnly, done));
        context.pipeToSelf(done, (report, failure) -> new Ended(spec.getSearchId(), report, failure));
        context.getLog().info("search {} runs here ({} of {} evaluations)", spec.getSearchId(), spec.getStrategy(), spec.getBudget());
    }
}
