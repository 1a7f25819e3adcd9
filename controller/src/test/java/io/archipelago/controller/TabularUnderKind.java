package io.archipelago.controller;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.Evaluator;
import io.archipelago.evaluators.TabularEvaluator;
import io.archipelago.proto.Architecture;

/** A tabular evaluator registered under a kind of the test's own, so that tests sharing an actor system do not share evaluators. */
record TabularUnderKind(String kind, TabularEvaluator<Nb201Cell> tabular) implements Evaluator {
    @Override
    public Evaluation evaluate(Architecture architecture, int fidelity) throws EvaluationException {
        return tabular.evaluate(architecture, fidelity);
    }
}
