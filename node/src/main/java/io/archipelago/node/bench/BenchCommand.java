package io.archipelago.node.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code archipelago bench ...}: measurements whose figures go to benchmarks/RESULTS.md. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Benchmarks: search quality, Pareto fronts, pipeline throughput (local and across cluster nodes), slot utilisation, scaling, latency tables, standalone-trained truth tables.",
        subcommands = {
            BenchSearchCommand.class,
            BenchThroughputCommand.class,
            BenchUtilizationCommand.class,
            BenchCorrelationCommand.class,
            BenchPredictorsCommand.class,
            BenchClusterThroughputCommand.class,
            BenchWorkerThroughputCommand.class,
            BenchScalingCommand.class,
            BenchParetoCommand.class,
            BenchLatencyTableCommand.class,
            BenchReplayCommand.class,
            BenchStandaloneCommand.class,
            BenchSupernetCommand.class,
            BenchSoakCommand.class,
            CommandLine.HelpCommand.class
        })
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "missing benchmark: search, throughput, utilization, correlation, predictors, cluster-throughput, worker-throughput, scaling, pareto, latency-table, replay, standalone, supernet or soak");
    }
}
