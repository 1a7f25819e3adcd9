package io.archipelago.node.engine;

import io.archipelago.controller.Controller;
import io.archipelago.controller.SearchEvent;
import io.archipelago.controller.SearchSettings;
import io.archipelago.controller.journal.JournalReplayException;
import io.archipelago.controller.router.Router;
import io.archipelago.controller.strategy.Strategy;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.proto.SearchSpec;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The per-search parent (one actor per search, whoever starts it: {@link Engine#run} for the
 * benchmarks, the search host for {@code search}), and the observers that only wait for a report.
 * Supervision lives here: a controller that fails ends the run with its cause.
 */
public final class SearchParent {
    private SearchParent() {}

    /**
     * One parent per search: it spawns the search's observer, router and controller; when the
     * observer has the final report, the parent stops and takes the others with it.
     */
    public static <A> Behavior<Void> behavior(
            SearchSettings settings,
            SearchSpec spec,
            SearchSpace<A> space,
            Strategy<A> strategy,
            Router.Settings routerSettings,
            Function<CompletableFuture<SearchEvent.SearchReport>, Behavior<SearchEvent>> observer,
            CompletableFuture<SearchEvent.SearchReport> done) {
        return Behaviors.setup(context -> {
            ActorRef<Router.Command> router = context.spawn(Router.create(routerSettings), "router");
            return run(context, settings, spec, space, strategy, router, observer, done, controller -> {}, () -> {});
        });
    }

    /**
     * A search on a router that others share (a search host's): it joins the router with its own
     * settings and {@code share} of the slots, and leaves it when the parent stops, however the
     * search ended. {@code onController} is handed the controller as it starts (to cancel it).
     */
    public static <A> Behavior<Void> onSharedRouter(
            SearchSettings settings,
            SearchSpec spec,
            SearchSpace<A> space,
            Strategy<A> strategy,
            ActorRef<Router.Command> router,
            Router.Settings routerSettings,
            int share,
            Function<CompletableFuture<SearchEvent.SearchReport>, Behavior<SearchEvent>> observer,
            CompletableFuture<SearchEvent.SearchReport> done,
            Consumer<ActorRef<Controller.Command>> onController) {
        return Behaviors.setup(context -> {
            // Told before the controller exists, so the router has the search's terms before its first message.
            router.tell(new Router.Join(settings.searchId(), share, routerSettings));
            return run(
                    context,
                    settings,
                    spec,
                    space,
                    strategy,
                    router,
                    observer,
                    done,
                    onController,
                    () -> router.tell(new Router.Leave(settings.searchId())));
        });
    }

    private static <A> Behavior<Void> run(
            ActorContext<Void> context,
            SearchSettings settings,
            SearchSpec spec,
            SearchSpace<A> space,
            Strategy<A> strategy,
            ActorRef<Router.Command> router,
            Function<CompletableFuture<SearchEvent.SearchReport>, Behavior<SearchEvent>> observer,
            CompletableFuture<SearchEvent.SearchReport> done,
            Consumer<ActorRef<Controller.Command>> onController,
            Runnable onStop) {
        ActorRef<SearchEvent> observerRef =
                context.spawn(observer.apply(done), "observer", DispatcherSelector.blocking());
        ActorRef<Controller.Command> controller =
                context.spawn(Controller.create(settings, spec, space, strategy, router, observerRef), "controller");
        onController.accept(controller);
        context.watch(observerRef);
        context.watch(controller);
        return Behaviors.receive(Void.class)
                .onSignal(PostStop.class, stopped -> {
                    onStop.run();
                    return Behaviors.same();
                })
                // A controller that throws (a strategy's bug, say) stops without telling the
                // observer: the run fails with its cause rather than wait for a report forever.
                .onSignal(ChildFailed.class, failed -> {
                    if (!done.isDone()) {
                        done.completeExceptionally(new IllegalStateException(
                                "search " + settings.searchId() + " failed: " + failed.getCause(), failed.getCause()));
                    }
                    return Behaviors.stopped();
                })
                // A controller that stops on its own has told the observer how the search ended.
                .onSignal(
                        Terminated.class,
                        terminated ->
                                !terminated.getRef().equals(observerRef) ? Behaviors.same() : stopWith(done, settings))
                .build();
    }

    private static Behavior<Void> stopWith(CompletableFuture<SearchEvent.SearchReport> done, SearchSettings settings) {
        if (!done.isDone()) {
            done.completeExceptionally(
                    new IllegalStateException("search " + settings.searchId() + " stopped without a report"));
        }
        return Behaviors.stopped();
    }

    /** An observer that only completes the future with the report (for benchmarks). */
    public static Behavior<SearchEvent> reportOnly(CompletableFuture<SearchEvent.SearchReport> done) {
        return Behaviors.receive(SearchEvent.class)
                .onMessage(SearchEvent.SearchFinished.class, finished -> {
                    done.complete(finished.report());
                    return Behaviors.stopped();
                })
                .onMessage(SearchEvent.ResultRecorded.class, recorded -> Behaviors.same())
                .onMessage(SearchEvent.SearchAborted.class, aborted -> failWith(done, aborted))
                .build();
    }

    /** An observer's answer to an aborted search: the run's future fails with the reason; the observer stops. */
    public static Behavior<SearchEvent> failWith(
            CompletableFuture<SearchEvent.SearchReport> done, SearchEvent.SearchAborted aborted) {
        done.completeExceptionally(
                aborted.replay()
                        ? new JournalReplayException(aborted.reason())
                        : new IllegalStateException(aborted.reason()));
        return Behaviors.stopped();
    }
}
