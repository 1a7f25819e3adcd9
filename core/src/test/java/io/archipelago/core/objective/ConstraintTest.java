package io.archipelago.core.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConstraintTest {

    @Test
    void parsesUpperAndLowerBounds() {
        assertEquals(new Constraint("latency_ms", 20, true), Constraint.parse("latency_ms<=20"));
        assertEquals(new Constraint("params", 1e6, true), Constraint.parse("params<=1e6"));
        assertEquals(new Constraint("cifar10_valid_12", 80, false), Constraint.parse("cifar10_valid_12>=80"));
        assertEquals(new Constraint("x", -3.5, false), Constraint.parse("x>=-3.5"));
        assertEquals(new Constraint("flops", 2.5e-3, true), Constraint.parse("flops<=2.5E-3"));
    }

    @Test
    void whitespaceIsAllowedAroundTheParts() {
        assertEquals(new Constraint("latency_ms", 20, true), Constraint.parse("  latency_ms <=  20 "));
        assertEquals(new Constraint("acc", 80, false), Constraint.parse("acc>= 80"));
        assertEquals(new Constraint("acc", 80, false), Constraint.parse("\tacc >=80\n"));
    }

    @Test
    void toStringGivesBackTheSpecForm() {
        assertEquals("latency_ms<=20", Constraint.parse("latency_ms<=20").toString());
        assertEquals("params<=1000000", Constraint.parse("params<=1e6").toString());
        assertEquals(
                "cifar10_valid_12>=80",
                Constraint.parse(" cifar10_valid_12 >= 80.0 ").toString());
        assertEquals("x>=-3.5", Constraint.parse("x>=-3.5").toString());
        assertEquals("x<=0", Constraint.parse("x<=-0").toString());
        assertEquals(Constraint.parse("x<=0"), Constraint.parse("x<=-0"), "-0 and 0 are the same bound");
        for (String spec :
                List.of("latency_ms<=20", "params<=1e6", "a>=-0.125", "b<=1e300", "c>=1.0E-7", "d<=123456789012345")) {
            Constraint constraint = Constraint.parse(spec);
            assertEquals(constraint, Constraint.parse(constraint.toString()), spec);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "latency_ms<20",
                "latency_ms=20",
                "latency_ms==20",
                "latency_ms=<20",
                "latency_ms",
                "<=20",
                "latency_ms<=",
                "",
                "   ",
                "latency ms<=20",
                "latency_ms<=20 ms"
            })
    void malformedSpecsAreQuotedWithTheExpectedForm(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Constraint.parse(spec));
        assertTrue(e.getMessage().contains("'" + spec + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("metric<=bound or metric>=bound"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"latency_ms<=abc", "latency_ms<=20ms", "latency_ms<=NaN", "a<=1<=2", "a>=1,5"})
    void nonNumericBoundsAreNamed(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Constraint.parse(spec));
        String bound = spec.substring(spec.indexOf('=') + 1);
        assertTrue(e.getMessage().contains("'" + spec + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("bound '" + bound + "' is not a number"), e.getMessage());
    }

    @Test
    void nullSpecAndBadComponentsAreRejected() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Constraint.parse(null))
                .getMessage()
                .contains("metric<=bound"));
        assertThrows(IllegalArgumentException.class, () -> new Constraint(" ", 1, true));
        assertThrows(IllegalArgumentException.class, () -> new Constraint(null, 1, true));
        assertThrows(IllegalArgumentException.class, () -> new Constraint("a", Double.NaN, true));
    }

    @Test
    void upperBoundViolationIsTheExcess() {
        Constraint latency = Constraint.parse("latency_ms<=20");
        assertEquals(5.0, latency.violation(Map.of("latency_ms", 25.0)));
        assertEquals(0.0, latency.violation(Map.of("latency_ms", 20.0)));
        assertEquals(0.0, latency.violation(Map.of("latency_ms", 15.0)));
        assertFalse(latency.feasible(Map.of("latency_ms", 20.5)));
        assertTrue(latency.feasible(Map.of("latency_ms", 20.0, "params", 1e9)));
    }

    @Test
    void lowerBoundViolationIsTheShortfall() {
        Constraint accuracy = Constraint.parse("cifar10_valid_12>=80");
        assertEquals(5.0, accuracy.violation(Map.of("cifar10_valid_12", 75.0)));
        assertEquals(0.0, accuracy.violation(Map.of("cifar10_valid_12", 80.0)));
        assertEquals(0.0, accuracy.violation(Map.of("cifar10_valid_12", 93.0)));
        assertTrue(accuracy.feasible(Map.of("cifar10_valid_12", 80.0)));
        assertFalse(accuracy.feasible(Map.of("cifar10_valid_12", 79.99)));
        assertEquals(90.0, Constraint.parse("x>=-10").violation(Map.of("x", -100.0)));
    }

    @Test
    void unknownMetricIsInfeasible() {
        Constraint latency = Constraint.parse("latency_ms<=20");
        assertEquals(Double.POSITIVE_INFINITY, latency.violation(Map.of("params", 1.0)));
        assertFalse(latency.feasible(Map.of()));
        Map<String, Double> nan = new HashMap<>();
        nan.put("latency_ms", Double.NaN);
        assertEquals(Double.POSITIVE_INFINITY, latency.violation(nan));
        assertFalse(latency.feasible(nan));
    }

    @Test
    void infiniteValuesAndBounds() {
        assertEquals(
                Double.POSITIVE_INFINITY, Constraint.parse("x<=1").violation(Map.of("x", Double.POSITIVE_INFINITY)));
        assertEquals(0.0, Constraint.parse("x<=Infinity").violation(Map.of("x", 1e300)));
    }
}
