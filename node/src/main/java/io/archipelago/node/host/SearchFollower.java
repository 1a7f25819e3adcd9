package io.archipelago.node.host;

import io.archipelago.controller.SearchEvent;
import io.archipelago.controller.journal.JournalReplayException;
import io.archipelago.proto.FollowSearch;
import io.archipelago.proto.RunSearch;
import io.archipelago.proto.SearchEnded;
import io.archipelago.proto.SearchSpec;
import io.archipelago.proto.SearchUpdate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The submitter's side of the search host's protocol: submits a search, hands each result to
 * {@code onResult} as it is recorded, and completes {@code done} with the search's report (or
 * its failure) when the host says it ended. It runs on the blocking-I/O dispatcher: what it is
 * handed usually writes files.
 */
public final class SearchFollower {
    private enum Refollow {
        TICK
    }

    private SearchFollower() {}

    /**
     * @param refollow how often to tell the host again that this follower follows the search (a
     *     cluster's host may move to another node and resume the search there); null: never (a
     *     host in this JVM lives as long as the follower)
     */
    public static Behavior<Object> submit(
            ActorRef<Object> host,
            SearchSpec spec,
            Consumer<SearchEvent.ResultRecorded> onResult,
            CompletableFuture<SearchEvent.SearchReport> done,
            Duration refollow) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            String self = ActorRefResolver.get(context.getSystem()).toSerializationFormat(context.getSelf());
            host.tell(RunSearch.newBuilder().setSpec(spec).setFollower(self).build());
            if (refollow != null) {
                timers.startTimerWithFixedDelay(Refollow.TICK, refollow);
            }
            FollowSearch follow = FollowSearch.newBuilder()
                    .setSearchId(spec.getSearchId())
                    .setFollower(self)
                    .build();
            return Behaviors.receive(Object.class)
                    .onMessageEquals(Refollow.TICK, () -> {
                        host.tell(follow);
                        return Behaviors.same();
                    })
                    .onMessage(SearchUpdate.class, update -> {
                        if (update.hasRecorded()) {
                            try {
                                onResult.accept(SearchUpdates.event(update.getRecorded()));
                            } catch (
                                    RuntimeException
                                            e) { // a file that cannot be written: the run fails rather than hang
                                done.completeExceptionally(e);
                                return Behaviors.stopped();
                            }
                            return Behaviors.same();
                        }
                        end(update.getSearchId(), update.getEnded(), done);
                        return Behaviors.stopped();
                    })
                    .build();
        }));
    }

    private static void end(String searchId, SearchEnded ended, CompletableFuture<SearchEvent.SearchReport> done) {
        if (ended.getFailure().isEmpty()) {
            done.complete(SearchUpdates.report(searchId, ended.getOutcome()));
        } else {
            done.completeExceptionally(
                    ended.getReplay()
                            ? new JournalReplayException(ended.getFailure())
                            : new IllegalStateException(ended.getFailure()));
        }
    }
}
