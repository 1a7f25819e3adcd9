package io.archipelago.node.engine;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.archipelago.controller.Controller;
import io.archipelago.controller.SearchEvent;
import io.archipelago.controller.SearchSettings;
import io.archipelago.controller.router.Router;
import io.archipelago.controller.strategy.Strategy;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.evaluators.Evaluator;
import io.archipelago.evaluators.EvaluatorActor;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Archipelago in one JVM: an actor system with a pool of evaluator actors (one per slot, on the
 * evaluator dispatcher) in which searches run. Each search gets its own router (so its result
 * cache and budget are its own) and controller; results go to the observer the caller supplies.
 */
public final class LocalEngine implements AutoCloseable {
    private final ActorSystem<Void> system;
    private final AtomicInteger searches = new AtomicInteger();
    private final int slots;

    /**
     * @param slots evaluator actors to start (and threads of the evaluator dispatcher)
     * @param evaluators makes the evaluator of slot i; each slot gets its own instance
     */
    public LocalEngine(int slots, IntFunction<Evaluator> evaluators) {
        this(slots, evaluators, ConfigFactory.empty());
    }

    public LocalEngine(int slots, IntFunction<Evaluator> evaluators, Config overrides) {
        if (slots <= 0) {
            throw new IllegalArgumentException("slots must be > 0, got " + slots);
        }
        this.slots = slots;
        Config config = overrides
                .withFallback(ConfigFactory.parseMap(Map.of("archipelago.evaluator-dispatcher.thread-pool-executor.fixed-pool-size", slots)))
                .withFallback(ConfigFactory.load());
        this.system = ActorSystem.create(Behaviors.empty(), "archipelago", config);
        for (int i = 0; i < slots; i++) {
            system.systemActorOf(EvaluatorActor.create(evaluators.apply(i)), "evaluator-" + i, EvaluatorActor.dispatcher());
        }
    }

    public int slots() {
        return slots;
    }

    public ActorSystem<Void> system() {
        return system;
    }

    /**
     * Starts a search. The observer is spawned from {@code observer}, which is handed a future to
     * complete with the final report; it runs on the blocking-I/O dispatcher (it writes files).
     */
    public <A> CompletionStage<SearchEvent.SearchReport> run(SearchSettings settings, SearchSpace<A> space, Strategy<A> strategy,
                                                            Router.Settings routerSettings,
                                                            Function<CompletableFuture<SearchEvent.SearchReport>, Behavior<SearchEvent>> observer) {
        int n = searches.incrementAndGet();
        CompletableFuture<SearchEvent.SearchReport> done = new CompletableFuture<>();
        // One parent per search: when its observer has the final report, the parent stops and
        // takes the search's router and controller with it.
        Behavior<Void> run = Behaviors.setup(context -> {
            ActorRef<SearchEvent> observerRef = context.spawn(observer.apply(done), "observer", DispatcherSelector.blocking());
            ActorRef<Router.Command> router = context.spawn(Router.create(routerSettings), "router");
            context.spawn(Controller.create(settings, space, strategy, router, observerRef), "controller");
            context.watch(observerRef);
            return Behaviors.receive(Void.class)
                    .onSignal(Terminated.class, terminated -> {
                        if (!done.isDone()) {
                            done.completeExceptionally(new IllegalStateException("search " + settings.searchId() + " stopped without a report"));
                        }
                        return Behaviors.stopped();
                    })
                    .build();
        });
        system.systemActorOf(run, "search-" + n, Props.empty());
        return done;
    }

    /** An observer that only completes the future with the report (for benchmarks). */
    public static Behavior<SearchEvent> reportOnly(CompletableFuture<SearchEvent.SearchReport> done) {
        return Behaviors.receive(SearchEvent.class)
                .onMessage(SearchEvent.SearchFinished.class, finished -> {
                    done.complete(finished.report());
                    return Behaviors.stopped();
                })
                .onMessage(SearchEvent.ResultRecorded.class, recorded -> Behaviors.same())
                .build();
    }

    @Override
    public void close() {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            throw new IllegalStateException("actor system did not terminate within " + Duration.ofSeconds(30), e);
        }
    }
}
