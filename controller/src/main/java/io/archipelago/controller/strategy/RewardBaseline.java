package io.archipelago.controller.strategy;

/**
 * REINFORCE's baseline (Williams 1992) as this package's policies use it: an exponential moving
 * average {@code b} of the rewards and {@code s} of the advantages' absolute values, so that the
 * normalised advantage {@code (R - b) / s} lets one learning rate suit rewards of any scale
 * (accuracies in percent, probabilities, differences of either).
 */
final class RewardBaseline {
    private final double decay;
    private double baseline = Double.NaN;
    private double spread = Double.NaN;

    /** @param decay weight of the past, in [0, 1) */
    RewardBaseline(double decay) {
        this.decay = decay;
    }

    /**
     * Updates the averages with {@code reward} and returns its normalised advantage: 0 for the
     * first reward (it only sets the baseline) and while every reward so far was the same.
     */
    double advantage(double reward) {
        if (Double.isNaN(baseline)) {
            baseline = reward;
            spread = 0;
            return 0;
        }
        double advantage = reward - baseline;
        spread = decay * spread + (1 - decay) * Math.abs(advantage);
        baseline = decay * baseline + (1 - decay) * reward;
        return spread > 0 ? advantage / spread : 0;
    }
}
