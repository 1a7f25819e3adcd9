package io.archipelago.node;

import io.archipelago.controller.SearchSettings;
import io.archipelago.controller.router.Router;
import io.archipelago.controller.strategy.ModelGuidedStrategy;
import io.archipelago.controller.strategy.Strategy;
import io.archipelago.controller.strategy.StrategyFactory;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.SearchSpaces;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.core.table.MetricName;
import io.archipelago.evaluators.teg.TegEvaluator;
import io.archipelago.models.teg.TegIndicators;
import io.archipelago.node.engine.Engine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a search needs, checked from the command-line options before anything runs: a bad
 * option fails here with a message that names it, before any file is touched.
 *
 * <p>The benchmark table serves two purposes: the tabular evaluator answers from it, and the
 * cells a search finds are reported with its metrics (e.g. {@code cifar10_test_200}) whichever
 * evaluator found them; a training-free search never consults it while searching.
 */
public final class SearchSetup<A> {
    private static final List<String> TEG_METRICS = List.of(TegIndicators.NTK_COND, TegIndicators.LINEAR_REGIONS, TegIndicators.NTK_MSE,
            TegEvaluator.PARAMS, TegEvaluator.FLOPS);

    public final SearchOptions options;
    public final SearchSpace<A> space;
    public final BenchmarkTable<?> table;
    public final Objective objective;
    public final int fidelity;
    public final EvaluatorSetup evaluators;
    public final Router.Settings routerSettings;
    private final boolean teg;

    private SearchSetup(SearchOptions options, SearchSpace<A> space, BenchmarkTable<?> table) {
        this.options = options;
        this.space = space;
        this.table = table;
        this.evaluators = new EvaluatorSetup(options.evaluator, table, options.evalTime, options.teg);
        this.teg = evaluators.isTeg();
        if (!StrategyFactory.NAMES.contains(options.strategy)) {
            throw new IllegalArgumentException("unknown strategy '" + options.strategy + "' (known: " + String.join(", ", StrategyFactory.NAMES) + ")");
        }
        if (!teg && (options.strategy.equals("teg-evolution") || options.strategy.equals("tenas-prune"))) {
            throw new IllegalArgumentException(options.strategy + " ranks training-free indicators: use it with --evaluator teg");
        }
        String metric = options.metric != null ? options.metric : teg ? TegIndicators.NTK_COND + ":min" : "cifar10_valid_12";
        this.objective = Objective.parse(metric);
        if (teg) {
            if (!TEG_METRICS.contains(objective.metric())) {
                throw new IllegalArgumentException("--metric " + objective.metric() + " is not a metric of the teg evaluator (it has: "
                        + String.join(", ", TEG_METRICS) + ")");
            }
            this.fidelity = 0;
        } else {
            table.metricIndex(objective.metric()); // unknown metric: fail now, naming the known ones
            this.fidelity = MetricName.parse(objective.metric()).map(MetricName::epochs).orElse(0);
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
        this.routerSettings = new Router.Settings(Duration.ofMillis((long) (options.evalTimeoutSeconds * 1000)), options.maxAttempts,
                Router.Settings.DEFAULTS.cacheCapacity());
        strategy(0); // checks the strategy's hyper-parameters
    }

    public static SearchSetup<?> from(SearchOptions options) {
        SearchSpace<?> named = SearchSpaces.byId(options.space);
        return create(StrategyFactory.spaceFor(options.strategy, named), named, options);
    }

    private static <A> SearchSetup<A> create(SearchSpace<A> space, SearchSpace<?> named, SearchOptions options) {
        return new SearchSetup<>(options, space, loadTable(named, options.benchmark));
    }

    /** The table of {@code --benchmark FILE}, or the space's embedded one. */
    public static BenchmarkTable<?> loadTable(SearchSpace<?> space, Path benchmark) {
        if (benchmark != null) {
            return BenchmarkTable.load(space, benchmark);
        }
        if (space == Nb201Space.INSTANCE) {
            return BenchmarkTable.embeddedNb201Cifar10();
        }
        throw new IllegalArgumentException("no embedded benchmark for space '" + space.id() + "': pass --benchmark FILE");
    }

    public Strategy<A> strategy(long seed) {
        return StrategyFactory.create(options.strategy, space, objective, seed,
                new StrategyFactory.Options(options.population, options.sampleSize, options.teg.rankedIndicators(), options.predictor,
                        // the lag: as many trials may be out during a refit as there are slots
                        new ModelGuidedStrategy.Schedule(options.initial, options.refitEvery, options.slots)));
    }

    public String evaluatorKind() {
        return evaluators.kind;
    }

    /** A one-JVM engine with {@code --slots} evaluators of the chosen kind. */
    public Engine engine(long seed) {
        return new Engine(options.slots, evaluators.factory(seed));
    }

    public SearchSettings settings(String searchId, int budget) {
        return SearchSettings.of(searchId, evaluatorKind(), fidelity, budget);
    }

    /** The metrics the evaluator returns (the CSV's metric columns). */
    public List<String> evaluatedMetrics() {
        return teg ? TEG_METRICS : table.metricNamesAt(fidelity);
    }

    /** Every metric the benchmark table has for a cell given by its encoding, if it is there. */
    public Optional<Map<String, Double>> tableMetrics(String encoding) {
        return tableMetrics(table, encoding);
    }

    private static <T> Optional<Map<String, Double>> tableMetrics(BenchmarkTable<T> t, String encoding) {
        try {
            return t.metricsOf(t.space().parse(encoding));
        } catch (IllegalArgumentException notACell) {
            return Optional.empty(); // e.g. a supernet cell that was never pruned down
        }
    }
}
