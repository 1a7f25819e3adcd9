package io.archipelago.node.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Command lines that must be refused as bad input (README: "exits with code 2 and one line on
 * stderr"), each with what that line must name. Some carry options that no tiny succeeding case
 * can use (two latency methods at once, a second evaluator kind): the option is then at least
 * parsed and checked through the jar.
 */
final class BadInputCases {
    private BadInputCases() {}

    static List<Case> all() {
        List<Case> cases = new ArrayList<>(List.of(
                Case.rejects("search: unknown strategy", "unknown strategy 'bogus'", "search", "--strategy", "bogus", "--quiet",
                        "--out", "{work}/never"),
                Case.rejects("search: budget 0", "--budget must be > 0", "search", "--budget", "0", "--quiet", "--out", "{work}/never"),
                Case.rejects("search: a journal that cannot be opened", "cannot open the journal", "search", "--budget", "5", "--quiet",
                        "--journal", "jdbc:postgresql://127.0.0.1:1/none?user=u&password=p", "--out", "{work}/never"),
                Case.rejects("search: --journal-retry 0", "--journal-retry must be > 0", "search", "--budget", "5", "--quiet",
                        "--journal-retry", "0", "--out", "{work}/never"),
                Case.rejects("search: a budget that is no number", "'ten' is not an int", "search", "--budget", "ten"),
                Case.rejects("search: an --out that holds a run", "already holds a run", "search", "--budget", "5", "--quiet",
                        "--out", "{work}/runs/evolution"),
                Case.rejects("search: two latency methods", "latency needs exactly one of --measured, --runner CMD or --latency-table FILE",
                        "search", "--objectives", "cifar10_valid_12:max,latency_ms:min", "--measured", "--runner", "true",
                        "--latency-table", "{latency-table}", "--quiet", "--out", "{work}/never"),
                Case.rejects("search: --min-evaluators 0 on a cluster", "--min-evaluators must be > 0", "search", "--cluster",
                        "--min-evaluators", "0", "--quiet", "--out", "{work}/never"),
                Case.rejects("search: a --cluster-config that is missing", "is not a readable file", "search", "--cluster", "--transport", "tcp",
                        "--cluster-config", "{work}/missing.conf", "--quiet", "--out", "{work}/never"),
                Case.rejects("search: a malformed --seed-nodes", "'127.0.0.1' is not HOST:PORT", "search", "--cluster", "--seed-nodes", "127.0.0.1",
                        "--quiet", "--out", "{work}/never"),
                Case.rejects("search: an unknown journal", "--journal must be none, jdbc:postgresql://", "search", "--journal", "bogus:url",
                        "--quiet", "--out", "{work}/never"),
                Case.rejects("search: --snapshot-every -1", "--snapshot-every must be >= 0", "search", "--snapshot-every", "-1", "--quiet",
                        "--out", "{work}/never"),
                Case.rejects("search: --resume of a missing directory", "is not a directory", "search", "--resume", "{work}/no-such-run"),

                Case.rejects("resume: a missing directory", "is not a directory", "resume", "{work}/no-such-run"),
                Case.rejects("resume: a directory that is no run", "is not a run directory", "resume", "{work}", "--journal", SuccessCases.SHARED_H2),
                Case.rejects("runs list: an unknown journal", "--journal must be none, jdbc:postgresql://", "runs", "list", "--journal", "bogus"),
                Case.rejects("runs show: a missing directory", "is not a directory", "runs", "show", "{work}/no-such-run", "--json"),

                Case.rejects("node: an unknown role", "unknown role 'janitor'", "node", "--roles", "evaluator,janitor"),
                Case.rejects("node: a port out of range", "--port must be in 0..65535", "node", "--port", "70000"),
                Case.rejects("node: an unknown teg batch-norm mode", "--teg-bn must be batch or running", "node", "--evaluator", "teg",
                        "--data", "gaussian", "--teg-batch", "4", "--teg-repeats", "1", "--teg-channels", "4", "--teg-cells", "1",
                        "--rank-by", "te", "--teg-bn", "sideways", "--transport", "tcp", "--port", "0"),
                Case.rejects("node: two latency methods", "latency needs exactly one of --measured, --runner CMD or --latency-table FILE",
                        "node", "--roles", "latency", "--device", "d1", "--measured", "--runner", "true", "--transport", "tcp", "--port", "0"),
                Case.rejects("node: --runner-timeout 0", "--runner-timeout must be a positive number of seconds", "node", "--roles", "latency",
                        "--device", "d1", "--runner", "true", "--latency-repeats", "1", "--latency-warmup", "0", "--runner-timeout", "0",
                        "--transport", "tcp", "--port", "0"),
                // A journal makes a node a search host: only controller-role nodes take one (with PostgreSQL, see ClusterScenarios).
                Case.rejects("node: --journal without the controller role", "--journal is for controller-role nodes", "node", "--roles", "evaluator",
                        "--journal", SuccessCases.SHARED_H2, "--transport", "tcp", "--port", "0"),

                Case.rejects("cluster status: no seed nodes", "--seed-nodes is required", "cluster", "status"),
                Case.rejects("cluster status: a timeout that is no number", "'soon' is not a double", "cluster", "status", "--seed-nodes",
                        "127.0.0.1:2551", "--timeout", "soon"),
                Case.rejects("cluster status: seed nodes that do not answer", "could not join the cluster", "cluster", "status",
                        "--seed-nodes", "127.0.0.1:{ports}", "--transport", "tcp", "--timeout", "3"),

                Case.rejects("teg: a malformed cell", "malformed mixed NAS-Bench-201 cell", "teg", "--arch", "|bogus|"),
                Case.rejects("teg: an unknown data set", "unknown data set 'nowhere'", "teg", "--arch", SuccessCases.CELL, "--data", "nowhere"),
                Case.rejects("teg: an unknown --rank-by", "--rank-by must be teg or te", "teg", "--arch", SuccessCases.CELL, "--data", "gaussian",
                        "--teg-channels", "2", "--teg-repeats", "1", "--teg-batch", "4", "--rank-by", "bogus"),

                Case.rejects("bench search: --seeds 0", "--seeds must be > 0", "bench", "search", "--seeds", "0"),
                Case.rejects("bench search: an unknown report metric", "unknown metric 'imagenet_top1_90'", "bench", "search", "--budget", "5",
                        "--seeds", "1", "--report-metric", "imagenet_top1_90"),
                Case.rejects("bench throughput: --rounds 0", "--rounds must be > 0", "bench", "throughput", "--rounds", "0"),
                Case.rejects("bench utilization: budget 0", "--budget must be > 0", "bench", "utilization", "--budget", "0"),
                Case.rejects("bench pareto: one objective", "bench pareto needs two or more objectives", "bench", "pareto",
                        "--objectives", "cifar10_valid_12:max"),
                // bench pareto fills in --objectives when none is given, so --metric always collides with it.
                Case.rejects("bench pareto: --metric", "--metric and --objectives both name what to optimise", "bench", "pareto",
                        "--metric", "cifar10_valid_12"),
                Case.rejects("bench replay: --evaluations 0", "--evaluations must be > 0", "bench", "replay", "--evaluations", "0"),
                Case.rejects("bench correlation: a sample of 2", "--sample must be >= 3", "bench", "correlation", "--sample", "2"),
                Case.rejects("bench correlation: a tabular evaluator", "unknown training-free evaluator 'tabular'", "bench", "correlation",
                        "--evaluator", "tabular"),
                Case.rejects("bench predictors: an unknown predictor", "unknown predictor 'xgb'", "bench", "predictors", "--predictors", "gcn,xgb",
                        "--train", "10", "--test", "20"),
                Case.rejects("bench cluster-throughput: one node", "--nodes must be >= 2", "bench", "cluster-throughput", "--nodes", "1"),
                Case.rejects("bench cluster-throughput: an Aeron setting on tcp", "--aeron-idle-cpu-level applies to --transport aeron-udp only",
                        "bench", "cluster-throughput", "--transport", "tcp", "--aeron-idle-cpu-level", "3", "--base-port", "{ports}"),
                Case.rejects("bench scaling: no evaluation time", "--eval-time must be > 0", "bench", "scaling", "--eval-time", "0ms"),
                Case.rejects("bench latency-table: a sample of 2", "--sample must be >= 3", "bench", "latency-table", "--sample", "2"),

                Case.rejects("latency build-table: a device name with a space", "a device name is letters, digits", "latency", "build-table",
                        "--device", "my phone", "--out", "{work}/never.json"),
                Case.rejects("latency build-table: an --out that exists", "exists; refusing to overwrite it", "latency", "build-table",
                        "--device", "d1", "--out", "{benchmark}"),
                Case.rejects("latency measure: no cell", "Missing required argument", "latency", "measure"),
                Case.rejects("latency measure: --repeats 0", "--repeats must be > 0", "latency", "measure", "--arch", SuccessCases.CELL,
                        "--repeats", "0")));
        // The bench commands that take every search option: what their tiny succeeding cases cannot combine.
        cases.addAll(searchOptionRejections("--teg-bn must be batch or running", "bench", "search"));
        cases.addAll(searchOptionRejections("with the tabular evaluator, not 'teg'", "bench", "throughput"));
        // utilization and replay simulate evaluation time by default, which the teg evaluator refuses.
        cases.addAll(searchOptionRejections("the teg evaluator's cost is real", "bench", "utilization"));
        cases.addAll(searchOptionRejections("--teg-bn must be batch or running", "bench", "pareto"));
        cases.addAll(searchOptionRejections("the teg evaluator's cost is real", "bench", "replay"));
        return cases;
    }

    /**
     * The search options a bench command's one succeeding case cannot use, each in a command line it
     * must refuse: two latency methods, the latency settings (with --latency-repeats 0), the TEG
     * settings (with an unknown batch-norm mode), a constraint without nsga2, an unknown predictor.
     *
     * @param tegMessage what the command says about the TEG case
     */
    private static List<Case> searchOptionRejections(String tegMessage, String... command) {
        String name = String.join(" ", command);
        return List.of(
                Case.rejects(name + ": two latency methods", "latency needs exactly one of --measured, --runner CMD or --latency-table FILE",
                        args(command, "--objectives", "cifar10_valid_12:max,latency_ms:min", "--measured", "--runner", "true",
                                "--latency-table", "{latency-table}")),
                Case.rejects(name + ": --latency-repeats 0", "--latency-repeats must be > 0",
                        args(command, "--objectives", "cifar10_valid_12:max,latency_ms:min", "--target-latency", "5", "--reward", "soft",
                                "--device", "d1", "--measured", "--latency-repeats", "0", "--latency-warmup", "0", "--runner-timeout", "5",
                                "--latency-slots", "1")),
                Case.rejects(name + ": the teg evaluator with an unknown batch-norm mode", tegMessage,
                        args(command, "--evaluator", "teg", "--data", "gaussian", "--teg-batch", "4", "--teg-repeats", "1",
                                "--teg-channels", "4", "--teg-cells", "1", "--rank-by", "te", "--teg-bn", "sideways")),
                Case.rejects(name + ": a constraint without nsga2", "--constraint is a condition of nsga2",
                        args(command, "--strategy", "random", "--constraint", "params<=1e6")),
                Case.rejects(name + ": an unknown predictor", "unknown predictor 'oracle'",
                        args(command, "--strategy", "predictor-evolution", "--predictor", "oracle", "--initial", "4", "--refit-every", "4")));
    }

    private static String[] args(String[] command, String... options) {
        return Stream.concat(Stream.of(command), Stream.of(options)).toArray(String[]::new);
    }
}
