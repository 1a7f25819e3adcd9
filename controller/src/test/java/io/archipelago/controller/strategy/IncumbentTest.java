package io.archipelago.controller.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.objective.Objective;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IncumbentTest {
    private static Trial<String> trial(long id) {
        return new Trial<>(id, "arch-" + id);
    }

    private static TrialResult acc(double value) {
        return TrialResult.ok(Map.of("acc", value, "params", 1.0));
    }

    @Test
    void emptyUntilSomethingSucceeds() {
        Incumbent<String> incumbent = new Incumbent<>(Objective.maximize("acc"));
        assertTrue(incumbent.best().isEmpty());
        assertTrue(incumbent.observe(trial(0), TrialResult.failed("boom")).isEmpty());
        assertTrue(incumbent.best().isEmpty(), "a failure is no incumbent");
    }

    @Test
    void tracksTheMaximumWhenMaximising() {
        Incumbent<String> incumbent = new Incumbent<>(Objective.parse("acc:max"));
        double[] values = {70, 91.5, 80, 91.4, 12};
        for (int i = 0; i < values.length; i++) {
            Optional<Observation<String>> observed = incumbent.observe(trial(i), acc(values[i]));
            assertEquals(values[i], observed.orElseThrow().score());
            assertEquals(trial(i), observed.get().trial());
        }
        Observation<String> best = incumbent.best().orElseThrow();
        assertEquals(1, best.trial().id());
        assertEquals(91.5, best.score());
        assertEquals(91.5, best.metrics().get("acc"));
    }

    @Test
    void tracksTheMinimumWhenMinimisingWithScoresOrientedSoLargerIsBetter() {
        Incumbent<String> incumbent = new Incumbent<>(Objective.parse("loss:min"));
        double[] losses = {0.9, 0.3, 0.5, 0.31};
        for (int i = 0; i < losses.length; i++) {
            Observation<String> o = incumbent
                    .observe(trial(i), TrialResult.ok(Map.of("loss", losses[i])))
                    .orElseThrow();
            assertEquals(-losses[i], o.score(), "score is the negated loss");
        }
        Observation<String> best = incumbent.best().orElseThrow();
        assertEquals(1, best.trial().id());
        assertEquals(0.3, best.metrics().get("loss"));
        assertEquals(-0.3, incumbent.objective().score(best.metrics()));
    }

    @Test
    void failuresAndMissingMetricsNeverBecomeTheIncumbent() {
        Incumbent<String> incumbent = new Incumbent<>(Objective.maximize("acc"));
        incumbent.observe(trial(0), acc(50));
        assertTrue(incumbent.observe(trial(1), TrialResult.failed("oom")).isEmpty());
        assertTrue(
                incumbent
                        .observe(trial(2), TrialResult.ok(Map.of("other", 99.0)))
                        .isEmpty(),
                "lacks the objective's metric");
        // A failure that still carries metrics is a failure.
        assertTrue(incumbent
                .observe(trial(3), new TrialResult(Map.of("acc", 99.0), "diverged"))
                .isEmpty());
        assertEquals(0, incumbent.best().orElseThrow().trial().id());
    }

    @Test
    void tiesKeepTheEarlierTrialWhateverTheTellOrder() {
        Incumbent<String> forward = new Incumbent<>(Objective.maximize("acc"));
        forward.observe(trial(3), acc(90));
        forward.observe(trial(7), acc(90));
        Incumbent<String> backward = new Incumbent<>(Objective.maximize("acc"));
        backward.observe(trial(7), acc(90));
        backward.observe(trial(3), acc(90));
        assertEquals(3, forward.best().orElseThrow().trial().id());
        assertEquals(3, backward.best().orElseThrow().trial().id());
        // A later tie does not displace it, a strict improvement does.
        backward.observe(trial(1), acc(89.99));
        assertEquals(3, backward.best().orElseThrow().trial().id());
        backward.observe(trial(9), acc(90.01));
        assertEquals(9, backward.best().orElseThrow().trial().id());
    }

    @Test
    void keepsTheObjectiveItWasGiven() {
        Objective objective = Objective.parse("cifar10_valid_12:max");
        assertSame(objective, new Incumbent<String>(objective).objective());
    }
}
