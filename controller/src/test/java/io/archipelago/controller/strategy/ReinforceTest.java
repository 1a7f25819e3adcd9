package io.archipelago.controller.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Op;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.objective.Objective;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReinforceTest {
    private static final Objective OBJECTIVE = Objective.maximize("convs");

    /** Reward: how many edges carry a 3x3 convolution, the other ops being worth nothing. */
    private static TrialResult reward(Nb201Cell cell) {
        double convs = 0;
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            convs += cell.op(e) == Nb201Op.NOR_CONV_3X3 ? 1 : 0;
        }
        return TrialResult.ok(Map.of("convs", convs));
    }

    private static List<Nb201Cell> run(Reinforce<Nb201Cell> strategy, int budget, int batch) {
        List<Nb201Cell> cells = new ArrayList<>();
        while (cells.size() < budget) {
            for (Trial<Nb201Cell> t : strategy.ask(Math.min(batch, budget - cells.size()))) {
                cells.add(t.architecture());
                strategy.tell(t, reward(t.architecture()));
            }
        }
        return cells;
    }

    @Test
    void thePolicyLearnsTheRewardedOpOnEveryEdge() {
        Reinforce<Nb201Cell> strategy = new Reinforce<>(Nb201Space.INSTANCE, OBJECTIVE, 3, 0.2, 0.9);
        List<Nb201Cell> cells = run(strategy, 150, 1);
        assertEquals(
                Nb201Space.INSTANCE.parse(
                        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"),
                strategy.mode());
        double early = cells.subList(0, 50).stream()
                .mapToDouble(c -> reward(c).metrics().get("convs"))
                .average()
                .orElseThrow();
        // (not much later: novelty soon exhausts the few cells with many 3x3 convolutions)
        double late = cells.subList(100, 150).stream()
                .mapToDouble(c -> reward(c).metrics().get("convs"))
                .average()
                .orElseThrow();
        assertTrue(late > early + 1.5, "early " + early + ", late " + late);
        assertEquals(6.0, strategy.best().orElseThrow().score());
    }

    @Test
    void deterministicPerSeedAndNeverRepeatsACell() {
        List<Nb201Cell> a = run(new Reinforce<>(Nb201Space.INSTANCE, OBJECTIVE, 5, 0.2, 0.9), 120, 1);
        List<Nb201Cell> b = run(new Reinforce<>(Nb201Space.INSTANCE, OBJECTIVE, 5, 0.2, 0.9), 120, 1);
        List<Nb201Cell> c = run(new Reinforce<>(Nb201Space.INSTANCE, OBJECTIVE, 6, 0.2, 0.9), 120, 1);
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertEquals(
                a.size(),
                a.stream().map(Nb201Space.INSTANCE::canonicalKey).distinct().count());
    }

    @Test
    void badHyperParametersAreNamed() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new Reinforce<>(Nb201Space.INSTANCE, OBJECTIVE, 1, 0, 0.9));
        assertTrue(e.getMessage().contains("learning rate"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> new Reinforce<>(Nb201Space.INSTANCE, OBJECTIVE, 1, 0.1, 1.0));
    }
}
