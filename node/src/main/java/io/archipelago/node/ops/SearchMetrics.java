package io.archipelago.node.ops;

import io.archipelago.controller.SearchEvent;
import io.archipelago.controller.router.Router;
import io.archipelago.evaluators.NodeMeters;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * What a node records of the searches it hosts, from the events their controllers report (the
 * search host calls {@link #record} with each as it relays it):
 *
 * <ul>
 *   <li>{@code archipelago.evaluations} (counter; tags {@code search}, {@code kind}, {@code outcome} = ok |
 *       failed | cached | rejected): final results as the search recorded them, so at a search's end
 *       ok + failed is summary.json's {@code evaluations}, failed its {@code failed}, cached its
 *       {@code cached} (for what this node hosted: a search it took over counts from then on);
 *   <li>{@code archipelago.evaluation.retries} (counter; tags {@code search}, {@code kind}): attempts
 *       beyond the first that the recorded results took;
 *   <li>{@code archipelago.search.best} (gauge; tag {@code search}): the strategy's best score so far
 *       (NaN before the first success);
 *   <li>{@code archipelago.search.running} (gauge; tag {@code search}): 1 while it runs here, 0 once it ended.
 * </ul>
 *
 * A search's meters are removed {@code archipelago.metrics.finished-search-retention} after it
 * ends (default 10 minutes: a scraper sees its final values), so a long-lived node's series stay
 * bounded by the searches of the last few minutes plus those running.
 */
public final class SearchMetrics implements Extension {
    static final String RETENTION_KEY = "archipelago.metrics.finished-search-retention";

    private final MeterRegistry registry;
    private final ActorSystem<?> system;
    private final Duration retention;
    private final Map<String, Search> searches = new ConcurrentHashMap<>();

    private SearchMetrics(ActorSystem<?> system) {
        this.system = system;
        this.registry = NodeMeters.get(system).registry();
        var config = system.settings().config();
        this.retention = config.hasPath(RETENTION_KEY) ? config.getDuration(RETENTION_KEY) : Duration.ofMinutes(10);
    }

    private static final class Id extends ExtensionId<SearchMetrics> {
        static final Id INSTANCE = new Id();

        @Override
        public SearchMetrics createExtension(ActorSystem<?> system) {
            return new SearchMetrics(system);
        }
    }

    public static SearchMetrics get(ActorSystem<?> system) {
        return Id.INSTANCE.apply(system);
    }

    /** Counts one event of search {@code searchId}; its end schedules its meters' removal. */
    public void record(String searchId, SearchEvent event) {
        if (event instanceof SearchEvent.ResultRecorded recorded) {
            search(searchId).recorded(recorded);
        } else if (event instanceof SearchEvent.SearchFinished || event instanceof SearchEvent.SearchAborted) {
            Search search = search(searchId);
            long generation = search.end();
            system.scheduler()
                    .scheduleOnce(
                            retention,
                            () -> removeIfStillEnded(searchId, search, generation),
                            system.executionContext());
        }
    }

    private Search search(String searchId) {
        Search search = searches.computeIfAbsent(searchId, id -> new Search(registry, id));
        search.running = 1; // a search that ended here and runs again (resumed) is counted on
        return search;
    }

    private void removeIfStillEnded(String searchId, Search search, long generation) {
        synchronized (search) {
            if (search.running == 0 && search.generation == generation && searches.remove(searchId, search)) {
                search.meters.forEach(registry::remove);
            }
        }
    }

    /** Meters of searches this node holds now (for tests: finished ones leave after the retention). */
    int searchesHeld() {
        return searches.size();
    }

    /** One search's meters; its counters per evaluator kind are resolved once (a search has one or two kinds). */
    private static final class Search {
        final MeterRegistry registry;
        final String searchId;
        final List<Meter> meters = new CopyOnWriteArrayList<>();
        final Map<String, Kind> kinds = new ConcurrentHashMap<>();
        volatile double best = Double.NaN;
        volatile int running = 1;
        long generation;

        Search(MeterRegistry registry, String searchId) {
            this.registry = registry;
            this.searchId = searchId;
            meters.add(Gauge.builder("archipelago.search.best", this, s -> s.best)
                    .description("The search's best score so far (NaN before its first success)")
                    .tag("search", searchId)
                    .register(registry));
            meters.add(Gauge.builder("archipelago.search.running", this, s -> s.running)
                    .description("1 while the search runs on this node, 0 once it ended here")
                    .tag("search", searchId)
                    .register(registry));
        }

        void recorded(SearchEvent.ResultRecorded recorded) {
            EvaluationResult result = recorded.result();
            Kind kind = kinds.computeIfAbsent(result.getEvaluatorKind(), k -> new Kind(this, k));
            Counter counter = switch (recorded.source()) {
                case EVALUATED -> result.getStatus() == EvaluationStatus.EVALUATION_STATUS_OK ? kind.ok : kind.failed;
                case CACHED -> kind.cached;
                case REJECTED -> kind.rejected;
            };
            counter.increment();
            if (recorded.source() == Router.Source.EVALUATED && recorded.attempts() > 1) {
                kind.retries.increment(recorded.attempts() - 1);
            }
            if (!Double.isNaN(recorded.bestScore())) {
                best = recorded.bestScore();
            }
        }

        synchronized long end() {
            running = 0;
            return ++generation;
        }

        Counter counter(String name, String description, String kind, String outcome) {
            Counter.Builder builder = Counter.builder(name)
                    .description(description)
                    .tag("search", searchId)
                    .tag("kind", kind);
            if (outcome != null) {
                builder.tag("outcome", outcome);
            }
            Counter counter = builder.register(registry);
            meters.add(counter);
            return counter;
        }
    }

    private static final class Kind {
        static final String RESULTS = "Final results the search recorded, by outcome";
        final Counter ok;
        final Counter failed;
        final Counter cached;
        final Counter rejected;
        final Counter retries;

        Kind(Search search, String kind) {
            ok = search.counter("archipelago.evaluations", RESULTS, kind, "ok");
            failed = search.counter("archipelago.evaluations", RESULTS, kind, "failed");
            cached = search.counter("archipelago.evaluations", RESULTS, kind, "cached");
            rejected = search.counter("archipelago.evaluations", RESULTS, kind, "rejected");
            retries = search.counter(
                    "archipelago.evaluation.retries", "Attempts beyond the first of the recorded results", kind, null);
        }
    }
}
