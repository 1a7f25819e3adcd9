package io.archipelago.evaluators;

import io.archipelago.proto.EvaluatorPoolStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * A node's meters (Micrometer), one registry per actor system, so that every module below the
 * command line records into it without being handed it: evaluator slots (their busy and free
 * counts, each evaluation's duration), the journal's write latency, the router's queue depth,
 * and what the node records of the searches it hosts.
 *
 * <p>The registry is a {@link CompositeMeterRegistry}: while nothing is added to it (no
 * {@code --management}), every meter is a no-op and costs next to nothing; a node that serves
 * {@code /metrics} names its Prometheus registry in {@link #EXPORT_KEY}, which joins it when the
 * extension is made, before any meter. Callers resolve their meters once (per kind, per search) and keep them:
 * nothing on a hot path looks a meter up.
 *
 * <p>Meter names (Prometheus renders them in snake case with unit suffixes):
 *
 * <ul>
 *   <li>{@code archipelago.evaluator.slots} (gauge; tags {@code kind}, {@code state} = busy | free):
 *       this node's evaluator slots of each kind, and those of the pools it hosts ({@link #hostPools});
 *   <li>{@code archipelago.evaluation.duration} (timer with a percentile histogram; tag {@code kind}):
 *       how long each evaluation on this node's slots took, whatever its outcome;
 *   <li>{@code archipelago.journal.write} (timer with a percentile histogram): from a batch of a
 *       search's steps handed to the journal to the journal saying it is durable;
 *   <li>{@code archipelago.queue.depth} (gauge; tags {@code kind}, {@code search}): candidates a
 *       router holds for a pool that no slot has taken yet ({@link #queueDepth}).
 * </ul>
 */
public final class NodeMeters implements Extension {
    /** Evaluations last from a millisecond (a table look-up with a simulated time) to hours (training). */
    private static final Duration SHORTEST = Duration.ofMillis(1);

    private static final Duration LONGEST = Duration.ofHours(4);

    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
    private final ConcurrentMap<String, Slots> slots = new ConcurrentHashMap<>();
    private final Timer journalWrite;
    /** Slots this node hosts besides its own evaluator actors (a worker gateway's workers), read at each scrape. */
    private final List<Supplier<List<EvaluatorPoolStatus>>> hostedPools = new CopyOnWriteArrayList<>();

    private final MultiGauge hostedSlots;

    /**
     * Names a {@code java.util.function.Supplier<MeterRegistry>} (public, no-argument constructor)
     * whose registry joins the composite before any meter exists (a node that exports its meters
     * sets it), so that it sees every meter and every recording from the start.
     */
    public static final String EXPORT_KEY = "archipelago.metrics.export-registry";

    private NodeMeters(com.typesafe.config.Config config) {
        if (config.hasPath(EXPORT_KEY) && !config.getString(EXPORT_KEY).isEmpty()) {
            registry.add(exported(config.getString(EXPORT_KEY)));
        }
        hostedSlots = MultiGauge.builder("archipelago.evaluator.slots")
                .description("This node's evaluator slots, busy or free")
                .register(registry);
        journalWrite = Timer.builder("archipelago.journal.write")
                .description("From a batch of a search's steps handed to the journal to its write being durable")
                .publishPercentileHistogram()
                .minimumExpectedValue(SHORTEST)
                .maximumExpectedValue(Duration.ofMinutes(2))
                .register(registry);
    }

    private static final class Id extends ExtensionId<NodeMeters> {
        static final Id INSTANCE = new Id();

        @Override
        public NodeMeters createExtension(ActorSystem<?> system) {
            return new NodeMeters(system.settings().config());
        }
    }

    /** The meters of {@code system}'s node. */
    public static NodeMeters get(ActorSystem<?> system) {
        return Id.INSTANCE.apply(system);
    }

    private static MeterRegistry exported(String supplier) {
        try {
            Object made = Class.forName(supplier).getConstructor().newInstance();
            if (made instanceof java.util.function.Supplier<?> s && s.get() instanceof MeterRegistry registry) {
                return registry;
            }
            throw new IllegalArgumentException(EXPORT_KEY + ": " + supplier + " does not supply a MeterRegistry");
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(EXPORT_KEY + ": cannot make " + supplier + ": " + e, e);
        }
    }

    /** Where every meter of this node is registered; a node that exports them adds its registry to it. */
    public CompositeMeterRegistry registry() {
        return registry;
    }

    /** The journal's write latency (one timer per node: every search's journal records into it). */
    public Timer journalWrite() {
        return journalWrite;
    }

    /**
     * The router's queue depth for one pool, read whenever the metrics are scraped (so the router
     * pays nothing per candidate): {@code depth} is applied to {@code state}, which the gauge holds
     * weakly (a router that is gone reads as NaN until the registration is closed).
     *
     * @param kind the pool's evaluator kind
     * @param searchId the search whose router it is, or {@code "all"} for a router that every search shares
     * @return closing it removes the gauge (call it when the router stops)
     */
    public <T> AutoCloseable queueDepth(String kind, String searchId, T state, ToDoubleFunction<T> depth) {
        Gauge gauge = Gauge.builder("archipelago.queue.depth", state, depth)
                .description("Candidates waiting in a router for a free slot of the pool")
                .tags(Tags.of("kind", kind, "search", searchId))
                .register(registry);
        return () -> registry.remove(gauge);
    }

    /**
     * Shows {@code pools} (a worker gateway's: its workers' slots per kind) in
     * {@code archipelago.evaluator.slots} beside this node's own slots, as read at each {@link #refresh()}.
     */
    public void hostPools(Supplier<List<EvaluatorPoolStatus>> pools) {
        hostedPools.add(pools);
    }

    /** Reads what changes without a meter of its own (hosted pools come and go with their workers): call before a scrape. */
    public void refresh() {
        if (hostedPools.isEmpty()) {
            return;
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (Supplier<List<EvaluatorPoolStatus>> pools : hostedPools) {
            for (EvaluatorPoolStatus pool : pools.get()) {
                rows.add(MultiGauge.Row.of(Tags.of("kind", pool.getKind(), "state", "busy"), pool.getBusy()));
                rows.add(MultiGauge.Row.of(
                        Tags.of("kind", pool.getKind(), "state", "free"),
                        Math.max(0, pool.getSlots() - pool.getBusy())));
            }
        }
        hostedSlots.register(rows, true);
    }

    /** The meters of this node's evaluator slots of {@code kind}, created with its first slot. */
    Slots slots(String kind) {
        return slots.computeIfAbsent(kind, k -> new Slots(registry, k));
    }

    /** Every slot of one kind on this node: the gauges read their {@link SlotGauge}s; the timer is resolved once. */
    static final class Slots {
        final Timer duration;
        private final Set<Object> actors = ConcurrentHashMap.newKeySet();
        private final Set<SlotGauge> gauges = ConcurrentHashMap.newKeySet();

        private Slots(MeterRegistry registry, String kind) {
            duration = Timer.builder("archipelago.evaluation.duration")
                    .description("How long an evaluation on this node's slots took, whatever its outcome")
                    .tag("kind", kind)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(SHORTEST)
                    .maximumExpectedValue(LONGEST)
                    .register(registry);
            Gauge.builder("archipelago.evaluator.slots", this, Slots::busy)
                    .description("This node's evaluator slots, busy or free")
                    .tags(Tags.of("kind", kind, "state", "busy"))
                    .register(registry);
            Gauge.builder("archipelago.evaluator.slots", this, s -> s.actors.size() - s.busy())
                    .description("This node's evaluator slots, busy or free")
                    .tags(Tags.of("kind", kind, "state", "free"))
                    .register(registry);
        }

        /** A slot (its actor's reference: a restarted actor is the same slot) reporting to {@code gauge}. */
        void add(Object slot, SlotGauge gauge) {
            actors.add(slot);
            gauges.add(gauge);
        }

        private double busy() {
            int busy = 0;
            for (SlotGauge gauge : gauges) {
                busy += gauge.busy();
            }
            return Math.min(busy, actors.size());
        }
    }
}
