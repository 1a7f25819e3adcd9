package io.archipelago.node.contract;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code node} serves until SIGTERM, so it is tested as a scenario: the node starts in the
 * background on free loopback ports ({@code {node-port}}, and {@code {search-port}} for the
 * search's own member), the probes run against it one after the other, then SIGTERM must stop it.
 */
final class ClusterScenarios {
    private ClusterScenarios() {}

    /**
     * @param node the long-lived command ({@link Case.Outcome.ServesUntilSigterm})
     * @param companions more long-lived commands, started once the node is up (e.g. a worker that
     *     dials it) and stopped with SIGTERM before it
     * @param probes commands run against them, in order
     */
    record Scenario(String name, Case node, List<Case> companions, List<Case> probes) {
        Scenario(String name, Case node, List<Case> probes) {
            this(name, node, List.of(), probes);
        }

        List<Case> cases() {
            List<Case> all = new ArrayList<>();
            all.add(node);
            all.addAll(companions);
            all.addAll(probes);
            return all;
        }
    }

    /** The node is the latency device d1 of {@code {latency-table}}, which the latency build-table case wrote. */
    static final Scenario EVALUATOR_AND_LATENCY_NODE = new Scenario(
            "an evaluator and latency node on tcp",
            Case.servesUntilSigterm(
                    "node: evaluator and latency slots on tcp",
                    "is up",
                    "node",
                    "--roles",
                    "evaluator,latency",
                    "--evaluator",
                    "tabular",
                    "--slots",
                    "2",
                    "--space",
                    "nb201",
                    "--benchmark",
                    "{benchmark}",
                    "--eval-time",
                    "5ms",
                    "--seed",
                    "3",
                    "--device",
                    "d1",
                    "--latency-table",
                    "{latency-table}",
                    "--latency-slots",
                    "1",
                    "--transport",
                    "tcp",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "{node-port}",
                    "--seed-nodes",
                    "127.0.0.1:{node-port}",
                    "--cluster-config",
                    "{cluster-config}"),
            List.of(SuccessCases.DASHBOARD_BESIDE_A_NODE),
            List.of(
                    // cluster status always joins on a port of its own choosing: its --port is taken and ignored.
                    Case.succeeds(
                                    "cluster status: the node's slots",
                                    "cluster",
                                    "status",
                                    "--seed-nodes",
                                    "127.0.0.1:{node-port}",
                                    "--transport",
                                    "tcp",
                                    "--host",
                                    "127.0.0.1",
                                    "--port",
                                    "0",
                                    "--cluster-config",
                                    "{cluster-config}",
                                    "--timeout",
                                    "30",
                                    "--json")
                            // members come sorted by address: the dashboard beside the node (a member without
                            // roles or pools) may come first
                            .lastLineJson("members.0.address", "members.0.status", "members.0.roles", "members.0.pools")
                            .expecting(
                                    new Check.StdoutContains("tabular:2"),
                                    new Check.StdoutContains("\"kind\":\"tabular\",\"slots\":2,\"busy\"")),
                    Case.rejects(
                            "runs list --seed-nodes: a cluster without a search host",
                            "the cluster has no controller-role node",
                            "runs",
                            "list",
                            "--seed-nodes",
                            "127.0.0.1:{node-port}",
                            "--transport",
                            "tcp",
                            "--cluster-config",
                            "{cluster-config}"),
                    SuccessCases.searchRun(
                                    Case.succeeds(
                                            "search --cluster: evaluations and latency on the node",
                                            "search",
                                            "--cluster",
                                            "--transport",
                                            "tcp",
                                            "--host",
                                            "127.0.0.1",
                                            "--port",
                                            "{search-port}",
                                            "--seed-nodes",
                                            "127.0.0.1:{node-port}",
                                            "--min-evaluators",
                                            "2",
                                            "--cluster-config",
                                            "{cluster-config}",
                                            "--objectives",
                                            "cifar10_valid_12:max,latency_ms:min",
                                            "--device",
                                            "d1",
                                            "--budget",
                                            "10",
                                            "--quiet",
                                            "--out",
                                            "{work}/runs/cluster"),
                                    "{work}/runs/cluster",
                                    10)
                            .files("{work}/runs/cluster", "pareto.png")
                            .expecting(
                                    new Check.JsonFile(
                                            "{work}/runs/cluster/summary.json",
                                            List.of("cluster.transport", "latency.pool")),
                                    new Check.CsvColumns(
                                            "{work}/runs/cluster/evaluations.csv", SuccessCases.LATENCY_COLUMNS))));

    /**
     * A controller-role node on the shared PostgreSQL journal hosts the cluster's searches: the
     * search goes to it (the oldest controller-role node) and the submitting command writes the
     * run's files from the journal.
     */
    static final Scenario SEARCH_HOST_ON_POSTGRES = new Scenario(
            "a controller node hosting searches of a PostgreSQL journal",
            Case.servesUntilSigterm(
                            "node: a controller on the shared journal",
                            "is up",
                            "node",
                            "--roles",
                            "controller,evaluator",
                            "--slots",
                            "2",
                            "--eval-time",
                            "20ms",
                            "--journal",
                            "{postgres}",
                            "--dashboard",
                            "127.0.0.1:0",
                            "--transport",
                            "tcp",
                            "--port",
                            "{node-port}")
                    .onlyWithPostgres(),
            List.of(
                    SuccessCases.searchRun(
                                    Case.succeeds(
                                            "search --cluster: on the search host",
                                            "search",
                                            "--cluster",
                                            "--journal",
                                            "{postgres}",
                                            "--transport",
                                            "tcp",
                                            "--port",
                                            "{search-port}",
                                            "--seed-nodes",
                                            "127.0.0.1:{node-port}",
                                            "--min-evaluators",
                                            "2",
                                            "--budget",
                                            "10",
                                            "--quiet",
                                            "--out",
                                            "{work}/runs/pg-cluster-{run-id}"),
                                    "{work}/runs/pg-cluster-{run-id}",
                                    10)
                            .onlyWithPostgres(),
                    Case.succeeds(
                                    "runs show: the search host's search",
                                    "runs",
                                    "show",
                                    "pg-cluster-{run-id}-evolution-0",
                                    "--journal",
                                    "{postgres}",
                                    "--json")
                            .expecting(
                                    new Check.StdoutJson(List.of("state", "evaluations", "stop_reason")),
                                    new Check.StdoutContains("finished"))
                            .onlyWithPostgres(),
                    // Detached: handed to the host, listed live, shown, cancelled (a budget it cannot spend in time).
                    Case.succeeds(
                                    "search --detach: handed to the search host",
                                    "search",
                                    "--cluster",
                                    "--detach",
                                    "--share",
                                    "2",
                                    "--journal",
                                    "{postgres}",
                                    "--transport",
                                    "tcp",
                                    "--seed-nodes",
                                    "127.0.0.1:{node-port}",
                                    "--budget",
                                    "100000",
                                    "--out",
                                    "{work}/runs/pg-detached-{run-id}")
                            .expecting(new Check.StdoutContains("pg-detached-{run-id}-evolution-0"))
                            .onlyWithPostgres(),
                    Case.succeeds(
                                    "runs list --seed-nodes: the searches running now",
                                    "runs",
                                    "list",
                                    "--seed-nodes",
                                    "127.0.0.1:{node-port}",
                                    "--transport",
                                    "tcp",
                                    "--host",
                                    "127.0.0.1",
                                    "--port",
                                    "0",
                                    "--cluster-config",
                                    "{cluster-config}",
                                    "--json")
                            .expecting(
                                    new Check.StdoutContains("pg-detached-{run-id}-evolution-0"),
                                    new Check.StdoutContains("\"share\" : 2"))
                            .onlyWithPostgres(),
                    Case.succeeds(
                                    "runs show --seed-nodes: one running search",
                                    "runs",
                                    "show",
                                    "pg-detached-{run-id}-evolution-0",
                                    "--seed-nodes",
                                    "127.0.0.1:{node-port}",
                                    "--transport",
                                    "tcp",
                                    "--host",
                                    "127.0.0.1",
                                    "--port",
                                    "0",
                                    "--cluster-config",
                                    "{cluster-config}")
                            .expecting(new Check.StdoutContains("running"))
                            .onlyWithPostgres(),
                    Case.succeeds(
                                    "runs cancel: the detached search ends, journaled",
                                    "runs",
                                    "cancel",
                                    "pg-detached-{run-id}-evolution-0",
                                    "--reason",
                                    "contract",
                                    "--seed-nodes",
                                    "127.0.0.1:{node-port}",
                                    "--transport",
                                    "tcp",
                                    "--host",
                                    "127.0.0.1",
                                    "--port",
                                    "0",
                                    "--cluster-config",
                                    "{cluster-config}",
                                    "--json")
                            .expecting(new Check.StdoutContains("cancelled: contract"))
                            .onlyWithPostgres(),
                    Case.rejects(
                                    "runs cancel: a search that is not there",
                                    "no search nobody-",
                                    "runs",
                                    "cancel",
                                    "nobody-{run-id}",
                                    "--seed-nodes",
                                    "127.0.0.1:{node-port}",
                                    "--transport",
                                    "tcp")
                            .onlyWithPostgres()));

    /**
     * A gateway node and a worker process that runs a protocol-2 program per task: the worker's
     * slots show in the node's status, and a cluster search evaluates on them.
     */
    static final Scenario GATEWAY_NODE_AND_WORKER = new Scenario(
            "a gateway node with a worker",
            Case.servesUntilSigterm(
                    "node: a worker gateway",
                    "is up",
                    "node",
                    "--roles",
                    "gateway",
                    "--worker-port",
                    "127.0.0.1:{worker-port}",
                    "--worker-token-file",
                    "{worker-token}",
                    "--transport",
                    "tcp",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "{node-port}",
                    "--seed-nodes",
                    "127.0.0.1:{node-port}",
                    "--cluster-config",
                    "{cluster-config}"),
            List.of(Case.servesUntilSigterm(
                    "worker: a runner's slots on the gateway",
                    "welcomed",
                    "worker",
                    "--gateway",
                    "127.0.0.1:{worker-port}",
                    "--kind",
                    "score",
                    "--slots",
                    "2",
                    "--runner",
                    "{score-runner}",
                    "--eval-timeout",
                    "60",
                    "--token-file",
                    "{worker-token}",
                    "--name",
                    "contract-worker")),
            List.of(
                    Case.succeeds(
                                    "cluster status: the gateway's worker pool",
                                    "cluster",
                                    "status",
                                    "--seed-nodes",
                                    "127.0.0.1:{node-port}",
                                    "--transport",
                                    "tcp",
                                    "--host",
                                    "127.0.0.1",
                                    "--cluster-config",
                                    "{cluster-config}",
                                    "--timeout",
                                    "30",
                                    "--json")
                            .expecting(new Check.StdoutContains("worker:score")),
                    SuccessCases.searchRun(
                                    Case.succeeds(
                                            "search --cluster: evaluations on a worker",
                                            "search",
                                            "--cluster",
                                            "--transport",
                                            "tcp",
                                            "--host",
                                            "127.0.0.1",
                                            "--port",
                                            "{search-port}",
                                            "--seed-nodes",
                                            "127.0.0.1:{node-port}",
                                            "--min-evaluators",
                                            "2",
                                            "--cluster-config",
                                            "{cluster-config}",
                                            "--evaluator",
                                            "worker:score",
                                            "--metric",
                                            "score:max",
                                            "--strategy",
                                            "random",
                                            "--budget",
                                            "6",
                                            "--quiet",
                                            "--out",
                                            "{work}/runs/worker-cluster"),
                                    "{work}/runs/worker-cluster",
                                    6)
                            .expecting(new Check.CsvColumns(
                                    "{work}/runs/worker-cluster/evaluations.csv", List.of("score")))));

    /**
     * An evaluator node serving Pekko Management (health, membership, Prometheus metrics) on a free
     * loopback port: it starts, a cluster search evaluates on it, and SIGTERM still stops it
     * (MetricsClusterTest checks what the endpoints answer).
     */
    static final Scenario NODE_WITH_MANAGEMENT = new Scenario(
            "an evaluator node with management and metrics",
            Case.servesUntilSigterm(
                    "node: management and metrics on loopback",
                    "is up",
                    "node",
                    "--roles",
                    "evaluator",
                    "--slots",
                    "2",
                    "--eval-time",
                    "5ms",
                    "--transport",
                    "tcp",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "{node-port}",
                    "--seed-nodes",
                    "127.0.0.1:{node-port}",
                    "--discovery",
                    "seed-nodes",
                    "--management",
                    "127.0.0.1:{worker-port}"),
            List.of(SuccessCases.searchRun(
                    Case.succeeds(
                            "search --cluster: evaluations on a node that serves metrics",
                            "search",
                            "--cluster",
                            "--transport",
                            "tcp",
                            "--host",
                            "127.0.0.1",
                            "--port",
                            "{search-port}",
                            "--seed-nodes",
                            "127.0.0.1:{node-port}",
                            "--min-evaluators",
                            "2",
                            "--budget",
                            "6",
                            "--quiet",
                            "--out",
                            "{work}/runs/management-cluster"),
                    "{work}/runs/management-cluster",
                    6)));

    static final List<Scenario> ALL =
            List.of(EVALUATOR_AND_LATENCY_NODE, SEARCH_HOST_ON_POSTGRES, GATEWAY_NODE_AND_WORKER, NODE_WITH_MANAGEMENT);
}
