package io.archipelago.node.bench;

import com.typesafe.config.Config;
import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.evaluators.SimulatedTime;
import io.archipelago.node.bench.BenchClusterThroughputCommand.Bench;
import io.archipelago.node.cluster.ClusterOptions;
import io.archipelago.node.cluster.Transport;
import io.archipelago.node.setup.OptionChecks;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench scaling}: throughput against the number of evaluator nodes. One cluster in this
 * JVM (loopback): a controller node, then evaluator nodes added one at a time, each with
 * {@code --slots} tabular evaluators that sleep {@code --eval-time} per candidate, so the figure is
 * bound by evaluation time, not by this machine's cores. With n evaluator nodes a search of
 * {@code C * K * n} candidates runs (C rounds of every slot); ideal scaling keeps its duration
 * constant. Efficiency is throughput(max) / (max * throughput(1)).
 *
 * <p>Random sampling here proposes no two equivalent cells: with repeats, a candidate identical to
 * one in flight is answered by that evaluation without a slot, the budget then needs an extra
 * round (one more evaluation time for a few candidates), and since that happens more often the
 * more slots are in flight, it would understate scaling by about one round in C.
 */
@Command(
        name = "scaling",
        mixinStandardHelpOptions = true,
        description =
                "Throughput per number of evaluator nodes (1..max) with simulated evaluation times (loopback cluster, one JVM).")
public final class BenchScalingCommand implements Callable<Integer> {
    /** Candidates one measurement may ask for: NAS-Bench-201 has about 6,500 distinct cells. */
    private static final int DISTINCT_LIMIT = 5_000;

    @Option(
            names = "--max-nodes",
            defaultValue = "4",
            description = "Evaluator nodes at the end (default: ${DEFAULT-VALUE}).")
    int maxNodes;

    @Option(
            names = "--eval-time",
            defaultValue = "200ms",
            paramLabel = "DIST",
            description = "Simulated evaluation time, e.g. 200ms or lognormal:200ms,0.3 (default: ${DEFAULT-VALUE}).")
    String evalTime;

    @Option(
            names = "--slots",
            defaultValue = "4",
            description = "Evaluator slots per evaluator node (default: ${DEFAULT-VALUE}).")
    int slots;

    @Option(
            names = "--transport",
            defaultValue = ClusterOptions.DEFAULT_TRANSPORT,
            description = "aeron-udp | tcp | tls-tcp (default: ${DEFAULT-VALUE}).")
    String transport;

    @Option(
            names = "--candidates-per-slot",
            defaultValue = "10",
            description =
                    "Candidates per slot in each measurement: n nodes run C * slots * n (default: ${DEFAULT-VALUE}).")
    int candidatesPerSlot;

    @Option(
            names = "--base-port",
            defaultValue = "25520",
            description =
                    "Port of the controller node; evaluator node i listens on base-port + i (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Option(names = "--json", description = "End with one JSON line.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        OptionChecks.positive("--max-nodes", maxNodes);
        OptionChecks.positive("--slots", slots);
        OptionChecks.positive("--candidates-per-slot", candidatesPerSlot);
        if ((long) candidatesPerSlot * slots * maxNodes > DISTINCT_LIMIT) {
            throw new IllegalArgumentException("--candidates-per-slot x --slots x --max-nodes must be <= "
                    + DISTINCT_LIMIT + " (each measurement samples distinct NAS-Bench-201 cells), got "
                    + (long) candidatesPerSlot * slots * maxNodes);
        }
        SimulatedTime simulated;
        try {
            simulated = SimulatedTime.parse(evalTime);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--eval-time: " + e.getMessage(), e);
        }
        if (!(simulated.meanSeconds() > 0)) {
            throw new IllegalArgumentException(
                    "--eval-time must be > 0 so that evaluations, not cores, bound the throughput; got " + evalTime);
        }
        Transport t = LoopbackCluster.transport(transport);
        LoopbackCluster.checkPorts(basePort, maxNodes + 1);
        Config overrides = LoopbackCluster.overrides(t, null);
        PrintWriter out = spec.commandLine().getOut();

        Bench bench = new Bench(evalTime);
        double[] perSecond = new double[maxNodes + 1];
        List<Map<String, Object>> perNodes = new ArrayList<>();
        out.printf(
                Locale.ROOT,
                "scaling over %s: %d slot(s) per evaluator node, evaluation time %s, %d candidate(s) per slot%n",
                t.id(),
                slots,
                evalTime,
                candidatesPerSlot);
        try (LoopbackCluster cluster = new LoopbackCluster(t, basePort, overrides)) {
            for (int n = 1; n <= maxNodes; n++) {
                cluster.addEvaluatorNode(slots, bench);
                cluster.awaitJoined();
                cluster.awaitPool(n * slots);
                // Warm-up, two rounds of every slot: a new node's first requests load its
                // serializers and remote paths, which is not what the figure is about.
                bench.run(cluster.controller(), "scaling-warmup-" + n, 2 * slots * n, n * slots, false);
                SearchReport report = bench.run(
                        cluster.controller(), "scaling-" + n, candidatesPerSlot * slots * n, n * slots, false);
                perSecond[n] = report.evaluations() / report.wallSeconds();
                out.printf(
                        Locale.ROOT,
                        "  %d evaluator node(s), %3d slot(s): %5d candidates in %6.3f s, %8.1f candidates/s (ideal %.1f)%n",
                        n,
                        n * slots,
                        report.evaluations(),
                        report.wallSeconds(),
                        perSecond[n],
                        n * perSecond[1]);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("nodes", n);
                row.put("candidates_per_second", perSecond[n]);
                perNodes.add(row);
            }
        }
        double efficiency = perSecond[maxNodes] / (maxNodes * perSecond[1]);
        out.printf(Locale.ROOT, "efficiency at %d evaluator node(s): %.3f%n", maxNodes, efficiency);
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("transport", t.id());
            fields.put("eval_time", evalTime);
            fields.put("slots_per_node", slots);
            fields.put("per_nodes", perNodes);
            fields.put("efficiency", efficiency);
            BenchOutput.json(out, fields);
        }
        return 0;
    }
}
