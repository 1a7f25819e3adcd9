package io.archipelago.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Cost;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.proto.Architecture;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class TabularEvaluatorTest {
    private static final Nb201Space SPACE = Nb201Space.INSTANCE;
    private static final String BEST =
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|";
    /** Edge 3<-2 is none, so whatever feeds node 2 cannot reach the output: these cells are one class. */
    private static final String DEAD_NODE_2_A =
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|";

    private static final String DEAD_NODE_2_B =
            "|nor_conv_3x3~0|+|avg_pool_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_3x3~1|none~2|";

    private static BenchmarkTable<Nb201Cell> table;

    @BeforeAll
    static void load() {
        table = BenchmarkTable.embeddedNb201Cifar10();
    }

    private static Architecture arch(String encoding) {
        return Architecture.newBuilder()
                .setSpace(Nb201Space.ID)
                .setEncoding(encoding)
                .build();
    }

    private static TabularEvaluator<Nb201Cell> instant() {
        return new TabularEvaluator<>(table, null, 1);
    }

    @Test
    void kindIsTabular() {
        assertEquals("tabular", instant().kind());
        assertEquals(TabularEvaluator.KIND, instant().kind());
    }

    @Test
    void bestCellAtDefaultFidelityHasOnlyTheHighestFidelityMetric() throws EvaluationException {
        Evaluation evaluation = instant().evaluate(arch(BEST), 0);
        assertEquals(
                Set.of("cifar10_test_200", "params", "flops"),
                evaluation.metrics().keySet());
        assertEquals(94.3733, evaluation.metrics().get("cifar10_test_200"), 1e-4);
    }

    @Test
    void explicitHighestFidelityEqualsTheDefault() throws EvaluationException {
        TabularEvaluator<Nb201Cell> evaluator = instant();
        assertEquals(
                evaluator.evaluate(arch(BEST), 0).metrics(),
                evaluator.evaluate(arch(BEST), 200).metrics());
    }

    @Test
    void lowFidelityReturnsTheTwelveEpochMetricsOnly() throws EvaluationException {
        Evaluation evaluation = instant().evaluate(arch(BEST), 12);
        assertEquals(
                Set.of("cifar10_valid_12", "cifar10_test_12", "params", "flops"),
                evaluation.metrics().keySet());
        assertEquals(84.384, evaluation.metrics().get("cifar10_valid_12"), 1e-4);
        assertEquals(88.79, evaluation.metrics().get("cifar10_test_12"), 1e-4);
    }

    @Test
    void analyticCostsOfTheStandardNetworkComeWithEveryAnswer() throws EvaluationException {
        // NAS-Bench-201's standard network spans 0.073-1.532 M parameters.
        Evaluation evaluation = instant().evaluate(arch(BEST), 12);
        Nb201Cell cell = Nb201Space.INSTANCE.parse(BEST);
        assertEquals(
                (double) Nb201Cost.STANDARD.params(cell), evaluation.metrics().get("params"));
        assertEquals(Nb201Cost.STANDARD.flops(cell), evaluation.metrics().get("flops"));
        assertTrue(evaluation.metrics().get("params") > 0.07e6
                && evaluation.metrics().get("params") < 1.54e6);
    }

    @Test
    void bestCellIsTheBestOfTheTable() throws EvaluationException {
        double best = instant().evaluate(arch(BEST), 0).metrics().get("cifar10_test_200");
        int column = table.metricIndex("cifar10_test_200");
        for (BenchmarkTable.Entry<Nb201Cell> entry : table.entries()) {
            assertTrue(entry.values()[column] <= best + 1e-9, () -> entry.canonicalKey() + " beats the best cell");
        }
    }

    @Test
    void equivalentCellsGetIdenticalMetrics() throws EvaluationException {
        assertNotEquals(DEAD_NODE_2_A, DEAD_NODE_2_B);
        assertEquals(SPACE.canonicalKey(SPACE.parse(DEAD_NODE_2_A)), SPACE.canonicalKey(SPACE.parse(DEAD_NODE_2_B)));
        TabularEvaluator<Nb201Cell> evaluator = instant();
        for (int fidelity : new int[] {0, 12, 200}) {
            Map<String, Double> a = tableMetricsOnly(
                    evaluator.evaluate(arch(DEAD_NODE_2_A), fidelity).metrics());
            Map<String, Double> b = tableMetricsOnly(
                    evaluator.evaluate(arch(DEAD_NODE_2_B), fidelity).metrics());
            assertEquals(a, b, "fidelity " + fidelity);
        }
        // The same function, but not the same network: a dead edge's convolution still has weights.
        assertEquals(
                (double) Nb201Cost.STANDARD.params(SPACE.parse(DEAD_NODE_2_A)),
                evaluator.evaluate(arch(DEAD_NODE_2_A), 0).metrics().get("params"));
        assertEquals(
                (double) Nb201Cost.STANDARD.params(SPACE.parse(DEAD_NODE_2_B)),
                evaluator.evaluate(arch(DEAD_NODE_2_B), 0).metrics().get("params"));
        // and a cell of another class really differs
        assertNotEquals(
                evaluator.evaluate(arch(DEAD_NODE_2_A), 0).metrics(),
                evaluator.evaluate(arch(BEST), 0).metrics());
    }

    @Test
    void metricsAreTheTablesForEveryFidelity() throws EvaluationException {
        TabularEvaluator<Nb201Cell> evaluator = instant();
        Nb201Cell cell = SPACE.parse(BEST);
        for (int fidelity : table.fidelities()) {
            assertEquals(
                    table.metricsAt(cell, fidelity).orElseThrow(),
                    tableMetricsOnly(evaluator.evaluate(arch(BEST), fidelity).metrics()));
        }
    }

    @Test
    void unknownFidelityIsAnEvaluationExceptionNamingIt() {
        for (int fidelity : new int[] {50, 1, -1, 201}) {
            EvaluationException e =
                    assertThrows(EvaluationException.class, () -> instant().evaluate(arch(BEST), fidelity));
            assertTrue(e.getMessage().contains("fidelity " + fidelity), e::getMessage);
            assertTrue(
                    e.getMessage().contains("[12, 200]"),
                    () -> "should list the available fidelities: " + e.getMessage());
        }
    }

    @Test
    void malformedEncodingIsAnEvaluationExceptionSayingWhy() {
        EvaluationException e = assertThrows(
                EvaluationException.class, () -> instant().evaluate(arch("|nor_conv_3x3~0|+|nor_conv_3x3~0|"), 0));
        assertTrue(e.getMessage().contains("expected 3 node groups"), e::getMessage);
        assertTrue(e.getCause() instanceof IllegalArgumentException, "the parse error is kept as the cause");

        EvaluationException op = assertThrows(
                EvaluationException.class, () -> instant().evaluate(arch(BEST.replace("nor_conv_1x1", "conv_7x7")), 0));
        assertTrue(op.getMessage().contains("unknown op 'conv_7x7'"), op::getMessage);

        EvaluationException empty =
                assertThrows(EvaluationException.class, () -> instant().evaluate(arch(""), 0));
        assertTrue(empty.getMessage().contains("empty cell string"), empty::getMessage);
    }

    @Test
    void architectureOfAnotherSpaceIsRejected() {
        Architecture other =
                Architecture.newBuilder().setSpace("nb301").setEncoding(BEST).build();
        EvaluationException e =
                assertThrows(EvaluationException.class, () -> instant().evaluate(other, 0));
        assertTrue(e.getMessage().contains("'nb301'") && e.getMessage().contains("'nb201'"), e::getMessage);
    }

    @Test
    void architectureMissingFromTheTableIsAnEvaluationExceptionNamingTheSource()
            throws IOException, EvaluationException {
        String csv = "arch,cifar10_test_200\n" + BEST + ",90.5\n";
        BenchmarkTable<Nb201Cell> small = BenchmarkTable.read(
                SPACE, new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), "small-test-table");
        TabularEvaluator<Nb201Cell> evaluator = new TabularEvaluator<>(small, null, 1);
        assertEquals(
                Map.of("cifar10_test_200", 90.5),
                tableMetricsOnly(evaluator.evaluate(arch(BEST), 0).metrics()));
        EvaluationException e =
                assertThrows(EvaluationException.class, () -> evaluator.evaluate(arch(DEAD_NODE_2_A), 0));
        assertTrue(e.getMessage().contains(DEAD_NODE_2_A), e::getMessage);
        assertTrue(e.getMessage().contains("small-test-table"), e::getMessage);
    }

    @Test
    void simulatedFixedTimeIsSpentAndReported() throws EvaluationException {
        TabularEvaluator<Nb201Cell> evaluator = new TabularEvaluator<>(table, SimulatedTime.parse("fixed:20ms"), 1);
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            Evaluation evaluation = evaluator.evaluate(arch(BEST), 0);
            double wall = (System.nanoTime() - start) / 1e9;
            assertTrue(evaluation.costSeconds() >= 0.02, () -> "cost " + evaluation.costSeconds());
            assertTrue(wall >= 0.02, () -> "returned after " + wall + " s");
            assertTrue(
                    evaluation.costSeconds() <= wall + 1e-3,
                    () -> "cost " + evaluation.costSeconds() + " > wall " + wall);
            assertEquals(94.3733, evaluation.metrics().get("cifar10_test_200"), 1e-4);
        }
    }

    @Test
    void simulatedUniformTimeStaysInItsBounds() throws EvaluationException {
        TabularEvaluator<Nb201Cell> evaluator =
                new TabularEvaluator<>(table, SimulatedTime.parse("uniform:10ms,30ms"), 7);
        for (int i = 0; i < 5; i++) {
            double cost = evaluator.evaluate(arch(BEST), 12).costSeconds();
            assertTrue(cost >= 0.01 && cost < 2.0, () -> "cost " + cost);
        }
    }

    @Test
    void withoutSimulatedTimeTheCostIsTheLookUpTime() throws EvaluationException {
        TabularEvaluator<Nb201Cell> evaluator = instant();
        evaluator.evaluate(arch(BEST), 0); // warm up
        long start = System.nanoTime();
        Evaluation evaluation = evaluator.evaluate(arch(BEST), 0);
        double wall = (System.nanoTime() - start) / 1e9;
        assertTrue(
                evaluation.costSeconds() >= 0 && evaluation.costSeconds() <= wall,
                () -> "cost " + evaluation.costSeconds() + ", wall " + wall);
    }

    @Test
    @Timeout(5)
    void interruptionDuringSimulatedTimeFailsTheEvaluationAndKeepsTheFlag() {
        TabularEvaluator<Nb201Cell> evaluator = new TabularEvaluator<>(table, SimulatedTime.parse("fixed:30s"), 1);
        Thread.currentThread().interrupt();
        try {
            EvaluationException e = assertThrows(EvaluationException.class, () -> evaluator.evaluate(arch(BEST), 0));
            assertTrue(e.getMessage().contains("interrupted"), e::getMessage);
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag must be restored");
        } finally {
            Thread.interrupted(); // clear it for the next test
        }
    }

    @Test
    void evaluationMetricsAreImmutable() throws EvaluationException {
        Evaluation evaluation = instant().evaluate(arch(BEST), 0);
        assertThrows(
                UnsupportedOperationException.class, () -> evaluation.metrics().put("x", 1.0));
    }

    /** The metrics without the analytic costs every answer also carries. */
    private static Map<String, Double> tableMetricsOnly(Map<String, Double> metrics) {
        assertTrue(
                metrics.containsKey("params") && metrics.containsKey("flops"),
                "params and flops come with every answer: " + metrics);
        Map<String, Double> table = new java.util.HashMap<>(metrics);
        table.keySet().removeAll(Set.of("params", "flops"));
        return table;
    }
}
