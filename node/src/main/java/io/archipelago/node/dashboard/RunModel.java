package io.archipelago.node.dashboard;

import io.archipelago.core.objective.Constraint;
import io.archipelago.core.objective.Fitness;
import io.archipelago.core.objective.Objective;
import io.archipelago.node.setup.SearchDefinition;
import io.archipelago.node.setup.SearchSetup;
import io.archipelago.proto.SearchSpec;
import java.util.List;

/**
 * What the dashboard needs of a search's spec to draw it: its objectives (several: a Pareto
 * front), constraints (what makes a cell infeasible), the fitness its strategy ranks cells by
 * (what "best" means, as {@code runs list} and the run's history.png say) and the metric columns
 * of its evaluations.csv.
 *
 * @param setup the search's setup as {@code search} builds it (null when this build cannot make
 *     it, e.g. a benchmark file that moved: the objectives then come from the spec's objective)
 */
record RunModel(
        SearchSpec spec,
        List<Objective> objectives,
        List<Constraint> constraints,
        Fitness fitness,
        SearchSetup<?> setup) {

    static RunModel of(SearchSpec spec) {
        try {
            SearchSetup<?> setup = SearchSetup.from(SearchDefinition.of(spec).options());
            return new RunModel(spec, setup.objectives, setup.constraints, setup.fitness, setup);
        } catch (RuntimeException cannotBuild) {
            Objective objective = Objective.parse(spec.getObjective());
            return new RunModel(spec, List.of(objective), List.of(), objective, null);
        }
    }

    Objective objective() {
        return objectives.get(0);
    }

    boolean multiObjective() {
        return objectives.size() > 1;
    }
}
