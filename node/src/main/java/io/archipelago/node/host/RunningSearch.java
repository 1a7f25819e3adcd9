package io.archipelago.node.host;

import io.archipelago.controller.Controller;
import io.archipelago.controller.router.Router;
import io.archipelago.proto.LiveSearch;
import io.archipelago.proto.SearchSpec;
import io.archipelago.proto.SearchUpdate;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/** A search that runs on the host: who follows it, its controller (to cancel it) and how far it has got. */
final class RunningSearch {
    final SearchSpec spec;
    final int share;
    final Set<ActorRef<SearchUpdate>> followers = new LinkedHashSet<>();
    final long startedAtMs = System.currentTimeMillis();
    /** Null until the parent has spawned it. */
    ActorRef<Controller.Command> controller;

    int evaluations;
    double bestScore = Double.NaN;
    /** Why it is being cancelled; null: it is not. */
    String cancelling;

    RunningSearch(SearchSpec spec, int share) {
        this.spec = spec;
        this.share = share;
    }

    /** As {@code runs list --seed-nodes} shows it, with the router's view of its slots. */
    LiveSearch live(Router.SearchLoad load) {
        LiveSearch.Builder live = LiveSearch.newBuilder()
                .setSearchId(spec.getSearchId())
                .setStrategy(spec.getStrategy())
                .setObjective(spec.getObjective())
                .setBudget(spec.getBudget())
                .setEvaluations(evaluations)
                .setShare(share)
                .setStartedAtMs(startedAtMs)
                .setCancelling(cancelling != null);
        if (load != null) {
            live.setRunning(load.running()).setWaiting(load.waiting());
        }
        if (!Double.isNaN(bestScore)) {
            live.setBestScore(bestScore);
        }
        return live.build();
    }
}
