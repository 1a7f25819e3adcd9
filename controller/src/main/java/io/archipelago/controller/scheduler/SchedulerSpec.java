package io.archipelago.controller.scheduler;

import io.archipelago.core.objective.Objective;
import java.util.List;

/**
 * Which scheduler a search uses, as its spec records it: {@code asha} (rungs, eta) or
 * {@code median} (from the first rung on); each run makes a fresh one ({@link #create()}).
 */
public record SchedulerSpec(String name, List<Integer> rungs, int eta, Objective objective) {
    public static final List<String> NAMES = List.of("none", "asha", "median");

    public SchedulerSpec {
        rungs = List.copyOf(rungs);
        if (!NAMES.contains(name) || name.equals("none")) {
            throw new IllegalArgumentException(
                    "unknown scheduler '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        }
        make(name, rungs, eta, objective); // checks the rungs and eta now, naming the option
    }

    /** The steps a candidate is asked to reach: ASHA's last rung. */
    public int maxStep() {
        return rungs.isEmpty() ? 0 : rungs.get(rungs.size() - 1);
    }

    public Scheduler create() {
        return make(name, rungs, eta, objective);
    }

    private static Scheduler make(String name, List<Integer> rungs, int eta, Objective objective) {
        return switch (name) {
            case "asha" -> new AsyncSuccessiveHalving(rungs, eta, objective);
            case "median" -> new MedianStopping(objective, rungs.isEmpty() ? 1 : rungs.get(0));
            default -> throw new IllegalStateException(name);
        };
    }
}
