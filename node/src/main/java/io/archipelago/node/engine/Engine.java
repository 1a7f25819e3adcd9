package io.archipelago.node.engine;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.archipelago.controller.SearchEvent;
import io.archipelago.controller.SearchSettings;
import io.archipelago.controller.router.Router;
import io.archipelago.controller.strategy.Strategy;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.evaluators.Evaluator;
import io.archipelago.evaluators.EvaluatorActor;
import io.archipelago.evaluators.SlotGauge;
import io.archipelago.node.cluster.AeronDirectory;
import io.archipelago.node.cluster.ClusterSettings;
import io.archipelago.node.cluster.NodeAgent;
import io.archipelago.node.cluster.NodeRole;
import io.archipelago.node.cluster.Transport;
import io.archipelago.proto.EvaluationRequest;
import io.archipelago.proto.EvaluatorPoolStatus;
import io.archipelago.proto.NodeStatus;
import io.archipelago.proto.SearchSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Archipelago node: an actor system with a pool of evaluator actors (one per slot, on the
 * evaluator dispatcher) and a status agent, in which searches run. The same code serves both
 * modes:
 *
 * <ul>
 *   <li>{@link #local}: one JVM holding every role (no network; {@code cluster-conf/single-node.conf});</li>
 *   <li>{@link #cluster}: a Pekko Cluster member with the given roles. Its evaluators register with
 *       the cluster Receptionist, so routers on any node use them; SIGTERM drains them (see
 *       {@link #drain}) before the node leaves.</li>
 * </ul>
 *
 * Each search gets its own router (so its result cache and budget are its own) and controller;
 * results go to the observer the caller supplies.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final ActorSystem<Void> system;
    private final AtomicInteger searches = new AtomicInteger();
    private final List<Pool> pools;
    private final int slots;
    /** Per evaluator kind: its slots' gauge (busy, finished, draining). */
    private final Map<String, SlotGauge> gauges = new java.util.LinkedHashMap<>();
    /** Every slot's actor with the kind it registered under. */
    private final List<Map.Entry<ActorRef<EvaluationRequest>, String>> evaluators = new ArrayList<>();

    /**
     * Evaluator slots of one kind on this node.
     *
     * @param slots evaluator actors (each runs one evaluation at a time)
     * @param evaluators makes the evaluator of slot i; each slot gets its own instance
     */
    public record Pool(int slots, IntFunction<Evaluator> evaluators) {
        public Pool {
            if (slots < 0) {
                throw new IllegalArgumentException("slots must be >= 0, got " + slots);
            }
        }
    }

    private final List<String> roles;
    private final long startNanos = System.nanoTime();
    /** Pools this node hosts besides its own slots (a worker gateway's), read at each status. */
    private final List<java.util.function.Supplier<List<EvaluatorPoolStatus>>> hostedPools =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Aeron UDP: the media driver's directory, deleted once the system has terminated (null: none). */
    private Path aeronDir;

    /**
     * A node in one JVM holding every role.
     *
     * @param slots evaluator actors to start (and threads of the evaluator dispatcher)
     * @param evaluators makes the evaluator of slot i; each slot gets its own instance
     */
    public Engine(int slots, IntFunction<Evaluator> evaluators) {
        this(slots, evaluators, ConfigFactory.empty());
    }

    public Engine(int slots, IntFunction<Evaluator> evaluators, Config overrides) {
        this(List.of(new Pool(check(slots, 1), evaluators)), overrides);
    }

    /** A node in one JVM holding every role, with several pools (e.g. accuracy and latency evaluators). */
    public Engine(List<Pool> pools, Config overrides) {
        this(
                pools,
                overrides.withFallback(ConfigFactory.parseResources("cluster-conf/single-node.conf")),
                NodeRole.ids(java.util.EnumSet.allOf(NodeRole.class)));
    }

    /**
     * A cluster member with {@code cluster}'s roles and {@code slots} evaluators (0: none, e.g. a
     * controller or seed node).
     */
    public static Engine cluster(
            ClusterSettings cluster, int slots, IntFunction<Evaluator> evaluators, Config overrides) {
        return cluster(cluster, slots == 0 ? List.of() : List.of(new Pool(slots, evaluators)), overrides);
    }

    /** A cluster member with {@code cluster}'s roles and these evaluator pools (none: e.g. a controller or seed node). */
    public static Engine cluster(ClusterSettings cluster, List<Pool> pools, Config overrides) {
        Path aeronDir = cluster.transport() == Transport.AERON_UDP
                ? AeronDirectory.prepare(cluster.host(), cluster.port())
                : null;
        Config config = overrides.withFallback(cluster.config(ConfigFactory.load(), aeronDir));
        Engine engine = new Engine(pools, config, NodeRole.ids(cluster.roles()));
        engine.aeronDir = aeronDir;
        return engine;
    }

    private static int check(int slots, int min) {
        if (slots < min) {
            throw new IllegalArgumentException("slots must be >= " + min + ", got " + slots);
        }
        return slots;
    }

    private Engine(List<Pool> pools, Config config, List<String> roles) {
        this.pools = List.copyOf(pools);
        this.slots = pools.stream().mapToInt(Pool::slots).sum();
        this.roles = List.copyOf(roles);
        // A thread per slot, and one per evaluation a scheduler follows (it runs apart from its slot, see
        // EvaluatorActor).
        Config sized = ConfigFactory.parseMap(Map.of(
                        "archipelago.evaluator-dispatcher.thread-pool-executor.fixed-pool-size",
                        Math.max(2, 2 * slots)))
                .withFallback(config.withFallback(ConfigFactory.load()));
        this.system = ActorSystem.create(Behaviors.empty(), ClusterSettings.SYSTEM, sized);
        int actor = 0;
        for (Pool pool : this.pools) {
            for (int i = 0; i < pool.slots(); i++) {
                Evaluator evaluator = pool.evaluators().apply(i);
                SlotGauge gauge = gauges.computeIfAbsent(evaluator.kind(), kind -> new SlotGauge());
                ActorRef<EvaluationRequest> ref = system.systemActorOf(
                        EvaluatorActor.create(evaluator, gauge), "evaluator-" + actor++, EvaluatorActor.dispatcher());
                this.evaluators.add(Map.entry(ref, evaluator.kind()));
            }
        }
        system.systemActorOf(NodeAgent.create(this::status), "node-agent", Props.empty());
        if (isCluster()) {
            CoordinatedShutdown.get(system)
                    .addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "drain-evaluators", this::drain);
        }
    }

    public int slots() {
        return slots;
    }

    public ActorSystem<Void> system() {
        return system;
    }

    public boolean isCluster() {
        return "cluster".equals(system.settings().config().getString("pekko.actor.provider"));
    }

    /** This node's address, e.g. {@code pekko://archipelago@127.0.0.1:2552} (no host and port in local mode). */
    public String address() {
        return system.address().toString();
    }

    /** What this node reports to {@code archipelago cluster status}. */
    public NodeStatus status() {
        NodeStatus.Builder status = NodeStatus.newBuilder()
                .setAddress(address())
                .addAllRoles(roles)
                .setDraining(gauges.values().stream().anyMatch(SlotGauge::draining))
                .setUptimeSeconds((System.nanoTime() - startNanos) / 1e9)
                .setEvaluations(
                        gauges.values().stream().mapToLong(SlotGauge::finished).sum());
        Map<String, Integer> slotsByKind = new java.util.LinkedHashMap<>();
        for (Map.Entry<ActorRef<EvaluationRequest>, String> evaluator : evaluators) {
            slotsByKind.merge(evaluator.getValue(), 1, Integer::sum);
        }
        slotsByKind.forEach((kind, n) -> status.addPools(EvaluatorPoolStatus.newBuilder()
                .setKind(kind)
                .setSlots(n)
                .setBusy(gauges.get(kind).busy())));
        hostedPools.forEach(pools -> status.addAllPools(pools.get()));
        return status.build();
    }

    /** Shows {@code pools} (e.g. a worker gateway's) in this node's status beside its own slots. */
    public void hostPools(java.util.function.Supplier<List<EvaluatorPoolStatus>> pools) {
        hostedPools.add(pools);
    }

    private int busy() {
        return gauges.values().stream().mapToInt(SlotGauge::busy).sum();
    }

    /** Cluster mode: completes when this node is an Up member of the cluster. */
    public CompletionStage<Done> joined() {
        CompletableFuture<Done> up = new CompletableFuture<>();
        org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system))
                .registerOnMemberUp(() -> up.complete(Done.getInstance()));
        return up;
    }

    /**
     * The first step of this node's coordinated shutdown (SIGTERM, {@code close}, or being downed):
     * new requests are handed back to their routers at once; evaluations already running finish
     * (for up to {@code archipelago.node.drain-timeout}); then the evaluators leave the
     * Receptionist, and after {@code archipelago.node.hand-back-grace} (requests already on the
     * wire are handed back meanwhile) the shutdown goes on to leave the cluster.
     */
    private CompletionStage<Done> drain() {
        if (slots == 0) {
            return CompletableFuture.completedFuture(Done.getInstance());
        }
        Config config = system.settings().config();
        Duration timeout = config.getDuration("archipelago.node.drain-timeout");
        Duration grace = config.getDuration("archipelago.node.hand-back-grace");
        gauges.values().forEach(SlotGauge::startDraining);
        LOG.info("draining: {} evaluation(s) running, new requests are handed back", busy());
        return CompletableFuture.supplyAsync(
                () -> {
                    long deadline = System.nanoTime() + timeout.toNanos();
                    try {
                        while (busy() > 0 && System.nanoTime() < deadline) {
                            Thread.sleep(20);
                        }
                        int left = busy();
                        LOG.info(
                                "drained: {} evaluation(s) still running after {}",
                                left,
                                left > 0 ? timeout : "draining");
                        for (Map.Entry<ActorRef<EvaluationRequest>, String> evaluator : evaluators) {
                            system.receptionist()
                                    .tell(Receptionist.deregister(
                                            EvaluatorActor.serviceKey(evaluator.getValue()), evaluator.getKey()));
                        }
                        Thread.sleep(grace.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return Done.getInstance();
                },
                task -> {
                    Thread thread = new Thread(task, "archipelago-drain");
                    thread.setDaemon(true);
                    thread.start();
                });
    }

    /**
     * Starts a search. The observer is spawned from {@code observer}, which is handed a future to
     * complete with the final report; it runs on the blocking-I/O dispatcher (it writes files).
     */
    public <A> CompletionStage<SearchEvent.SearchReport> run(
            SearchSettings settings,
            SearchSpace<A> space,
            Strategy<A> strategy,
            Router.Settings routerSettings,
            Function<CompletableFuture<SearchEvent.SearchReport>, Behavior<SearchEvent>> observer) {
        return run(settings, settings.spec(space.id()).build(), space, strategy, routerSettings, observer);
    }

    /**
     * Starts a search, or resumes it: with a journal that already holds {@code spec.search_id},
     * the controller replays it into {@code strategy} (which must be fresh, made from the spec),
     * dispatches again what was in flight and goes on to the budget.
     */
    public <A> CompletionStage<SearchEvent.SearchReport> run(
            SearchSettings settings,
            SearchSpec spec,
            SearchSpace<A> space,
            Strategy<A> strategy,
            Router.Settings routerSettings,
            Function<CompletableFuture<SearchEvent.SearchReport>, Behavior<SearchEvent>> observer) {
        int n = searches.incrementAndGet();
        CompletableFuture<SearchEvent.SearchReport> done = new CompletableFuture<>();
        system.systemActorOf(
                SearchParent.behavior(settings, spec, space, strategy, routerSettings, observer, done),
                "search-" + n,
                Props.empty());
        return done;
    }

    /** Blocks until the actor system has terminated (e.g. after SIGTERM's coordinated shutdown). */
    public void awaitTermination() throws InterruptedException {
        try {
            system.getWhenTerminated().toCompletableFuture().get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("actor system failed", e.getCause());
        }
        AeronDirectory.release(aeronDir);
    }

    /**
     * Leaves the cluster (after draining, in cluster mode) and stops the actor system. The
     * coordinated shutdown's phases carry the long waits (draining); the system's own termination
     * should follow within seconds, but Aeron's embedded media driver sometimes never lets an
     * actor system of a JVM that ran several finish (its phase times out after 10 s). Then this
     * gives up after 30 s more, with a warning, rather than hold the caller.
     */
    @Override
    public void close() {
        var shutdown = CoordinatedShutdown.get(Adapter.toClassic(system))
                .runAll(CoordinatedShutdown.actorSystemTerminateReason());
        try {
            shutdown.toCompletableFuture().get(isCluster() ? 15 * 60 : 30, TimeUnit.SECONDS);
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            LOG.warn("actor system {} did not terminate in time ({}); going on without it", address(), e.toString());
        }
        AeronDirectory.release(aeronDir);
    }
}
