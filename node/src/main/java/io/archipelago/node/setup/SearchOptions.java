package io.archipelago.node.setup;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by every command that runs searches ({@code search}, {@code bench search}, ...). */
public final class SearchOptions {
    @Option(names = "--space", defaultValue = "nb201", description = "Search space (default: ${DEFAULT-VALUE}).")
    public String space;

    @Option(
            names = "--strategy",
            defaultValue = "evolution",
            description =
                    "evolution | random | reinforce | predictor-evolution | ctnas | nao | teg-evolution | tenas-prune "
                            + "(these two need --evaluator teg) | nsga2 (needs --objectives) (default: ${DEFAULT-VALUE}).")
    public String strategy;

    @Option(
            names = "--evaluator",
            defaultValue = "tabular",
            description =
                    "tabular (benchmark look-up) | teg (training-free indicators on the network at initialisation) | "
                            + "supernet (accuracy with a trained supernet's weights, --supernet DIR) | train (each cell "
                            + "trained alone, --train-* options) | runner:CMD (a program run per candidate, runners/README.md) | "
                            + "worker:KIND (worker processes of that kind, clients/python; with --worker-port or on a "
                            + "cluster's gateway nodes); these two need --metric NAME:max|min (default: ${DEFAULT-VALUE}).")
    public String evaluator;

    @Option(
            names = "--metric",
            description =
                    "Metric the search optimises, optionally with :max or :min (default: cifar10_valid_12 with the tabular "
                            + "evaluator, whose epochs suffix is the fidelity asked, valid_acc on nbgraph; ntk_cond:min with teg; supernet_accuracy "
                            + "with supernet; valid_accuracy with train).")
    public String metric;

    @Option(
            names = "--objectives",
            paramLabel = "LIST",
            description =
                    "Several metrics to trade off, e.g. cifar10_valid_12:max,params:min or cifar10_valid_12:max,latency_ms:min; "
                            + "nsga2 searches their Pareto front, other strategies optimise the first (or the MnasNet reward, with "
                            + "--target-latency); summary.json gets the front and its hypervolume, pareto.png plots it.")
    public String objectives;

    @Option(
            names = "--target-latency",
            paramLabel = "MS",
            description =
                    "Latency target T in ms: a constraint latency_ms <= T for nsga2; for the other strategies the fitness "
                            + "becomes MnasNet's reward ACC x (LAT/T)^w of the first objective and latency_ms.")
    public Double targetLatency;

    @Option(
            names = "--reward",
            defaultValue = "soft",
            description = "MnasNet reward with --target-latency: soft (w = -0.07) | hard (w = -1 above T, 0 below) "
                    + "(default: ${DEFAULT-VALUE}).")
    public String reward;

    @Option(
            names = "--constraint",
            paramLabel = "EXPR",
            description = "nsga2: a feasibility condition such as params<=1e6 or latency_ms<=20 (repeatable).")
    public java.util.List<String> constraints = new java.util.ArrayList<>();

    /** {@code search}'s --scheduler options (SpecOptions parses them); other commands' searches run without. */
    public SchedulerOptions scheduler = new SchedulerOptions();

    @Mixin
    public TegOptions teg = new TegOptions();

    @Mixin
    public SupernetOptions supernet = new SupernetOptions();

    @Mixin
    public TrainingOptions training = new TrainingOptions();

    @Mixin
    public LatencyOptions latency = new LatencyOptions();

    @Option(
            names = "--latency-slots",
            defaultValue = "1",
            description =
                    "Local search that measures latency: latency slots in this JVM; keep 1, or measurements disturb each "
                            + "other (default: ${DEFAULT-VALUE}).")
    public int latencySlots;

    @Option(
            names = "--benchmark",
            paramLabel = "FILE",
            description = "Tabular benchmark: a CSV file or a table shipped inside Archipelago (nb201:cifar10,"
                    + " nbgraph:cora, nbgraph:citeseer, nbgraph:pubmed); default: nb201:cifar10 for nb201.")
    public Path benchmark;

    @Option(
            names = "--eval-time",
            paramLabel = "DIST",
            description =
                    "Simulated evaluation time of the tabular evaluator, e.g. 100ms or lognormal:100ms,0.5 (default: none).")
    public String evalTime;

    @Option(
            names = "--slots",
            defaultValue = "2",
            description = "Evaluator slots (actors) in this JVM (default: ${DEFAULT-VALUE}).")
    public int slots;

    @Option(names = "--population", description = "Evolution: population size (default: 30; nsga2: 20).")
    public Integer population;

    @Option(
            names = "--sample-size",
            defaultValue = "5",
            description = "Evolution: tournament size (default: ${DEFAULT-VALUE}).")
    public int sampleSize;

    @Option(
            names = "--predictor",
            defaultValue = "gcn",
            description =
                    "predictor-evolution: the predictor ranking its pool: gcn | nac | nao (default: ${DEFAULT-VALUE}).")
    public String predictor;

    @Option(
            names = "--initial",
            defaultValue = "10",
            description = "Model-guided strategies: random cells before the first model (default: ${DEFAULT-VALUE}).")
    public int initial;

    @Option(
            names = "--refit-every",
            defaultValue = "10",
            description = "Model-guided strategies: proposals per model; a refit follows (default: ${DEFAULT-VALUE}).")
    public int refitEvery;

    @Option(
            names = "--eval-timeout",
            defaultValue = "3600",
            paramLabel = "SECONDS",
            description = "Seconds one evaluation may take before it is retried elsewhere (default: ${DEFAULT-VALUE}).")
    public double evalTimeoutSeconds;

    @Option(
            names = "--max-attempts",
            defaultValue = "3",
            description = "Dispatches per candidate before it is recorded as failed (default: ${DEFAULT-VALUE}).")
    public int maxAttempts;
}
