package io.archipelago.core.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectivesTest {

    private static final List<Objective> ACCURACY_AND_PARAMS =
            List.of(new Objective("cifar10_valid_12", true), new Objective("params", false));

    @Test
    void parsesAnObjectiveList() {
        assertEquals(ACCURACY_AND_PARAMS, Objectives.parseList("cifar10_valid_12:max,params:min"));
        assertEquals(ACCURACY_AND_PARAMS, Objectives.parseList(" cifar10_valid_12 , params : min "));
        assertEquals(List.of(Objective.maximize("acc")), Objectives.parseList("acc"));
        assertEquals(
                List.of(new Objective("latency_ms", false), Objective.maximize("acc"), new Objective("flops", false)),
                Objectives.parseList("latency_ms:min,acc:MAX,flops:min"));
    }

    @Test
    void parsedListIsUnmodifiable() {
        List<Objective> objectives = Objectives.parseList("a,b:min");
        assertThrows(UnsupportedOperationException.class, () -> objectives.add(Objective.maximize("c")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  "})
    void emptyListIsRejected(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Objectives.parseList(spec));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Objectives.parseList(null));
    }

    @Test
    void emptyEntriesAreNamedByPosition() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Objectives.parseList("acc:max,,params:min"));
        assertTrue(
                e.getMessage().contains("entry 2 is empty") && e.getMessage().contains("'acc:max,,params:min'"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Objectives.parseList("acc:max,"));
        assertTrue(e.getMessage().contains("entry 2 is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Objectives.parseList(" ,acc"));
        assertTrue(e.getMessage().contains("entry 1 is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Objectives.parseList("acc, :min"));
        assertTrue(e.getMessage().contains("entry 2"), e.getMessage());
    }

    @Test
    void duplicateMetricsAreNamed() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Objectives.parseList("params:min,acc,params:max"));
        assertTrue(
                e.getMessage().contains("'params' appears twice")
                        && e.getMessage().contains("entries 1 and 3"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Objectives.parseList("acc, acc:max"));
        assertTrue(e.getMessage().contains("'acc' appears twice"), e.getMessage());
    }

    @Test
    void badDirectionsAreNamedWithTheirEntry() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Objectives.parseList("acc:max,params:least"));
        assertTrue(e.getMessage().contains("entry 2") && e.getMessage().contains("'least'"), e.getMessage());
        assertTrue(e.getCause() instanceof IllegalArgumentException);
    }

    @Test
    void scoresAreLargerIsBetterWithNaNForMissing() {
        double[] scores = Objectives.scores(Map.of("cifar10_valid_12", 91.5, "params", 1.2e6), ACCURACY_AND_PARAMS);
        assertArrayEquals(new double[] {91.5, -1.2e6}, scores);
        scores = Objectives.scores(Map.of("params", 3.0), ACCURACY_AND_PARAMS);
        assertTrue(Double.isNaN(scores[0]));
        assertEquals(-3.0, scores[1]);
        assertEquals(0, Objectives.scores(Map.of("a", 1.0), List.of()).length);
    }

    @Test
    void scoresFeedParetoSorting() {
        List<Map<String, Double>> population = List.of(
                Map.of("cifar10_valid_12", 90.0, "params", 2e6), // front 0 (most accurate)
                Map.of("cifar10_valid_12", 85.0, "params", 3e6), // front 1: worse than 0 in both
                Map.of("cifar10_valid_12", 80.0, "params", 1e5)); // front 0 (smallest)
        double[][] points = population.stream()
                .map(m -> Objectives.scores(m, ACCURACY_AND_PARAMS))
                .toArray(double[][]::new);
        int[][] fronts = Pareto.sort(points);
        assertArrayEquals(new int[] {0, 2}, fronts[0]);
        assertArrayEquals(new int[] {1}, fronts[1]);
    }

    @Test
    void normalisedMapsWorstToZeroAndBestToOne() {
        double[][] scores = {{80, -2e6}, {100, 0}, {90, -5e5}, {70, -3e6}, {Double.NaN, -1e6}};
        double[] worst = {80, -2e6};
        double[] best = {100, 0};
        double[][] unit = Objectives.normalised(scores, worst, best);
        assertArrayEquals(new double[] {0, 0}, unit[0], 1e-12);
        assertArrayEquals(new double[] {1, 1}, unit[1], 1e-12);
        assertArrayEquals(new double[] {0.5, 0.75}, unit[2], 1e-12);
        assertArrayEquals(new double[] {-0.5, -0.5}, unit[3], 1e-12, "values beyond worst are not clipped");
        assertTrue(Double.isNaN(unit[4][0]));
        assertEquals(0.5, unit[4][1], 1e-12);
        assertEquals(80.0, scores[0][0], "input untouched");
        assertEquals(0, Objectives.normalised(new double[0][], worst, best).length);
    }

    @Test
    void normalisedValidatesItsBounds() {
        double[][] scores = {{1, 2}};
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Objectives.normalised(scores, new double[] {0, 0}, new double[] {1, 0}));
        assertTrue(
                e.getMessage().contains("objective 1") && e.getMessage().contains("larger than worst"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Objectives.normalised(scores, new double[] {2, 0}, new double[] {1, 5}));
        assertTrue(e.getMessage().contains("objective 0"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Objectives.normalised(scores, new double[] {0}, new double[] {1, 1}));
        assertTrue(e.getMessage().contains("1 and 2"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Objectives.normalised(scores, new double[] {0, Double.NEGATIVE_INFINITY}, new double[] {1, 1}));
        assertTrue(e.getMessage().contains("finite"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Objectives.normalised(new double[][] {{1, 2}, {3}}, new double[] {0, 0}, new double[] {5, 5}));
        assertTrue(e.getMessage().contains("point 1"), e.getMessage());
    }

    @Test
    void violationSumsTheConstraints() {
        List<Constraint> constraints =
                List.of(Constraint.parse("latency_ms<=20"), Constraint.parse("cifar10_valid_12>=80"));
        assertEquals(0.0, Objectives.violation(Map.of("latency_ms", 10.0, "cifar10_valid_12", 85.0), constraints));
        assertEquals(5.0, Objectives.violation(Map.of("latency_ms", 25.0, "cifar10_valid_12", 85.0), constraints));
        assertEquals(7.5, Objectives.violation(Map.of("latency_ms", 25.0, "cifar10_valid_12", 77.5), constraints));
        assertEquals(Double.POSITIVE_INFINITY, Objectives.violation(Map.of("latency_ms", 10.0), constraints));
        assertEquals(0.0, Objectives.violation(Map.of(), List.of()));
    }

    @Test
    void violationsFeedConstrainedSorting() {
        List<Constraint> constraints = List.of(Constraint.parse("params<=1e6"));
        List<Map<String, Double>> population = List.of(
                Map.of("cifar10_valid_12", 95.0, "params", 3e6), // most accurate but too big: violation 2e6
                Map.of("cifar10_valid_12", 85.0, "params", 9e5), // feasible
                Map.of("cifar10_valid_12", 94.0, "params", 1.5e6)); // violation 5e5
        double[][] points = population.stream()
                .map(m -> Objectives.scores(m, ACCURACY_AND_PARAMS))
                .toArray(double[][]::new);
        double[] violations = population.stream()
                .mapToDouble(m -> Objectives.violation(m, constraints))
                .toArray();
        int[][] fronts = Pareto.sort(points, violations);
        assertEquals(3, fronts.length);
        assertArrayEquals(new int[] {1}, fronts[0]);
        assertArrayEquals(new int[] {2}, fronts[1]);
        assertArrayEquals(new int[] {0}, fronts[2]);
    }

    @Test
    void parsedObjectivesRoundTrip() {
        List<Objective> objectives = Objectives.parseList("cifar10_valid_12:max,params:min,latency_ms:min");
        String written =
                String.join(",", objectives.stream().map(Objective::toString).toList());
        assertEquals(objectives, Objectives.parseList(written));
    }
}
