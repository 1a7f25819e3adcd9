package io.archipelago.node.host;

import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.node.cluster.NodeRole;
import io.archipelago.node.journal.JournalSettings;
import io.archipelago.proto.CancelSearch;
import io.archipelago.proto.ListSearches;
import io.archipelago.proto.RunSearch;
import io.archipelago.proto.SearchEnded;
import io.archipelago.proto.SearchSpec;
import io.archipelago.proto.SearchUpdate;
import io.archipelago.proto.SearchesListed;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The cluster's search host as a member without the controller role sees it: submit a search
 * without following it, list the searches it runs, cancel one. Each call is one request to the
 * host singleton (through its proxy, which finds the host wherever it runs) and its answer.
 */
public final class HostClient {
    /** How often a cancel is told again until the search has ended: a host that took over after a fail-over cancels it too. */
    private static final Duration RECANCEL = Duration.ofSeconds(3);

    private final ActorSystem<?> system;
    private final ActorRef<Object> host;

    private HostClient(ActorSystem<?> system, ActorRef<Object> host) {
        this.system = system;
        this.host = host;
    }

    /** The proxy of the cluster's host singleton (this member hosts nothing: it has no controller role). */
    public static HostClient of(ActorSystem<?> system) {
        SingletonActor<Object> proxyOnly = SingletonActor.of(Behaviors.<Object>ignore(), SearchHost.NAME)
                .withSettings(ClusterSingletonSettings.create(system).withRole(NodeRole.CONTROLLER.id()));
        return new HostClient(system, ClusterSingleton.get(system).init(proxyOnly));
    }

    /**
     * Submits the search without following it; completes with the host's node once the search runs
     * there and its spec is in {@code journal}, or fails with why it cannot run.
     */
    public CompletableFuture<String> submitDetached(SearchSpec spec, JournalSettings journal, Duration timeout) {
        CompletableFuture<SearchUpdate> answer = new CompletableFuture<>();
        system.systemActorOf(
                oneAnswer(
                        self -> host.tell(RunSearch.newBuilder()
                                .setSpec(spec)
                                .setFollower(self)
                                .setDetach(true)
                                .build()),
                        null,
                        answer),
                "detach-" + Integer.toHexString(spec.getSearchId().hashCode()),
                org.apache.pekko.actor.typed.Props.empty());
        return answer.orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .thenApply(update -> {
                    if (update.hasEnded()) {
                        throw new IllegalStateException(update.getEnded().getFailure());
                    }
                    return update.getAccepted().getHost();
                });
    }

    /** Cancels the search and completes with its report once it has ended (it may already have). */
    public CompletableFuture<SearchReport> cancel(String searchId, String reason) {
        CompletableFuture<SearchUpdate> answer = new CompletableFuture<>();
        CancelSearch.Builder cancel =
                CancelSearch.newBuilder().setSearchId(searchId).setReason(reason);
        system.systemActorOf(
                oneAnswer(self -> host.tell(cancel.setFollower(self).build()), RECANCEL, answer),
                "cancel-" + Integer.toHexString(searchId.hashCode()),
                org.apache.pekko.actor.typed.Props.empty());
        return answer.thenApply(update -> {
            SearchEnded ended = update.getEnded();
            if (!ended.getFailure().isEmpty()) {
                throw new IllegalArgumentException(ended.getFailure());
            }
            return SearchUpdates.report(searchId, ended.getOutcome());
        });
    }

    /** The searches the host runs now. */
    public CompletionStage<SearchesListed> list(Duration timeout) {
        ActorRefResolver refs = ActorRefResolver.get(system);
        return AskPattern.ask(
                host,
                (ActorRef<SearchesListed> replyTo) -> ListSearches.newBuilder()
                        .setReplyTo(refs.toSerializationFormat(replyTo))
                        .build(),
                timeout,
                system.scheduler());
    }

    private enum Again {
        TICK
    }

    /**
     * Sends the request (with this actor as its follower) and, every {@code again} if not null,
     * sends it again; completes {@code answer} with the first update that is not a recorded result.
     */
    private static Behavior<Object> oneAnswer(
            java.util.function.Consumer<String> request, Duration again, CompletableFuture<SearchUpdate> answer) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            String self = ActorRefResolver.get(context.getSystem()).toSerializationFormat(context.getSelf());
            request.accept(self);
            if (again != null) {
                timers.startTimerWithFixedDelay(Again.TICK, again);
            }
            return Behaviors.receive(Object.class)
                    .onMessageEquals(Again.TICK, () -> {
                        request.accept(self);
                        return Behaviors.same();
                    })
                    .onMessage(SearchUpdate.class, update -> {
                        if (update.hasRecorded()) {
                            return Behaviors.same();
                        }
                        answer.complete(update);
                        return Behaviors.stopped();
                    })
                    .build();
        }));
    }
}
