package io.archipelago.node.run;

import io.archipelago.core.objective.Constraint;
import io.archipelago.core.objective.Hypervolume;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.objective.Objectives;
import io.archipelago.core.objective.Pareto;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trade-off a search found: every successful evaluation's objective values, the
 * non-dominated feasible ones among them (the front), and the front's hypervolume.
 *
 * <p>The hypervolume is reported on a unit scale so that objectives in different units
 * (accuracy in percent, parameters in counts, latency in ms) weigh the same: each objective is
 * mapped linearly from the worst value any evaluated feasible cell had (0, which is also the
 * reference point) to the best (1). A search that found a single cell has hypervolume 0.
 * Benchmarks that compare searches use a fixed scale instead ({@code bench pareto}).
 */
public final class ParetoFront {
    /** One evaluated cell. */
    public record Point(long candidateId, String arch, double[] scores, Map<String, Double> values, boolean feasible) {}

    private final List<Objective> objectives;
    private final List<Constraint> constraints;
    private final List<Point> points = new ArrayList<>();

    public ParetoFront(List<Objective> objectives, List<Constraint> constraints) {
        this.objectives = List.copyOf(objectives);
        this.constraints = List.copyOf(constraints);
    }

    public List<Objective> objectives() {
        return objectives;
    }

    /** Adds a successful evaluation; one that lacks an objective's metric is left out. */
    public synchronized void add(long candidateId, String arch, Map<String, Double> metrics) {
        double[] scores = Objectives.scores(metrics, objectives);
        Map<String, Double> values = new LinkedHashMap<>();
        for (Objective objective : objectives) {
            Double value = metrics.get(objective.metric());
            if (value == null || value.isNaN()) {
                return;
            }
            values.put(objective.metric(), value);
        }
        points.add(new Point(candidateId, arch, scores, values, Objectives.violation(metrics, constraints) == 0));
    }

    public synchronized List<Point> points() {
        return List.copyOf(points);
    }

    /** The feasible non-dominated points, in the order they were evaluated. */
    public synchronized List<Point> front() {
        List<Point> feasible = feasible();
        List<Point> front = new ArrayList<>();
        for (int i : Pareto.nonDominated(scores(feasible))) {
            front.add(feasible.get(i));
        }
        return front;
    }

    /** The front's hypervolume on the unit scale described above (0 with fewer than two distinct values per objective). */
    public synchronized double hypervolume() {
        List<Point> feasible = feasible();
        if (feasible.isEmpty()) {
            return 0;
        }
        double[][] scores = scores(feasible);
        int m = objectives.size();
        double[] worst = new double[m];
        double[] best = new double[m];
        for (int k = 0; k < m; k++) {
            worst[k] = Double.POSITIVE_INFINITY;
            best[k] = Double.NEGATIVE_INFINITY;
            for (double[] s : scores) {
                worst[k] = Math.min(worst[k], s[k]);
                best[k] = Math.max(best[k], s[k]);
            }
            if (!(best[k] > worst[k])) {
                return 0; // every cell equal on this objective: no area to measure
            }
        }
        return Hypervolume.of(Objectives.normalised(scores, worst, best), new double[m]);
    }

    /** The worst measured value of each objective among feasible cells: the hypervolume's reference point. */
    public synchronized Map<String, Double> reference() {
        Map<String, Double> reference = new LinkedHashMap<>();
        for (int k = 0; k < objectives.size(); k++) {
            Objective objective = objectives.get(k);
            Double worst = null;
            for (Point p : feasible()) {
                double v = p.values().get(objective.metric());
                if (worst == null || (objective.maximize() ? v < worst : v > worst)) {
                    worst = v;
                }
            }
            if (worst != null) {
                reference.put(objective.metric(), worst);
            }
        }
        return reference;
    }

    /** The front as summary.json lists it. */
    public List<Map<String, Object>> frontRows() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Point p : front()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("candidate_id", p.candidateId());
            row.put("arch", p.arch());
            row.put("objectives", p.values());
            rows.add(row);
        }
        return rows;
    }

    private List<Point> feasible() {
        List<Point> feasible = new ArrayList<>(points.size());
        for (Point p : points) {
            if (p.feasible()) {
                feasible.add(p);
            }
        }
        return feasible;
    }

    private static double[][] scores(List<Point> points) {
        double[][] scores = new double[points.size()][];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = points.get(i).scores();
        }
        return scores;
    }
}
