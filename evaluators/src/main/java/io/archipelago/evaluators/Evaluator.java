package io.archipelago.evaluators;

import io.archipelago.proto.Architecture;

/**
 * Evaluates one architecture at a fidelity. Plain Java: blocking, possibly slow or GPU-bound;
 * the {@link EvaluatorActor} that wraps it runs it on a dedicated dispatcher. One instance
 * serves one actor at a time, so implementations need not be thread-safe.
 */
public interface Evaluator {

    /** The pool this evaluator serves, e.g. {@code tabular}. */
    String kind();

    /**
     * @param fidelity evaluator-specific budget (e.g. epochs); 0 asks for the default
     * @throws EvaluationException when this architecture cannot be evaluated; the reason is
     *     reported with the failed result
     */
    Evaluation evaluate(Architecture architecture, int fidelity) throws EvaluationException;

    /**
     * Evaluates while reporting each step of the learning curve to {@code progress}; when a report
     * answers false the evaluation ends there, and the result's metrics are that step's. An
     * evaluator without a learning curve ignores {@code progress} (the default).
     */
    default Evaluation evaluate(Architecture architecture, int fidelity, Progress progress) throws EvaluationException {
        return evaluate(architecture, fidelity);
    }
}
