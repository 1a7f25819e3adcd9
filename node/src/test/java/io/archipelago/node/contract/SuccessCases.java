package io.archipelago.node.contract;

import java.time.Duration;
import java.util.List;

/**
 * Command lines that must succeed, with what README.md says they print and write. They run in
 * this order: the first ones make what later ones read ({@code {latency-table}}, the run
 * directories under {@code {work}/runs}). Budgets are tiny: the point is that each command and
 * option works through the shaded jar, not what a search finds.
 */
final class SuccessCases {
    private SuccessCases() {}

    /** MnasNet-A1 is in the space; any member does for the commands. */
    static final String MNASNET = "sep-k3-se0-none-f16-l1/mb6-k3-se0-id-f24-l2/mb3-k5-se0.25-id-f40-l3/"
            + "mb6-k3-se0-id-f80-l4/mb6-k3-se0.25-id-f112-l2/mb6-k5-se0.25-id-f160-l3/mb6-k3-se0-none-f320-l1";

    /** DARTS-V2 as DARTS's genotypes.py prints it (spaces and quotes: one argument all the same). */
    static final String DARTS_V2 = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
            + "('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], "
            + "normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), "
            + "('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], "
            + "reduce_concat=[2, 3, 4, 5])";

    static final String CELL =
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";

    /** summary.json's fields (README, "Output files"). */
    static final List<String> SUMMARY_FIELDS = List.of(
            "best.arch",
            "best.canonical_key",
            "best.metrics",
            "evaluations",
            "failed",
            "cached",
            "wall_seconds",
            "utilization",
            "stop_reason");
    /** summary.json's extra fields with several objectives. */
    static final List<String> FRONT_FIELDS = List.of("objectives", "front", "hypervolume", "hypervolume_reference");
    /** evaluations.csv's columns before the metrics. */
    static final List<String> CSV_COLUMNS =
            List.of("candidate_id", "arch", "status", "evaluator", "seconds", "attempts", "steps", "failure_reason");

    static final List<String> LATENCY_COLUMNS = List.of("latency_ms", "latency_p10_ms", "latency_p90_ms");

    /** A request of the device-runner protocol (runners/README.md) for a small network. */
    static final String RUNNER_REQUEST =
            "{\"protocol\":1,\"space\":\"nb201\",\"encoding\":\"" + CELL + "\",\"input_shape\":[1,3,32,32],"
                    + "\"batch\":1,\"device\":\"d1\",\"network\":{\"channels\":4,\"cells_per_stage\":1,\"classes\":10},\"warmup\":0,\"repeats\":1}";

    static final String SHARED_H2 = "jdbc:h2:file:{work}/shared-journal/archipelago";

    /** The files every search writes in its run directory, summary.json's fields and evaluations.csv's columns. */
    static Case searchRun(Case search, String dir, int evaluations) {
        return search.files(dir, "summary.json", "evaluations.csv", "history.png", "run.json")
                .expecting(
                        new Check.JsonFile(dir + "/summary.json", SUMMARY_FIELDS),
                        new Check.JsonFileValue(dir + "/summary.json", "evaluations", String.valueOf(evaluations)),
                        new Check.CsvColumns(dir + "/evaluations.csv", CSV_COLUMNS));
    }

    /** {@code group.name} for every group and name (README's {@code spearman.<measure>}, {@code kendall.<predictor>}, ...). */
    private static String[] fields(List<String> groups, List<String> names) {
        return groups.stream()
                .flatMap(group -> names.stream().map(name -> group + "." + name))
                .toArray(String[]::new);
    }

    /** A tiny SPOS run: the 64-image Fashion-MNIST copy, C=2, N=1, 32 images in batches of 8 (4 steps an epoch). */
    static final String[] TINY_SUPERNET = {
        "supernet",
        "train",
        "--data",
        "fashion-mnist:{tiny-fashion-mnist}",
        "--channels",
        "2",
        "--cells",
        "1",
        "--batch",
        "8",
        "--train-images",
        "32",
        "--threads",
        "1",
        "--quiet"
    };

    private static String[] supernet(String... more) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(TINY_SUPERNET), java.util.Arrays.stream(more))
                .toArray(String[]::new);
    }

    /** A tiny bench supernet: the tiny SPOS run's settings, 4 sampled cells and the 5-cell truth, on 64 images. */
    static final String[] TINY_BENCH_SUPERNET = {
        "bench",
        "supernet",
        "--data",
        "fashion-mnist:{tiny-fashion-mnist}",
        "--channels",
        "2",
        "--cells",
        "1",
        "--batch",
        "8",
        "--train-images",
        "32",
        "--sample",
        "4",
        "--eval-images",
        "64",
        "--eval-batch",
        "32",
        "--truth",
        "{tiny-truth}",
        "--truth-metric",
        "cifar10_valid_12",
        "--threads",
        "1",
        "--quiet"
    };

    private static String[] benchSupernet(String... more) {
        return java.util.stream.Stream.concat(
                        java.util.Arrays.stream(TINY_BENCH_SUPERNET), java.util.Arrays.stream(more))
                .toArray(String[]::new);
    }

    static List<Case> all() {
        return List.of(
                // supernet train: a run stopped at a checkpoint (the testing option --stop-after), then resumed to its
                // end.
                Case.succeeds(
                                "supernet train: a tiny run stopped at step 4",
                                supernet(
                                        "--space",
                                        "nb201",
                                        "--epochs",
                                        "2",
                                        "--seed",
                                        "1",
                                        "--augment",
                                        "--checkpoint-every",
                                        "3",
                                        "--stop-after",
                                        "4",
                                        "--out",
                                        "{work}/supernet/run"))
                        .files("{work}/supernet/run", "checkpoint.spos", "loss.png", "train.json", "loss.csv")
                        .expecting(
                                new Check.JsonFileValue("{work}/supernet/run/train.json", "status", "stopped"),
                                new Check.JsonFileValue("{work}/supernet/run/train.json", "steps_done", "4")),
                Case.succeeds(
                                "supernet train: --resume to the end",
                                "supernet",
                                "train",
                                "--resume",
                                "{work}/supernet/run",
                                "--threads",
                                "1",
                                "--quiet")
                        .expecting(
                                new Check.JsonFileValue("{work}/supernet/run/train.json", "status", "done"),
                                new Check.JsonFileValue("{work}/supernet/run/train.json", "steps_done", "8"),
                                new Check.JsonFile(
                                        "{work}/supernet/run/train.json",
                                        List.of(
                                                "spec.total_steps",
                                                "images_per_second",
                                                "final_loss",
                                                "final_accuracy",
                                                "weights_sha256",
                                                "checkpoint_sha256"))),
                // search on the supernet just trained: candidates scored with its weights on its held-out images.
                searchRun(
                                Case.succeeds(
                                        "search: the supernet evaluator",
                                        "search",
                                        "--evaluator",
                                        "supernet",
                                        "--supernet",
                                        "{work}/supernet/run",
                                        "--data",
                                        "fashion-mnist:{tiny-fashion-mnist}",
                                        "--eval-images",
                                        "16",
                                        "--eval-batch",
                                        "8",
                                        "--slots",
                                        "1",
                                        "--budget",
                                        "4",
                                        "--quiet",
                                        "--out",
                                        "{work}/runs/supernet"),
                                "{work}/runs/supernet",
                                4)
                        .expecting(
                                new Check.JsonFileValue("{work}/runs/supernet/summary.json", "evaluator", "supernet"),
                                new Check.CsvColumns(
                                        "{work}/runs/supernet/evaluations.csv",
                                        List.of("supernet_accuracy", "supernet_loss", "params"))),
                // search with the train evaluator: each cell trained alone (C=2, one epoch of 3 batches, 16 images).
                searchRun(
                                Case.succeeds(
                                        "search: the train evaluator",
                                        "search",
                                        "--evaluator",
                                        "train",
                                        "--data",
                                        "fashion-mnist:{tiny-fashion-mnist}",
                                        "--train-epochs",
                                        "1",
                                        "--train-images",
                                        "24",
                                        "--train-valid-images",
                                        "16",
                                        "--train-test-images",
                                        "16",
                                        "--train-channels",
                                        "2",
                                        "--train-cells",
                                        "1",
                                        "--train-batch",
                                        "8",
                                        "--train-threads",
                                        "1",
                                        "--train-augment",
                                        "--slots",
                                        "1",
                                        "--budget",
                                        "3",
                                        "--quiet",
                                        "--out",
                                        "{work}/runs/train"),
                                "{work}/runs/train",
                                3)
                        .expecting(
                                new Check.JsonFileValue("{work}/runs/train/summary.json", "evaluator", "train"),
                                new Check.CsvColumns(
                                        "{work}/runs/train/evaluations.csv",
                                        List.of("valid_accuracy", "test_accuracy", "train_loss", "params"))),
                Case.succeeds(
                                "supernet train: --minutes",
                                supernet(
                                        "--minutes", "0.02", "--quarter-checkpoints", "--out", "{work}/supernet/timed"))
                        .files("{work}/supernet/timed", "checkpoint.spos", "loss.png", "train.json")
                        .expecting(new Check.JsonFileValue("{work}/supernet/timed/train.json", "plan.by", "minutes")),
                // bench supernet: seed 0 stopped part-way (the testing option --stop-after), then resumed with a
                // second seed; the bench by minutes has a directory of its own (its settings differ).
                Case.succeeds(
                                "bench supernet: a tiny bench stopped in seed 0",
                                benchSupernet(
                                        "--epochs",
                                        "1",
                                        "--seeds",
                                        "1",
                                        "--stop-after",
                                        "2",
                                        "--out",
                                        "{work}/bench-supernet/epochs"))
                        .expecting(new Check.StdoutContains("seed 0: stopped at step 2 of 4")),
                Case.succeeds(
                                "bench supernet: resumed, with a second seed",
                                benchSupernet(
                                        "--epochs",
                                        "1",
                                        "--seeds",
                                        "2",
                                        "--sample-seed",
                                        "0",
                                        "--benchmark",
                                        "{benchmark}",
                                        "--metric",
                                        "cifar10_test_200",
                                        "--out",
                                        "{work}/bench-supernet/epochs",
                                        "--json"))
                        .lastLineJson(
                                "truth.kendall.supernet_accuracy",
                                "truth.kendall.params",
                                "truth.spearman.supernet_accuracy",
                                "table.kendall.supernet_accuracy",
                                "table.kendall.params",
                                "table.spearman.params",
                                "train_images_per_second",
                                "seconds_per_cell",
                                "curve.3.table_kendall",
                                "picked.value",
                                "per_seed.1.table.kendall.supernet_accuracy"),
                Case.succeeds(
                                "bench supernet: --minutes",
                                benchSupernet(
                                        "--minutes",
                                        "0.02",
                                        "--augment",
                                        "--seeds",
                                        "1",
                                        "--out",
                                        "{work}/bench-supernet/minutes",
                                        "--json"))
                        .lastLineJson("table.kendall.params", "curve.0.step", "per_seed.0.total_steps"),
                // latency: the table made here is {latency-table} of later cases (device d1).
                Case.succeeds(
                                "latency build-table: a tiny table",
                                "latency",
                                "build-table",
                                "--device",
                                "d1",
                                "--out",
                                "{latency-table}",
                                "--fit-cells",
                                "3",
                                "--fit-rounds",
                                "1",
                                "--seed",
                                "0",
                                "--repeats",
                                "1",
                                "--warmup",
                                "0",
                                "--threads",
                                "1",
                                "--channels",
                                "4",
                                "--cells",
                                "1",
                                "--batch",
                                "1",
                                "--json")
                        .lastLineJson("out", "device", "entries", "model", "fit_mape", "seconds")
                        .expecting(new Check.NonEmptyFile("{latency-table}")),
                // Tables of the other spaces with latency blocks, tiny: read by bench latency-table and a search below.
                Case.succeeds(
                                "latency build-table: a tiny MnasNet table",
                                "latency",
                                "build-table",
                                "--space",
                                "mnasnet",
                                "--image-size",
                                "16",
                                "--channels",
                                "8",
                                "--device",
                                "d1",
                                "--out",
                                "{work}/lut/mnasnet.json",
                                "--fit-cells",
                                "3",
                                "--fit-rounds",
                                "1",
                                "--repeats",
                                "1",
                                "--warmup",
                                "0",
                                "--threads",
                                "1",
                                "--json")
                        .lastLineJson("out", "space", "entries", "model", "fit_mape")
                        .expecting(new Check.JsonFileValue("{work}/lut/mnasnet.json", "space", "mnasnet"))
                        .timeout(Duration.ofSeconds(180)),
                Case.succeeds(
                                "latency build-table: a tiny DARTS table",
                                "latency",
                                "build-table",
                                "--space",
                                "darts",
                                "--channels",
                                "2",
                                "--cells",
                                "1",
                                "--image-size",
                                "8",
                                "--device",
                                "d1",
                                "--out",
                                "{work}/lut/darts.json",
                                "--fit-cells",
                                "3",
                                "--fit-rounds",
                                "1",
                                "--repeats",
                                "1",
                                "--warmup",
                                "0",
                                "--json")
                        .lastLineJson("out", "space", "entries", "model")
                        .expecting(new Check.JsonFileValue(
                                "{work}/lut/darts.json", "format", "archipelago-space-latency-table")),
                Case.succeeds(
                                "latency measure: one cell",
                                "latency",
                                "measure",
                                "--arch",
                                CELL,
                                "--device",
                                "d1",
                                "--seed",
                                "1",
                                "--repeats",
                                "1",
                                "--warmup",
                                "0",
                                "--threads",
                                "1",
                                "--channels",
                                "4",
                                "--cells",
                                "1",
                                "--batch",
                                "1",
                                "--json")
                        .lastLineJson("arch", "latency_ms", "latency_p10_ms", "latency_p90_ms", "labels.device"),
                Case.succeeds(
                                "latency measure: a MnasNet network at its standard size",
                                "latency",
                                "measure",
                                "--space",
                                "mnasnet",
                                "--arch",
                                MNASNET,
                                "--repeats",
                                "1",
                                "--warmup",
                                "0",
                                "--json")
                        .lastLineJson("arch", "latency_ms", "labels.device"),
                // What runners/local-cpu runs: a runner request on stdin, the result as the last line.
                Case.succeeds(
                                "latency measure --stdin: a device-runner request",
                                "latency",
                                "measure",
                                "--stdin",
                                "--threads",
                                "1")
                        .stdin(RUNNER_REQUEST)
                        .lastLineJson("latency_ms", "labels"),

                // search: one case per way of searching, each with the options that belong to it.
                searchRun(
                                Case.succeeds(
                                        "search: evolution with the run options, its own H2 journal",
                                        "search",
                                        "--space",
                                        "nb201",
                                        "--strategy",
                                        "evolution",
                                        "--evaluator",
                                        "tabular",
                                        "--metric",
                                        "cifar10_valid_12:max",
                                        "--benchmark",
                                        "{benchmark}",
                                        "--eval-time",
                                        "uniform:1ms,3ms",
                                        "--slots",
                                        "2",
                                        "--population",
                                        "8",
                                        "--sample-size",
                                        "3",
                                        "--eval-timeout",
                                        "30",
                                        "--max-attempts",
                                        "2",
                                        "--budget",
                                        "20",
                                        "--seed",
                                        "1",
                                        "--snapshot-every",
                                        "5",
                                        "--quiet",
                                        "--out",
                                        "{work}/runs/evolution"),
                                "{work}/runs/evolution",
                                20)
                        .files("{work}/runs/evolution", "journal.mv.db"),
                // NAS-Bench-Graph: a shipped table by name, the AGNN controller, and NSGA-II on the table's latency.
                searchRun(
                                Case.succeeds(
                                        "search: agnn on the embedded NAS-Bench-Graph CiteSeer table",
                                        "search",
                                        "--space",
                                        "nbgraph",
                                        "--benchmark",
                                        "nbgraph:citeseer",
                                        "--strategy",
                                        "agnn",
                                        "--budget",
                                        "30",
                                        "--quiet",
                                        "--out",
                                        "{work}/runs/nbgraph-agnn"),
                                "{work}/runs/nbgraph-agnn",
                                30)
                        .expecting(new Check.CsvColumns(
                                "{work}/runs/nbgraph-agnn/evaluations.csv",
                                List.of("valid_acc", "test_acc", "latency"))),
                searchRun(
                                Case.succeeds(
                                        "search: nsga2 on NAS-Bench-Graph accuracy x latency",
                                        "search",
                                        "--space",
                                        "nbgraph",
                                        "--benchmark",
                                        "nbgraph:cora",
                                        "--strategy",
                                        "nsga2",
                                        "--objectives",
                                        "valid_acc:max,latency:min",
                                        "--population",
                                        "10",
                                        "--budget",
                                        "40",
                                        "--quiet",
                                        "--out",
                                        "{work}/runs/nbgraph-nsga2"),
                                "{work}/runs/nbgraph-nsga2",
                                40)
                        .files("{work}/runs/nbgraph-nsga2", "pareto.png")
                        .expecting(new Check.JsonFile("{work}/runs/nbgraph-nsga2/summary.json", FRONT_FIELDS)),
                // Without --quiet: the progress bar must not get in the way of the files or the table.
                searchRun(
                                Case.succeeds(
                                        "search: nsga2 front with a constraint, progress bar on",
                                        "search",
                                        "--strategy",
                                        "nsga2",
                                        "--objectives",
                                        "cifar10_valid_12:max,params:min",
                                        "--constraint",
                                        "params<=1e6",
                                        "--population",
                                        "10",
                                        "--budget",
                                        "30",
                                        "--seed",
                                        "2",
                                        "--out",
                                        "{work}/runs/nsga2"),
                                "{work}/runs/nsga2",
                                30)
                        .files("{work}/runs/nsga2", "pareto.png", "journal.mv.db")
                        .expecting(new Check.JsonFile("{work}/runs/nsga2/summary.json", FRONT_FIELDS)),
                // The shipped runner: a JVM per candidate (~5 s each), so two candidates. It runs the repository's
                // node/target/archipelago.jar, not the jar under test (see runners/local-cpu).
                searchRun(
                                Case.succeeds(
                                        "search: MnasNet reward, latency from runners/local-cpu",
                                        "search",
                                        "--strategy",
                                        "random",
                                        "--objectives",
                                        "cifar10_valid_12:max,latency_ms:min",
                                        "--target-latency",
                                        "50",
                                        "--reward",
                                        "hard",
                                        "--runner",
                                        "{runners}/local-cpu --threads 1",
                                        "--device",
                                        "local",
                                        "--latency-repeats",
                                        "1",
                                        "--latency-warmup",
                                        "0",
                                        "--runner-timeout",
                                        "120",
                                        "--latency-slots",
                                        "1",
                                        "--slots",
                                        "1",
                                        "--budget",
                                        "2",
                                        "--quiet",
                                        "--out",
                                        "{work}/runs/runner"),
                                "{work}/runs/runner",
                                2)
                        .expecting(
                                new Check.JsonFile(
                                        "{work}/runs/runner/summary.json",
                                        List.of("fitness", "latency.pool", "latency.method")),
                                new Check.JsonFileValue("{work}/runs/runner/summary.json", "latency.method", "runner"),
                                new Check.CsvColumns("{work}/runs/runner/evaluations.csv", LATENCY_COLUMNS))
                        .timeout(Duration.ofSeconds(180)),
                searchRun(
                                Case.succeeds(
                                        "search: nsga2 on latency measured in the JVM",
                                        "search",
                                        "--strategy",
                                        "nsga2",
                                        "--objectives",
                                        "cifar10_valid_12:max,latency_ms:min",
                                        "--constraint",
                                        "latency_ms<=1000",
                                        "--measured",
                                        "--latency-repeats",
                                        "1",
                                        "--latency-warmup",
                                        "0",
                                        "--population",
                                        "4",
                                        "--budget",
                                        "4",
                                        "--quiet",
                                        "--out",
                                        "{work}/runs/measured"),
                                "{work}/runs/measured",
                                4)
                        .files("{work}/runs/measured", "pareto.png")
                        .expecting(
                                new Check.JsonFileValue(
                                        "{work}/runs/measured/summary.json", "latency.method", "measured"),
                                new Check.CsvColumns("{work}/runs/measured/evaluations.csv", LATENCY_COLUMNS)),
                // A space without a benchmark table, searched on what its evaluators measure (issue 27's command).
                searchRun(
                                Case.succeeds(
                                        "search: nsga2 on MnasNet, TEG x measured latency",
                                        "search",
                                        "--space",
                                        "mnasnet",
                                        "--evaluator",
                                        "teg",
                                        "--strategy",
                                        "nsga2",
                                        "--objectives",
                                        "ntk_cond:min,latency_ms:min",
                                        "--measured",
                                        "--latency-repeats",
                                        "1",
                                        "--latency-warmup",
                                        "0",
                                        "--data",
                                        "gaussian",
                                        "--teg-batch",
                                        "4",
                                        "--teg-repeats",
                                        "1",
                                        "--population",
                                        "4",
                                        "--budget",
                                        "4",
                                        "--quiet",
                                        "--out",
                                        "{work}/runs/mnasnet"),
                                "{work}/runs/mnasnet",
                                4)
                        .expecting(
                                new Check.CsvColumns("{work}/runs/mnasnet/evaluations.csv", LATENCY_COLUMNS),
                                new Check.CsvColumns(
                                        "{work}/runs/mnasnet/evaluations.csv", List.of("ntk_cond", "params", "flops")))
                        .timeout(Duration.ofSeconds(180)),
                // The same search with latency predicted by the MnasNet latency table built above.
                searchRun(
                                Case.succeeds(
                                        "search: nsga2 on MnasNet, TEG x latency table",
                                        "search",
                                        "--space",
                                        "mnasnet",
                                        "--evaluator",
                                        "teg",
                                        "--strategy",
                                        "nsga2",
                                        "--objectives",
                                        "ntk_cond:min,latency_ms:min",
                                        "--latency-table",
                                        "{work}/lut/mnasnet.json",
                                        "--data",
                                        "gaussian",
                                        "--teg-batch",
                                        "4",
                                        "--teg-repeats",
                                        "1",
                                        "--population",
                                        "4",
                                        "--budget",
                                        "4",
                                        "--quiet",
                                        "--out",
                                        "{work}/runs/mnasnet-table"),
                                "{work}/runs/mnasnet-table",
                                4)
                        .expecting(
                                new Check.JsonFileValue(
                                        "{work}/runs/mnasnet-table/summary.json", "latency.method", "table"),
                                new Check.CsvColumns("{work}/runs/mnasnet-table/evaluations.csv", LATENCY_COLUMNS))
                        .timeout(Duration.ofSeconds(180)),
                // No data set is installed in CI: --data gaussian needs none. --teg-bn batch (10x slower) is the teg
                // case's.
                searchRun(
                                Case.succeeds(
                                        "search: teg-evolution on the training-free evaluator",
                                        "search",
                                        "--evaluator",
                                        "teg",
                                        "--strategy",
                                        "teg-evolution",
                                        "--data",
                                        "gaussian",
                                        "--teg-batch",
                                        "8",
                                        "--teg-repeats",
                                        "1",
                                        "--teg-bn",
                                        "running",
                                        "--teg-channels",
                                        "4",
                                        "--teg-cells",
                                        "1",
                                        "--rank-by",
                                        "te",
                                        "--population",
                                        "3",
                                        "--sample-size",
                                        "2",
                                        "--slots",
                                        "1",
                                        "--budget",
                                        "4",
                                        "--quiet",
                                        "--out",
                                        "{work}/runs/teg"),
                                "{work}/runs/teg",
                                4)
                        .expecting(
                                new Check.JsonFileValue("{work}/runs/teg/summary.json", "evaluator", "teg"),
                                new Check.CsvColumns(
                                        "{work}/runs/teg/evaluations.csv",
                                        List.of("ntk_cond", "linear_regions", "ntk_mse"))),
                searchRun(
                        Case.succeeds(
                                "search: predictor-evolution refitting its predictor",
                                "search",
                                "--strategy",
                                "predictor-evolution",
                                "--predictor",
                                "nac",
                                "--initial",
                                "4",
                                "--refit-every",
                                "4",
                                "--budget",
                                "12",
                                "--quiet",
                                "--out",
                                "{work}/runs/guided"),
                        "{work}/runs/guided",
                        12),
                searchRun(
                                Case.succeeds(
                                        "search: --journal none",
                                        "search",
                                        "--journal",
                                        "none",
                                        "--budget",
                                        "10",
                                        "--quiet",
                                        "--out",
                                        "{work}/runs/unjournaled"),
                                "{work}/runs/unjournaled",
                                10)
                        .expecting(new Check.NoFile("{work}/runs/unjournaled/journal.mv.db")),
                searchRun(
                                Case.succeeds(
                                        "search: --journal on an H2 URL",
                                        "search",
                                        "--journal",
                                        SHARED_H2,
                                        "--journal-retry",
                                        "30",
                                        "--budget",
                                        "10",
                                        "--seed",
                                        "1",
                                        "--quiet",
                                        "--out",
                                        "{work}/runs/shared-h2"),
                                "{work}/runs/shared-h2",
                                10)
                        .expecting(
                                new Check.NoFile("{work}/runs/shared-h2/journal.mv.db"),
                                new Check.NonEmptyFiles("{work}/shared-journal", List.of("archipelago.mv.db"))),
                searchRun(
                                Case.succeeds(
                                        "search: --journal on PostgreSQL",
                                        "search",
                                        "--journal",
                                        "{postgres}",
                                        "--budget",
                                        "10",
                                        "--seed",
                                        "1",
                                        "--quiet",
                                        "--out",
                                        "{work}/runs/pg-{run-id}"),
                                "{work}/runs/pg-{run-id}",
                                10)
                        .onlyWithPostgres(),

                // Journals: resume and runs on the run directories above (finished runs: resume rebuilds their files).
                searchRun(
                        Case.succeeds("resume: a run with its own journal", "resume", "{work}/runs/evolution"),
                        "{work}/runs/evolution",
                        20),
                Case.succeeds(
                                "bench worker-throughput: a Java no-op worker, and the tcp cluster path",
                                "bench",
                                "worker-throughput",
                                "--language",
                                "java",
                                "--slots",
                                "2",
                                "--candidates",
                                "200",
                                "--warmup-seconds",
                                "0",
                                "--compare-tcp",
                                "--json")
                        .lastLineJson(
                                "evaluations_per_second", "tcp_cluster_evaluations_per_second", "ratio_to_tcp_cluster"),
                searchRun(
                                Case.succeeds(
                                        "search: ASHA over the table's fidelities",
                                        "search",
                                        "--metric",
                                        "cifar10_test_200",
                                        "--scheduler",
                                        "asha",
                                        "--rungs",
                                        "12,200",
                                        "--eta",
                                        "3",
                                        "--strategy",
                                        "random",
                                        "--eval-time",
                                        "5ms",
                                        "--budget",
                                        "12",
                                        "--quiet",
                                        "--out",
                                        "{work}/runs/asha"),
                                "{work}/runs/asha",
                                12)
                        .expecting(new Check.CsvColumns(
                                "{work}/runs/asha/evaluations.csv", List.of("steps", "cifar10_test_200"))),
                searchRun(
                                Case.succeeds(
                                        "search: a runner program per candidate",
                                        "search",
                                        "--evaluator",
                                        "runner:{score-runner}",
                                        "--metric",
                                        "score:max",
                                        "--strategy",
                                        "random",
                                        "--slots",
                                        "2",
                                        "--eval-timeout",
                                        "60",
                                        "--budget",
                                        "4",
                                        "--quiet",
                                        "--out",
                                        "{work}/runs/score-runner"),
                                "{work}/runs/score-runner",
                                4)
                        .expecting(new Check.CsvColumns("{work}/runs/score-runner/evaluations.csv", List.of("score"))),
                searchRun(
                        Case.succeeds(
                                "resume: a run journaled in a shared H2 file",
                                "resume",
                                "{work}/runs/shared-h2",
                                "--journal",
                                SHARED_H2,
                                "--quiet"),
                        "{work}/runs/shared-h2",
                        10),
                searchRun(
                                Case.succeeds(
                                        "resume: a run journaled in PostgreSQL",
                                        "resume",
                                        "{work}/runs/pg-{run-id}",
                                        "--journal",
                                        "{postgres}",
                                        "--quiet"),
                                "{work}/runs/pg-{run-id}",
                                10)
                        .onlyWithPostgres(),
                searchRun(
                        Case.succeeds(
                                "search --resume: the same as resume",
                                "search",
                                "--resume",
                                "{work}/runs/nsga2",
                                "--quiet"),
                        "{work}/runs/nsga2",
                        30),
                Case.succeeds("runs list: run directories", "runs", "list", "{work}/runs", "--json")
                        .expecting(
                                new Check.StdoutJson(
                                        List.of("0.run", "0.search_id", "0.state", "0.evaluations", "0.best")),
                                new Check.StdoutContains("{work}/runs/evolution")),
                Case.succeeds("runs list: a shared H2 journal", "runs", "list", "--journal", SHARED_H2, "--json")
                        .expecting(new Check.StdoutContains("\"shared-h2-evolution-1\"")),
                Case.succeeds(
                                "runs list: a shared PostgreSQL journal",
                                "runs",
                                "list",
                                "--journal",
                                "{postgres}",
                                "--json")
                        .expecting(new Check.StdoutContains("\"pg-{run-id}-evolution-1\""))
                        .onlyWithPostgres(),
                Case.succeeds("runs show: a run directory", "runs", "show", "{work}/runs/evolution", "--json")
                        .expecting(new Check.StdoutJson(
                                List.of("search_id", "state", "evaluations", "budget", "best", "best_arch"))),
                Case.succeeds(
                                "runs show: a search of a shared H2 journal",
                                "runs",
                                "show",
                                "shared-h2-evolution-1",
                                "--journal",
                                SHARED_H2,
                                "--json")
                        .expecting(new Check.StdoutJson(List.of("search_id", "state", "evaluations", "best"))),
                Case.succeeds(
                                "runs show: a search of a PostgreSQL journal",
                                "runs",
                                "show",
                                "pg-{run-id}-evolution-1",
                                "--journal",
                                "{postgres}",
                                "--json")
                        .expecting(new Check.StdoutJson(List.of("search_id", "state", "evaluations", "best")))
                        .onlyWithPostgres(),
                Case.succeeds(
                                "teg: the indicators of one cell",
                                "teg",
                                "--arch",
                                CELL,
                                "--seed",
                                "1",
                                "--data",
                                "gaussian",
                                "--teg-batch",
                                "8",
                                "--teg-repeats",
                                "1",
                                "--teg-bn",
                                "batch",
                                "--teg-channels",
                                "4",
                                "--teg-cells",
                                "1",
                                "--rank-by",
                                "te",
                                "--json")
                        .lastLineJson(
                                "space", "arch", "ntk_cond", "linear_regions", "ntk_mse", "params", "flops", "seconds"),
                Case.succeeds(
                                "teg: a MnasNet architecture",
                                "teg",
                                "--space",
                                "mnasnet",
                                "--arch",
                                MNASNET,
                                "--data",
                                "gaussian",
                                "--teg-batch",
                                "4",
                                "--teg-repeats",
                                "1",
                                "--json")
                        .lastLineJson("space", "arch", "ntk_cond", "linear_regions", "ntk_mse", "params", "flops"),
                Case.succeeds(
                                "teg: the DARTS-V2 genotype in DARTS's printed form",
                                "teg",
                                "--space",
                                "darts",
                                "--arch",
                                DARTS_V2,
                                "--data",
                                "gaussian",
                                "--teg-channels",
                                "2",
                                "--teg-batch",
                                "4",
                                "--teg-repeats",
                                "1",
                                "--json")
                        .lastLineJson("space", "arch", "ntk_cond", "params", "flops")
                        .expecting(new Check.StdoutContains("\"params\":3349342.0")),
                Case.succeeds("spaces: every space, with its encoding", "spaces", "--json")
                        .lastLineJson("spaces")
                        .expecting(
                                new Check.StdoutContains("nb201-mixed"),
                                new Check.StdoutContains("encoding: op~input|op~input")),

                // bench: README's --json fields for each.
                Case.succeeds(
                                "bench search: evolution with the search options",
                                "bench",
                                "search",
                                "--space",
                                "nb201",
                                "--strategy",
                                "evolution",
                                "--evaluator",
                                "tabular",
                                "--metric",
                                "cifar10_valid_12",
                                "--benchmark",
                                "{benchmark}",
                                "--eval-time",
                                "1ms",
                                "--slots",
                                "1",
                                "--population",
                                "8",
                                "--sample-size",
                                "3",
                                "--eval-timeout",
                                "30",
                                "--max-attempts",
                                "2",
                                "--budget",
                                "15",
                                "--seeds",
                                "2",
                                "--report-metric",
                                "cifar10_test_200",
                                "--json")
                        .lastLineJson("strategy", "budget", "seeds", "mean", "std", "per_seed.1.value"),
                Case.succeeds(
                                "bench search: a model-guided search on the MnasNet reward, latency from a table",
                                "bench",
                                "search",
                                "--strategy",
                                "predictor-evolution",
                                "--predictor",
                                "gcn",
                                "--initial",
                                "4",
                                "--refit-every",
                                "4",
                                "--objectives",
                                "cifar10_valid_12:max,latency_ms:min",
                                "--target-latency",
                                "5",
                                "--reward",
                                "soft",
                                "--latency-table",
                                "{latency-table}",
                                "--device",
                                "d1",
                                "--latency-slots",
                                "1",
                                "--budget",
                                "10",
                                "--seeds",
                                "1",
                                "--json")
                        .lastLineJson("strategy", "budget", "seeds", "mean", "std", "per_seed"),
                // The strategy options are checked but not used: throughput always samples at random.
                Case.succeeds(
                                "bench throughput: one run, recording the CSV",
                                "bench",
                                "throughput",
                                "--space",
                                "nb201",
                                "--strategy",
                                "random",
                                "--evaluator",
                                "tabular",
                                "--metric",
                                "cifar10_valid_12",
                                "--benchmark",
                                "{benchmark}",
                                "--population",
                                "8",
                                "--sample-size",
                                "3",
                                "--eval-timeout",
                                "30",
                                "--max-attempts",
                                "2",
                                "--eval-time",
                                "0ms",
                                "--candidates",
                                "300",
                                "--slots",
                                "2",
                                "--record",
                                "--json")
                        .lastLineJson("candidates_per_second", "candidates", "slots"),
                // Several journals and rounds: the figures are per run and per journal (median).
                Case.succeeds(
                                "bench throughput: journals none and h2 over two rounds",
                                "bench",
                                "throughput",
                                "--candidates",
                                "300",
                                "--journal",
                                "none,h2",
                                "--rounds",
                                "2",
                                "--snapshot-every",
                                "100",
                                "--json")
                        .lastLineJson(
                                "runs.0.candidates_per_second",
                                "medians.none.candidates_per_second",
                                "medians.h2.candidates_per_second"),
                Case.succeeds(
                                "bench utilization: asynchronous against generational",
                                "bench",
                                "utilization",
                                "--space",
                                "nb201",
                                "--strategy",
                                "evolution",
                                "--evaluator",
                                "tabular",
                                "--metric",
                                "cifar10_valid_12",
                                "--benchmark",
                                "{benchmark}",
                                "--population",
                                "8",
                                "--sample-size",
                                "3",
                                "--eval-timeout",
                                "30",
                                "--max-attempts",
                                "2",
                                "--slots",
                                "2",
                                "--budget",
                                "20",
                                "--eval-time",
                                "5ms",
                                "--seed",
                                "1",
                                "--json")
                        .lastLineJson("async_utilization", "sync_utilization"),
                Case.succeeds(
                                "bench pareto: nsga2 with a constraint",
                                "bench",
                                "pareto",
                                "--space",
                                "nb201",
                                "--strategy",
                                "nsga2",
                                "--evaluator",
                                "tabular",
                                "--objectives",
                                "cifar10_valid_12:max,params:min",
                                "--constraint",
                                "params<=1e6",
                                "--benchmark",
                                "{benchmark}",
                                "--population",
                                "8",
                                "--sample-size",
                                "3",
                                "--eval-time",
                                "1ms",
                                "--slots",
                                "1",
                                "--eval-timeout",
                                "30",
                                "--max-attempts",
                                "2",
                                "--budget",
                                "20",
                                "--seeds",
                                "2",
                                "--json")
                        .lastLineJson(
                                "hv_ratio", "hv_ratio_std", "exact_hypervolume", "reference", "per_seed.1.hv_ratio"),
                Case.succeeds(
                                "bench replay: random with repeats, with and without snapshots",
                                "bench",
                                "replay",
                                "--space",
                                "nb201",
                                "--evaluator",
                                "tabular",
                                "--metric",
                                "cifar10_valid_12",
                                "--benchmark",
                                "{benchmark}",
                                "--eval-time",
                                "1ms",
                                "--slots",
                                "2",
                                "--eval-timeout",
                                "30",
                                "--max-attempts",
                                "2",
                                "--evaluations",
                                "20",
                                "--snapshot-every",
                                "10,0",
                                "--json")
                        .lastLineJson("strategy", "runs.1.replay_seconds"),
                Case.succeeds(
                                "bench replay: --no-with-repeats replays the strategy",
                                "bench",
                                "replay",
                                "--no-with-repeats",
                                "--strategy",
                                "evolution",
                                "--population",
                                "8",
                                "--sample-size",
                                "3",
                                "--evaluations",
                                "20",
                                "--snapshot-every",
                                "0",
                                "--json")
                        .lastLineJson("strategy", "runs.0.replay_seconds", "runs.0.events"),
                Case.succeeds(
                                "bench correlation: teg on gaussian inputs",
                                "bench",
                                "correlation",
                                "--evaluator",
                                "teg",
                                "--sample",
                                "3",
                                "--seed",
                                "1",
                                "--benchmark",
                                "{benchmark}",
                                "--metric",
                                "cifar10_test_200",
                                "--data",
                                "gaussian",
                                "--teg-batch",
                                "8",
                                "--teg-repeats",
                                "1",
                                "--teg-bn",
                                "running",
                                "--teg-channels",
                                "4",
                                "--teg-cells",
                                "1",
                                "--rank-by",
                                "te",
                                "--json")
                        .lastLineJson(fields(
                                List.of("spearman", "kendall"),
                                List.of("ntk_cond", "linear_regions", "ntk_mse", "combined", "params", "flops")))
                        .lastLineJson("seconds_per_cell"),
                Case.succeeds(
                                "bench predictors: gcn, nac and nao",
                                "bench",
                                "predictors",
                                "--train",
                                "10",
                                "--test",
                                "20",
                                "--seeds",
                                "1",
                                "--pairs",
                                "20",
                                "--predictors",
                                "gcn,nac,nao",
                                "--benchmark",
                                "{benchmark}",
                                "--metric",
                                "cifar10_valid_12",
                                "--json")
                        .lastLineJson(fields(
                                List.of("kendall", "spearman", "pairwise_accuracy", "fit_seconds", "predict_seconds"),
                                List.of("gcn", "nac", "nao"))),
                Case.succeeds(
                                "bench predictors: gcn on NAS-Bench-Graph PubMed",
                                "bench",
                                "predictors",
                                "--space",
                                "nbgraph",
                                "--benchmark",
                                "nbgraph:pubmed",
                                "--train",
                                "20",
                                "--test",
                                "30",
                                "--seeds",
                                "1",
                                "--pairs",
                                "20",
                                "--predictors",
                                "gcn",
                                "--json")
                        .lastLineJson("space", "metric", "kendall.gcn"),
                Case.succeeds(
                                "bench search: agnn on NAS-Bench-Graph Cora, the space's report metric",
                                "bench",
                                "search",
                                "--space",
                                "nbgraph",
                                "--benchmark",
                                "nbgraph:cora",
                                "--strategy",
                                "agnn",
                                "--budget",
                                "20",
                                "--seeds",
                                "2",
                                "--json")
                        .lastLineJson("strategy", "report_metric", "mean", "std", "per_seed.1.value"),
                // A soak of a minute: the churn, the search read back from the journal, the report.
                Case.succeeds(
                                "bench soak: a short soak",
                                "bench",
                                "soak",
                                "--journal",
                                "{postgres}",
                                "--budget",
                                "200",
                                "--eval-time",
                                "100ms",
                                "--controllers",
                                "3",
                                "--evaluators",
                                "2",
                                "--slots",
                                "2",
                                "--kill-every",
                                "8s-12s",
                                "--drain-every",
                                "20s",
                                "--host-kill-every",
                                "30s",
                                "--host-down-for",
                                "10s",
                                "--max-minutes",
                                "2",
                                "--base-port",
                                "{ports}",
                                "--seed",
                                "2",
                                "--out",
                                "{work}/soak",
                                "--json")
                        .lastLineJson(
                                "search_id",
                                "budget",
                                "evaluations",
                                "distinct_ok",
                                "duplicates",
                                "lost",
                                "fail_overs",
                                "memory")
                        .onlyWithPostgres()
                        .timeout(Duration.ofSeconds(240)),
                // aeron-udp (tcp is the default) is covered here: nodes in one JVM, lighter than node processes.
                Case.succeeds(
                                "bench cluster-throughput: aeron-udp",
                                "bench",
                                "cluster-throughput",
                                "--nodes",
                                "2",
                                "--transport",
                                "aeron-udp",
                                "--candidates",
                                "100",
                                "--slots",
                                "2",
                                "--warmup-seconds",
                                "0",
                                "--base-port",
                                "{ports}",
                                "--aeron-idle-cpu-level",
                                "1",
                                "--json")
                        .lastLineJson("candidates_per_second", "transport", "nodes"),
                // tls-tcp: mutual TLS with the key stores cluster-conf/tls-tcp.conf reads from the environment.
                Case.succeeds(
                                "bench scaling: tls-tcp",
                                "bench",
                                "scaling",
                                "--max-nodes",
                                "1",
                                "--eval-time",
                                "5ms",
                                "--slots",
                                "2",
                                "--transport",
                                "tls-tcp",
                                "--candidates-per-slot",
                                "2",
                                "--base-port",
                                "{ports}",
                                "--json")
                        .env(Workspace.tlsEnvironment())
                        .lastLineJson("per_nodes.0.candidates_per_second", "efficiency"),
                Case.succeeds(
                                "bench latency-table: a table from latency build-table",
                                "bench",
                                "latency-table",
                                "--table",
                                "{latency-table}",
                                "--sample",
                                "3",
                                "--seed",
                                "0",
                                "--repeats",
                                "1",
                                "--warmup",
                                "0",
                                "--rounds",
                                "1",
                                "--json")
                        .lastLineJson("spearman", "kendall", "mape", "model", "fit_mape", "seconds"),
                Case.succeeds(
                                "bench latency-table: a table built here",
                                "bench",
                                "latency-table",
                                "--sample",
                                "3",
                                "--repeats",
                                "1",
                                "--warmup",
                                "0",
                                "--rounds",
                                "1",
                                "--fit-cells",
                                "3",
                                "--fit-rounds",
                                "1",
                                "--device",
                                "local",
                                "--threads",
                                "1",
                                "--json")
                        .lastLineJson("spearman", "kendall", "mape", "model", "fit_mape", "seconds"),
                Case.succeeds(
                                "bench latency-table: a DARTS table from latency build-table",
                                "bench",
                                "latency-table",
                                "--space",
                                "darts",
                                "--table",
                                "{work}/lut/darts.json",
                                "--sample",
                                "3",
                                "--repeats",
                                "1",
                                "--warmup",
                                "0",
                                "--rounds",
                                "1",
                                "--json")
                        .lastLineJson("spearman", "kendall", "mape", "space", "model"),
                Case.succeeds(
                                "bench latency-table: a DARTS table built here at a size",
                                "bench",
                                "latency-table",
                                "--space",
                                "darts",
                                "--channels",
                                "2",
                                "--cells",
                                "1",
                                "--image-size",
                                "8",
                                "--sample",
                                "3",
                                "--fit-cells",
                                "3",
                                "--fit-rounds",
                                "1",
                                "--repeats",
                                "1",
                                "--warmup",
                                "0",
                                "--rounds",
                                "1",
                                "--json")
                        .lastLineJson("spearman", "kendall", "mape", "space", "fit_mape"),
                // bench standalone: stopped after one row (the testing option --stop-after-rows), then continued.
                Case.succeeds("bench standalone: stopped after one row", standalone("--stop-after-rows", "1"))
                        .files("{work}/standalone", "truth.csv.settings.json", "truth.csv.progress.csv"),
                Case.succeeds("bench standalone: the same command continues", standalone("--workers", "2", "--json"))
                        .files("{work}/standalone", "truth.csv")
                        .lastLineJson("kendall_tau_seeds", "rows_trained", "rows_resumed", "seconds"));
    }

    /**
     * archipelago dashboard serves until SIGTERM: it runs beside the evaluator and latency node of
     * {@link ClusterScenarios#EVALUATOR_AND_LATENCY_NODE}, joined to it (so its cluster page has a
     * node to show) and over {work}, and must exit with 143 when stopped.
     */
    static final Case DASHBOARD_BESIDE_A_NODE = Case.servesUntilSigterm(
            "dashboard: runs and a cluster, until SIGTERM",
            "dashboard: serving http://127.0.0.1:",
            "dashboard",
            "{work}",
            "--seed-nodes",
            "127.0.0.1:{node-port}",
            "--transport",
            "tcp",
            "--cluster-host",
            "127.0.0.1",
            "--cluster-port",
            "0",
            "--cluster-config",
            "{cluster-config}",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--poll-ms",
            "500");

    /** Two cells of the 64-image Fashion-MNIST copy, two seeds, C=2, N=1, 16px, one epoch of 3 batches. */
    private static String[] standalone(String... more) {
        String[] tiny = {
            "bench",
            "standalone",
            "--out",
            "{work}/standalone/truth.csv",
            "--sample",
            "2",
            "--epochs",
            "1",
            "--seeds",
            "2",
            "--data",
            "fashion-mnist:{tiny-fashion-mnist}",
            "--channels",
            "2",
            "--cells",
            "1",
            "--image-size",
            "16",
            "--batch",
            "8",
            "--train-images",
            "24",
            "--valid-images",
            "16",
            "--test-images",
            "16",
            "--cell-seed",
            "1",
            "--threads",
            "1"
        };
        return java.util.stream.Stream.concat(java.util.Arrays.stream(tiny), java.util.Arrays.stream(more))
                .toArray(String[]::new);
    }
}
