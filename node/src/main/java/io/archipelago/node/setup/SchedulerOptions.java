package io.archipelago.node.setup;

import io.archipelago.controller.scheduler.SchedulerSpec;
import io.archipelago.core.objective.Objective;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * What stops unpromising evaluations early ({@code search --scheduler}): a part of the search's
 * spec, apart from the strategy that says what to try.
 */
public final class SchedulerOptions {
    @Option(
            names = "--scheduler",
            defaultValue = "none",
            description = "What stops unpromising evaluations early, with any strategy: none | asha (asynchronous "
                    + "successive halving: at each of --rungs, a candidate below the top 1/--eta so far stops) | median "
                    + "(the median stopping rule, from the first rung on). The evaluator must report a learning curve: "
                    + "train, runner:, worker:, or the tabular table's fidelities (default: ${DEFAULT-VALUE}).")
    public String scheduler = "none"; // as the default value: a search built without picocli has none

    @Option(
            names = "--rungs",
            split = ",",
            paramLabel = "STEPS",
            description = "asha: the steps (epochs) where candidates are compared, e.g. 1,3,9; each candidate is asked "
                    + "for the last (tabular: the table's fidelities, e.g. 12,200 with --metric cifar10_valid_200). "
                    + "median: the first is the grace period.")
    public List<Integer> rungs = new ArrayList<>();

    @Option(
            names = "--eta",
            defaultValue = "3",
            description = "asha: 1/ETA of the candidates go on at each rung (default: ${DEFAULT-VALUE}).")
    public int eta = 3;

    /**
     * The scheduler these options name for a search optimising {@code objective} (null: none).
     *
     * @throws IllegalArgumentException naming the option that is wrong
     */
    public SchedulerSpec spec(Objective objective) {
        if (scheduler.equals("none")) {
            if (!rungs.isEmpty()) {
                throw new IllegalArgumentException("--rungs belongs to a scheduler: add --scheduler asha or median");
            }
            return null;
        }
        if (scheduler.equals("asha") && rungs.isEmpty()) {
            throw new IllegalArgumentException("--scheduler asha needs --rungs, e.g. 1,3,9");
        }
        return new SchedulerSpec(scheduler, rungs, eta, objective);
    }
}
