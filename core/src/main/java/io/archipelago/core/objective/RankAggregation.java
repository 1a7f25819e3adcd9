package io.archipelago.core.objective;

import java.util.List;
import java.util.Map;
import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;

/**
 * Combines several objectives by ranks, as TE-NAS and TEG-NAS combine their indicators: each
 * objective ranks the population (1 = best; ties share their mean rank) and the ranks are summed.
 * A lower combined rank is better. Ranks need no common scale, which is why indicators measured
 * in condition numbers, region counts and squared errors can be added this way.
 */
public final class RankAggregation {
    private static final NaturalRanking RANKING = new NaturalRanking(NaNStrategy.FIXED, TiesStrategy.AVERAGE);

    private RankAggregation() {}

    /**
     * Stand-in metrics for a member whose evaluation failed: worse than any measured value on
     * every objective, so it ranks last (e.g. a pruning removal whose NTK is singular).
     */
    public static Map<String, Double> worst(List<Objective> objectives) {
        Map<String, Double> metrics = new java.util.LinkedHashMap<>();
        for (Objective o : objectives) {
            metrics.put(o.metric(), o.maximize() ? -Double.MAX_VALUE : Double.MAX_VALUE);
        }
        return metrics;
    }

    /**
     * @return each member's combined rank, in the population's order
     * @throws IllegalArgumentException when a member lacks one of the objectives' metrics
     */
    public static double[] combinedRanks(List<Map<String, Double>> population, List<Objective> objectives) {
        double[] combined = new double[population.size()];
        double[] values = new double[population.size()];
        for (Objective objective : objectives) {
            for (int i = 0; i < values.length; i++) {
                double score = objective.score(population.get(i));
                if (Double.isNaN(score)) {
                    throw new IllegalArgumentException(
                            "member " + i + " of the population has no value of " + objective.metric());
                }
                values[i] = -score; // rank 1 = largest score
            }
            double[] ranks = RANKING.rank(values);
            for (int i = 0; i < combined.length; i++) {
                combined[i] += ranks[i];
            }
        }
        return combined;
    }
}
