package io.archipelago.node.setup;

import com.typesafe.config.ConfigFactory;
import io.archipelago.controller.SearchSettings;
import io.archipelago.controller.router.Router;
import io.archipelago.controller.scheduler.SchedulerSpec;
import io.archipelago.controller.strategy.ModelGuidedStrategy;
import io.archipelago.controller.strategy.Nsga2;
import io.archipelago.controller.strategy.Strategy;
import io.archipelago.controller.strategy.StrategyFactory;
import io.archipelago.core.objective.Constraint;
import io.archipelago.core.objective.Fitness;
import io.archipelago.core.objective.MnasNetReward;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.objective.Objectives;
import io.archipelago.core.space.CostModel;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.SearchSpaces;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.core.table.MetricName;
import io.archipelago.evaluators.latency.LatencyEvaluators;
import io.archipelago.evaluators.supernet.WeightSharingEvaluator;
import io.archipelago.evaluators.teg.TegEvaluator;
import io.archipelago.evaluators.train.TrainEvaluator;
import io.archipelago.models.space.SpaceNetworksRegistry;
import io.archipelago.models.teg.TegIndicators;
import io.archipelago.node.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything a search needs, checked from the command-line options before anything runs: a bad
 * option fails here with a message that names it, before any file is touched.
 *
 * <p>The benchmark table serves two purposes: the tabular evaluator answers from it, and the
 * cells a search finds are reported with its metrics (e.g. {@code cifar10_test_200}) whichever
 * evaluator found them; a training-free search never consults it while searching.
 */
public final class SearchSetup<A> {
    /** The metric latency evaluators report (the median), and the others that start like it. */
    public static final String LATENCY = LatencyEvaluators.LATENCY_MS;

    private static final String LATENCY_PREFIX = "latency_";
    private static final Pattern EMBEDDED_NAME = Pattern.compile("[a-z0-9-]+:[a-z0-9-]+");
    private static final List<String> LATENCY_METRICS =
            List.of(LatencyEvaluators.LATENCY_MS, LatencyEvaluators.LATENCY_P10_MS, LatencyEvaluators.LATENCY_P90_MS);
    private static final List<String> TEG_METRICS = List.of(
            TegIndicators.NTK_COND,
            TegIndicators.LINEAR_REGIONS,
            TegIndicators.NTK_MSE,
            TegEvaluator.PARAMS,
            TegEvaluator.FLOPS);
    private static final List<String> TRAIN_METRICS = List.of(
            TrainEvaluator.VALID_ACCURACY,
            TrainEvaluator.TEST_ACCURACY,
            TrainEvaluator.VALID_LOSS,
            TrainEvaluator.TRAIN_LOSS,
            TrainEvaluator.PARAMS);
    private static final List<String> SUPERNET_METRICS =
            List.of(WeightSharingEvaluator.ACCURACY, WeightSharingEvaluator.LOSS, WeightSharingEvaluator.PARAMS);

    public final SearchOptions options;
    public final SearchSpace<A> space;
    public final BenchmarkTable<?> table;
    /** What the search optimises: the first of {@link #objectives}. */
    public final Objective objective;
    /** Every objective (one unless {@code --objectives} names several); the front is computed over them. */
    public final List<Objective> objectives;
    /** What single-objective strategies maximise: the objective, or the MnasNet reward. */
    public final Fitness fitness;

    public final List<Constraint> constraints;
    public final int fidelity;
    /** What stops unpromising evaluations early (null: none). */
    public final SchedulerSpec scheduler;

    public final EvaluatorSetup evaluators;
    public final Router.Settings routerSettings;
    private final boolean teg;
    /** The metrics the evaluator itself reports, or null when they are the benchmark table's. */
    private final List<String> ownMetrics;

    private SearchSetup(SearchOptions options, SearchSpace<A> space, BenchmarkTable<?> table) {
        this.options = options;
        this.space = space;
        this.table = table;
        this.evaluators = new EvaluatorSetup(
                options.evaluator,
                table,
                options.evalTime,
                options.teg,
                options.supernet,
                options.training,
                Duration.ofMillis((long) (options.evalTimeoutSeconds * 1000)));
        this.teg = evaluators.isTeg();
        if (teg) {
            SpaceNetworksRegistry.require(space.id(), "--evaluator teg");
        }
        List<String> named = null;
        if (evaluators.isExternal()) {
            if (options.metric == null && options.objectives == null) {
                throw new IllegalArgumentException(
                        "--evaluator " + evaluators.kind + " reports metrics of its own: name "
                                + "the one to optimise with --metric NAME:max|min (or --objectives)");
            }
            named = new ArrayList<>();
            for (Objective o : objectivesOf(options)) {
                named.add(o.metric());
            }
            for (String constraint : options.constraints) {
                String metric = Constraint.parse(constraint).metric();
                if (!named.contains(metric)) {
                    named.add(metric);
                }
            }
        }
        // A worker's or runner's metrics are whatever it reports: the ones the search names are its columns.
        this.ownMetrics = teg
                ? TEG_METRICS
                : evaluators.isSupernet()
                        ? SUPERNET_METRICS
                        : evaluators.isTrain() ? TRAIN_METRICS : evaluators.isExternal() ? List.copyOf(named) : null;
        if (!StrategyFactory.NAMES.contains(options.strategy)) {
            throw new IllegalArgumentException("unknown strategy '" + options.strategy + "' (known: "
                    + String.join(", ", StrategyFactory.NAMES) + ")");
        }
        if (!teg && (options.strategy.equals("teg-evolution") || options.strategy.equals("tenas-prune"))) {
            throw new IllegalArgumentException(
                    options.strategy + " ranks training-free indicators: use it with --evaluator teg");
        }
        if (options.metric != null && options.objectives != null) {
            throw new IllegalArgumentException(
                    "--metric and --objectives both name what to optimise: give one of them");
        }
        this.objectives = objectivesOf(options);
        this.objective = objectives.get(0);
        List<Constraint> limits = new ArrayList<>();
        for (String constraint : options.constraints) {
            limits.add(Constraint.parse(constraint));
        }
        if (options.targetLatency != null) {
            if (!(options.targetLatency > 0)) {
                throw new IllegalArgumentException("--target-latency must be > 0 ms, got " + options.targetLatency);
            }
            if (options.strategy.equals("nsga2")) {
                limits.add(new Constraint(LATENCY, options.targetLatency, true));
            }
        }
        this.constraints = List.copyOf(limits);
        if (!options.constraints.isEmpty() && !options.strategy.equals("nsga2")) {
            throw new IllegalArgumentException("--constraint is a condition of nsga2; " + options.strategy
                    + " optimises one fitness (use --target-latency for MnasNet's reward)");
        }
        this.fitness = fitness(options, objective);
        for (Objective o : objectives) {
            checkMetric(o.metric(), "--objectives");
        }
        for (Constraint c : constraints) {
            checkMetric(c.metric(), "--constraint");
        }
        this.scheduler = options.scheduler.spec(objective);
        // a scheduler's last rung is the budget each candidate is asked for, unless the metric names its fidelity
        this.fidelity = ownMetrics != null
                ? (scheduler != null && scheduler.name().equals("asha") ? scheduler.maxStep() : 0)
                : MetricName.parse(objective.metric()).map(MetricName::epochs).orElse(0);
        if (scheduler != null && ownMetrics == null && scheduler.name().equals("asha")) {
            List<Integer> fidelities =
                    table.fidelities().stream().filter(f -> f <= fidelity).toList();
            if (!fidelities.containsAll(scheduler.rungs()) || scheduler.maxStep() != fidelity) {
                throw new IllegalArgumentException("--rungs " + scheduler.rungs()
                        + ": the tabular evaluator's steps are " + "its table's fidelities up to the metric's ("
                        + objective.metric() + "): " + fidelities);
            }
        }
        if (measuresLatency()) {
            if (!options.latency.enabled()) {
                options.latency.measured = true; // a local search times the networks here unless told otherwise
            }
            options.latency.validate();
            OptionChecks.positive("--latency-slots", options.latencySlots);
            checkLatencyMethodSupports(space.id(), options.latency);
        } else if (options.latency.enabled()) {
            throw new IllegalArgumentException("--" + options.latency.method()
                    + " evaluates latency, but no objective, constraint or " + "--target-latency uses " + LATENCY);
        }
        OptionChecks.positive("--slots", options.slots);
        if (!(options.evalTimeoutSeconds > 0)) {
            throw new IllegalArgumentException("--eval-timeout must be > 0 seconds, got " + options.evalTimeoutSeconds);
        }
        OptionChecks.positive("--max-attempts", options.maxAttempts);
        Router.Settings router = new Router.Settings(
                Duration.ofMillis((long) (options.evalTimeoutSeconds * 1000)),
                options.maxAttempts,
                Router.Settings.DEFAULTS.cacheCapacity());
        this.routerSettings = scheduler == null ? router : router.withProgress();
        strategy(0); // checks the strategy's hyper-parameters
    }

    /** The objectives the options name; without any, the evaluator's own metric. */
    private static List<Objective> objectivesOf(SearchOptions options) {
        String metric = options.metric != null
                ? options.metric
                : switch (options.evaluator) {
                    case TegEvaluator.KIND -> TegIndicators.NTK_COND + ":min";
                    case WeightSharingEvaluator.KIND -> WeightSharingEvaluator.ACCURACY + ":max";
                    case TrainEvaluator.KIND -> TrainEvaluator.VALID_ACCURACY + ":max";
                    default -> TableProtocol.of(options.space).searchMetric();
                };
        return options.objectives != null ? Objectives.parseList(options.objectives) : List.of(Objective.parse(metric));
    }

    /**
     * What "best" means for the search these options describe (the fitness its strategy is told
     * to maximise), worked out without building the search: no table or data set is read.
     */
    public static Fitness fitnessOf(SearchOptions options) {
        return fitness(options, objectivesOf(options).get(0));
    }

    /** The MnasNet reward when a latency target is set for a single-objective strategy, else the objective. */
    private static Fitness fitness(SearchOptions options, Objective objective) {
        if (options.targetLatency == null || options.strategy.equals("nsga2")) {
            return objective;
        }
        if (!objective.maximize() || objective.metric().startsWith(LATENCY_PREFIX)) {
            throw new IllegalArgumentException(
                    "--target-latency scores " + objective + " with MnasNet's reward ACC x (LAT/T)^w: the first "
                            + "objective must be an accuracy to maximise");
        }
        return MnasNetReward.of(objective.metric(), LATENCY, options.targetLatency, options.reward);
    }

    /** Fails, naming the metrics there are, when no evaluator of this search reports {@code metric}. */
    private void checkMetric(String metric, String option) {
        if (metric.startsWith(LATENCY_PREFIX)) {
            return; // a latency pool measures it
        }
        if (ownMetrics != null) {
            if (!ownMetrics.contains(metric)) {
                throw new IllegalArgumentException(option + ": " + metric + " is not a metric of the " + evaluators.kind
                        + " evaluator (it has: " + String.join(", ", ownMetrics) + ")");
            }
        } else if (!(space instanceof CostModel<?>)
                || !List.of(CostModel.PARAMS, CostModel.FLOPS).contains(metric)) {
            table.metricIndex(metric); // unknown metric: fail now, naming the known ones
        }
    }

    /**
     * A latency table predicts the architectures of its own space only; timing in this JVM needs
     * the space's networks. A runner receives the space with each request, and answers for what
     * it supports.
     */
    private static void checkLatencyMethodSupports(String space, LatencyOptions latency) {
        String method = latency.method();
        if (method.equals(LatencyEvaluators.METHOD_TABLE)) {
            String tableSpace = latency.tableSpace().orElseThrow();
            if (!tableSpace.equals(space)) {
                throw new IllegalArgumentException("--latency-table " + latency.table + " is a latency table of space '"
                        + tableSpace + "'; this search is over space '" + space + "' (build one with `latency "
                        + "build-table --space " + space + "`, or time it with --measured or --runner CMD)");
            }
        }
        if (method.equals(LatencyEvaluators.METHOD_MEASURED)) {
            SpaceNetworksRegistry.require(space, "--measured latency");
        }
    }

    /** Whether the search needs latency measured: an objective, constraint or the reward uses it. */
    public boolean measuresLatency() {
        return fitness instanceof MnasNetReward
                || objectives.stream().anyMatch(o -> o.metric().startsWith(LATENCY_PREFIX))
                || constraints.stream().anyMatch(c -> c.metric().startsWith(LATENCY_PREFIX));
    }

    public static SearchSetup<?> from(SearchOptions options) {
        SearchSpace<?> named = SearchSpaces.byId(options.space);
        return create(StrategyFactory.spaceFor(options.strategy, named), named, options);
    }

    private static <A> SearchSetup<A> create(SearchSpace<A> space, SearchSpace<?> named, SearchOptions options) {
        return new SearchSetup<>(options, space, loadTable(named, options.benchmark));
    }

    /**
     * The table of {@code --benchmark}: a CSV file, or the name of a table shipped inside
     * Archipelago (e.g. {@code nbgraph:cora}); without it, the space's default embedded table, or
     * {@link BenchmarkTable#none} for a space that has no tables (DARTS, MnasNet).
     */
    public static BenchmarkTable<?> loadTable(SearchSpace<?> space, Path benchmark) {
        if (benchmark == null && !TableProtocol.hasTables(space.id())) {
            return BenchmarkTable.none(space);
        }
        if (benchmark == null) {
            String table = TableProtocol.of(space.id()).defaultTable();
            if (table == null) {
                String names = TableProtocol.embeddedTablesOf(space.id());
                throw new IllegalArgumentException("space '" + space.id() + "' has several benchmark tables: pass "
                        + "--benchmark with one of " + (names.isEmpty() ? "(none embedded)" : names) + " or a FILE");
            }
            return BenchmarkTable.embedded(space, table);
        }
        // a name like nbgraph:cora is a shipped table unless a file of that name exists here
        if (!Files.exists(benchmark)
                && EMBEDDED_NAME.matcher(benchmark.toString()).matches()) {
            return BenchmarkTable.embedded(space, benchmark.toString());
        }
        return BenchmarkTable.load(space, benchmark);
    }

    public Strategy<A> strategy(long seed) {
        int population = options.population != null
                ? options.population
                : options.strategy.equals("nsga2")
                        ? Nsga2.DEFAULT_POPULATION
                        : StrategyFactory.Options.DEFAULTS.population();
        return StrategyFactory.create(
                options.strategy,
                space,
                fitness,
                seed,
                new StrategyFactory.Options(
                        population,
                        options.sampleSize,
                        options.teg.rankedIndicators(),
                        options.predictor,
                        // the lag: as many trials may be out during a refit as there are slots
                        new ModelGuidedStrategy.Schedule(options.initial, options.refitEvery, options.slots),
                        objectives,
                        constraints));
    }

    public String evaluatorKind() {
        return evaluators.kind;
    }

    /** The latency pool every candidate also goes to, if the search measures latency. */
    public Optional<String> latencyKind() {
        return measuresLatency() ? Optional.of(options.latency.kind()) : Optional.empty();
    }

    /** A one-JVM engine with {@code --slots} evaluators of the chosen kind (and {@code --latency-slots} latency evaluators if needed). */
    public Engine engine(long seed) {
        return engine(seed, ConfigFactory.empty());
    }

    /** @param overrides e.g. the journal's settings */
    public Engine engine(long seed, com.typesafe.config.Config overrides) {
        List<Engine.Pool> pools = new ArrayList<>();
        if (evaluators.runsHere()) {
            pools.add(new Engine.Pool(options.slots, evaluators.factory(seed)));
        }
        if (measuresLatency()) {
            pools.add(new Engine.Pool(options.latencySlots, options.latency.factory()));
        }
        return new Engine(pools, overrides);
    }

    public SearchSettings settings(String searchId, int budget) {
        return SearchSettings.of(searchId, evaluatorKind(), fidelity, budget)
                .mergedKinds(latencyKind().stream().toList())
                .scheduler(scheduler);
    }

    /** The metrics the evaluators return (the CSV's metric columns). */
    public List<String> evaluatedMetrics() {
        List<String> metrics = new ArrayList<>(ownMetrics != null ? ownMetrics : table.metricNamesAt(fidelity));
        if (ownMetrics == null && space instanceof CostModel<?>) {
            for (String cost : List.of(CostModel.PARAMS, CostModel.FLOPS)) {
                if (!metrics.contains(cost)) {
                    metrics.add(cost);
                }
            }
        }
        if (measuresLatency()) {
            metrics.addAll(LATENCY_METRICS);
        }
        return metrics;
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
