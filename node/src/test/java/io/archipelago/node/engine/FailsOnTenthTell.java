package io.archipelago.node.engine;

import io.archipelago.controller.strategy.Observation;
import io.archipelago.controller.strategy.RandomSearch;
import io.archipelago.controller.strategy.Strategy;
import io.archipelago.controller.strategy.Trial;
import io.archipelago.controller.strategy.TrialResult;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.objective.Objective;
import java.util.List;
import java.util.Optional;

/** Random search that throws on its tenth result, as a strategy with a bug would. */
public final class FailsOnTenthTell implements Strategy<Nb201Cell> {
    private final RandomSearch<Nb201Cell> inner =
            new RandomSearch<>(Nb201Space.INSTANCE, Objective.maximize("cifar10_valid_12"), 1);
    private int tells;

    @Override
    public List<Trial<Nb201Cell>> ask(int n) {
        return inner.ask(n);
    }

    @Override
    public void tell(Trial<Nb201Cell> trial, TrialResult result) {
        if (++tells == 10) {
            throw new IllegalStateException("a bug in the strategy");
        }
        inner.tell(trial, result);
    }

    @Override
    public Optional<Observation<Nb201Cell>> best() {
        return inner.best();
    }
}
