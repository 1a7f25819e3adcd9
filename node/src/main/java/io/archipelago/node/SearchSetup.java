package io.archipelago.node;

import io.archipelago.controller.SearchSettings;
import io.archipelago.controller.router.Router;
import io.archipelago.controller.strategy.Strategy;
import io.archipelago.controller.strategy.StrategyFactory;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.SearchSpaces;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.core.table.MetricName;
import io.archipelago.evaluators.SimulatedTime;
import io.archipelago.evaluators.TabularEvaluator;
import io.archipelago.node.engine.LocalEngine;
import java.time.Duration;
import java.util.List;

/**
 * Everything a search needs, checked from the command-line options before anything runs: a bad
 * option fails here with a message that names it, before any file is touched.
 */
public final class SearchSetup<A> {
    public final SearchOptions options;
    public final SearchSpace<A> space;
    public final BenchmarkTable<A> table;
    public final Objective objective;
    public final int fidelity;
    public final SimulatedTime evalTime; // null: none
    public final Router.Settings routerSettings;

    private SearchSetup(SearchOptions options, SearchSpace<A> space, BenchmarkTable<A> table) {
        this.options = options;
        this.space = space;
        this.table = table;
        this.objective = Objective.parse(options.metric);
        table.metricIndex(objective.metric()); // unknown metric: fail now, naming the known ones
        this.fidelity = MetricName.parse(objective.metric()).map(MetricName::epochs).orElse(0);
        if (!StrategyFactory.NAMES.contains(options.strategy)) {
            throw new IllegalArgumentException("unknown strategy '" + options.strategy + "' (known: " + String.join(", ", StrategyFactory.NAMES) + ")");
        }
        if (options.slots <= 0) {
            throw new IllegalArgumentException("--slots must be > 0, got " + options.slots);
        }
        if (!(options.evalTimeoutSeconds > 0)) {
            throw new IllegalArgumentException("--eval-timeout must be > 0 seconds, got " + options.evalTimeoutSeconds);
        }
        if (options.maxAttempts <= 0) {
            throw new IllegalArgumentException("--max-attempts must be > 0, got " + options.maxAttempts);
        }
        this.evalTime = options.evalTime == null ? null : SimulatedTime.parse(options.evalTime);
        this.routerSettings = new Router.Settings(Duration.ofMillis((long) (options.evalTimeoutSeconds * 1000)), options.maxAttempts,
                Router.Settings.DEFAULTS.cacheCapacity());
        strategy(0); // checks the strategy's hyper-parameters
    }

    public static SearchSetup<?> from(SearchOptions options) {
        return create(SearchSpaces.byId(options.space), options);
    }

    private static <A> SearchSetup<A> create(SearchSpace<A> space, SearchOptions options) {
        return new SearchSetup<>(options, space, loadTable(space, options));
    }

    @SuppressWarnings("unchecked")
    private static <A> BenchmarkTable<A> loadTable(SearchSpace<A> space, SearchOptions options) {
        if (options.benchmark != null) {
            return BenchmarkTable.load(space, options.benchmark);
        }
        if (space == Nb201Space.INSTANCE) {
            return (BenchmarkTable<A>) BenchmarkTable.embeddedNb201Cifar10();
        }
        throw new IllegalArgumentException("no embedded benchmark for space '" + space.id() + "': pass --benchmark FILE");
    }

    public Strategy<A> strategy(long seed) {
        return StrategyFactory.create(options.strategy, space, objective, seed,
                new StrategyFactory.Options(options.population, options.sampleSize));
    }

    /** A one-JVM engine with {@code --slots} tabular evaluators. */
    public LocalEngine engine(long seed) {
        return new LocalEngine(options.slots, slot -> new TabularEvaluator<>(table, evalTime, seed * 1_000_003L + slot));
    }

    public SearchSettings settings(String searchId, int budget) {
        return SearchSettings.of(searchId, TabularEvaluator.KIND, fidelity, budget);
    }

    /** The metrics the tabular evaluator returns at the search's fidelity (the CSV's metric columns). */
    public List<String> evaluatedMetrics() {
        return table.metricNamesAt(fidelity);
    }
}
