package io.archipelago.core.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectiveTest {

    @Test
    void parsesMaxAndMin() {
        Objective accuracy = Objective.parse("cifar10_valid_12:max");
        assertEquals("cifar10_valid_12", accuracy.metric());
        assertTrue(accuracy.maximize());
        Objective params = Objective.parse("params:min");
        assertEquals("params", params.metric());
        assertFalse(params.maximize());
    }

    @Test
    void bareMetricIsMaximised() {
        assertEquals(new Objective("cifar10_test_200", true), Objective.parse("cifar10_test_200"));
        assertEquals(Objective.maximize("flops"), Objective.parse("flops"));
    }

    @Test
    void whitespaceAndCaseAreTolerated() {
        assertEquals(new Objective("params", false), Objective.parse("  params : MIN "));
        assertEquals(new Objective("acc", true), Objective.parse("acc:Max"));
        assertEquals(new Objective("acc", true), Objective.parse("  acc  "));
    }

    @Test
    void onlyTheLastColonSeparatesTheDirection() {
        assertEquals(new Objective("a:b", false), Objective.parse("a:b:min"));
    }

    @Test
    void toStringRoundTrips() {
        for (String spec : List.of("cifar10_valid_12:max", "params:min", "latency_ms:min")) {
            assertEquals(spec, Objective.parse(spec).toString());
            assertEquals(
                    Objective.parse(spec), Objective.parse(Objective.parse(spec).toString()));
        }
        assertEquals("x:max", Objective.parse("x").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"params:avg", "params:maximize", "params:", "params:-"})
    void unknownDirectionIsRejectedAndNamed(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Objective.parse(spec));
        String direction = spec.substring(spec.indexOf(':') + 1);
        assertTrue(e.getMessage().contains("found '" + direction + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(spec), e.getMessage());
        assertTrue(e.getMessage().contains("'max' or 'min'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", ":max", " :min"})
    void missingMetricNameIsRejected(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Objective.parse(spec));
        assertTrue(e.getMessage().contains("metric name"), e.getMessage());
    }

    @Test
    void constructorRejectsNullAndBlankMetric() {
        assertThrows(IllegalArgumentException.class, () -> new Objective(null, true));
        assertThrows(IllegalArgumentException.class, () -> new Objective(" ", false));
    }

    @Test
    void scoreIsOrientedSoThatLargerIsBetter() {
        Map<String, Double> small = Map.of("acc", 90.0, "params", 0.5);
        Map<String, Double> large = Map.of("acc", 94.0, "params", 1.5);
        Objective acc = Objective.parse("acc:max");
        Objective params = Objective.parse("params:min");
        assertEquals(90.0, acc.score(small));
        assertEquals(-0.5, params.score(small));
        assertTrue(acc.score(large) > acc.score(small), "higher accuracy must score better");
        assertTrue(params.score(small) > params.score(large), "fewer parameters must score better");
        // value() is the measurement as is
        assertEquals(0.5, params.value(small));
        assertEquals(1.5, params.value(large));
    }

    @Test
    void missingMetricScoresNaN() {
        Objective flops = Objective.parse("flops:min");
        assertTrue(Double.isNaN(flops.score(Map.of("acc", 1.0))));
        assertTrue(Double.isNaN(flops.value(Map.of("acc", 1.0))));
    }

    @Test
    void rankAggregationSumsRanksWithBestFirst() {
        List<Map<String, Double>> population = List.of(
                Map.of("acc", 90.0, "params", 1.0), // acc rank 3, params rank 2
                Map.of("acc", 94.0, "params", 2.0), // acc rank 1, params rank 3
                Map.of("acc", 92.0, "params", 0.5)); // acc rank 2, params rank 1
        double[] ranks = RankAggregation.combinedRanks(
                population, List.of(Objective.parse("acc:max"), Objective.parse("params:min")));
        assertArrayEquals(new double[] {5, 4, 3}, ranks, 1e-12);
        double[] accOnly = RankAggregation.combinedRanks(population, List.of(Objective.parse("acc")));
        assertArrayEquals(new double[] {3, 1, 2}, accOnly, 1e-12);
        double[] paramsAsMax = RankAggregation.combinedRanks(population, List.of(Objective.parse("params:max")));
        assertArrayEquals(new double[] {2, 1, 3}, paramsAsMax, 1e-12);
    }

    @Test
    void rankAggregationAveragesTies() {
        List<Map<String, Double>> population = List.of(Map.of("m", 1.0), Map.of("m", 3.0), Map.of("m", 1.0));
        assertArrayEquals(
                new double[] {2.5, 1, 2.5},
                RankAggregation.combinedRanks(population, List.of(Objective.parse("m:max"))),
                1e-12);
    }

    @Test
    void rankAggregationNamesTheMemberLackingAMetric() {
        List<Map<String, Double>> population = List.of(Map.of("m", 1.0), Map.of("n", 3.0));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> RankAggregation.combinedRanks(population, List.of(Objective.parse("m"))));
        assertTrue(e.getMessage().contains("member 1") && e.getMessage().contains("m"), e.getMessage());
    }
}
