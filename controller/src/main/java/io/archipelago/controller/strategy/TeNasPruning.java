package io.archipelago.controller.strategy;

import io.archipelago.core.nb201.MixedCell;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Op;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.objective.RankAggregation;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * TE-NAS's pruning search (Chen et al., ICLR 2021), training-free: start from the supernet cell in
 * which every edge carries every op but {@code none}; in each round, evaluate the supernet with each single op
 * removed, rank those removals by the training-free indicators (combined by rank), and on every
 * edge remove the op whose removal hurts least (best combined rank); stop when one op per edge
 * remains. The final cell is then evaluated once more on its own, and is the search's result.
 *
 * <p>A round's removals are independent, so they are asked for all at once and evaluated in
 * parallel on every free slot; the next round starts when the last of them is told. Deterministic:
 * no randomness, and results are ranked by trial id, not arrival order.
 */
public final class TeNasPruning implements Strategy<MixedCell> {
    private final List<Objective> indicators;
    /** Where TE-NAS starts: {@code none} is gone from the start (a zero op only dilutes the others). */
    public static final MixedCell TENAS_START = MixedCell.full().withoutOnEveryEdge(Nb201Op.NONE);

    private MixedCell supernet;
    private final ArrayDeque<Trial<MixedCell>> toAsk = new ArrayDeque<>();
    /** The round's removals by trial id: which (edge, op) each one removes. */
    private final Map<Long, int[]> removals = new LinkedHashMap<>();

    private final Map<Long, Map<String, Double>> told = new HashMap<>();
    private long nextId;
    private int round;
    private Trial<MixedCell> finalTrial;
    private Observation<MixedCell> result;

    /** @param indicators the indicators removals are ranked by (e.g. T and E, or T, E and G) */
    public TeNasPruning(List<Objective> indicators) {
        this(indicators, TENAS_START);
    }

    /** Pruning from another supernet (e.g. with {@code none} kept as a candidate). */
    public TeNasPruning(List<Objective> indicators, MixedCell start) {
        if (indicators.isEmpty()) {
            throw new IllegalArgumentException("pruning needs at least one indicator to rank by");
        }
        this.indicators = List.copyOf(indicators);
        this.supernet = start;
        startRound();
    }

    /** The supernet as pruned so far. */
    public MixedCell supernet() {
        return supernet;
    }

    /** Rounds completed. */
    public int rounds() {
        return round;
    }

    private void startRound() {
        removals.clear();
        told.clear();
        if (supernet.isPlain()) {
            finalTrial = new Trial<>(nextId++, supernet);
            toAsk.add(finalTrial);
            return;
        }
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            if (supernet.ops(e).size() < 2) {
                continue;
            }
            for (Nb201Op op : supernet.ops(e)) {
                Trial<MixedCell> trial = new Trial<>(nextId++, supernet.without(e, op));
                removals.put(trial.id(), new int[] {e, op.ordinal()});
                toAsk.add(trial);
            }
        }
    }

    @Override
    public List<Trial<MixedCell>> ask(int n) {
        List<Trial<MixedCell>> trials = new ArrayList<>(Math.min(n, toAsk.size()));
        while (trials.size() < n && !toAsk.isEmpty()) {
            trials.add(toAsk.poll());
        }
        return trials;
    }

    @Override
    public void tell(Trial<MixedCell> trial, TrialResult outcome) {
        if (finalTrial != null && trial.id() == finalTrial.id()) {
            if (outcome.ok()) {
                result = new Observation<>(trial, outcome.metrics(), 0);
            }
            return; // pruning is over either way: nothing more is asked
        }
        if (!removals.containsKey(trial.id())) {
            return; // not of this round
        }
        told.put(trial.id(), outcome.ok() && hasIndicators(outcome.metrics()) ? outcome.metrics() : null);
        if (told.size() == removals.size()) {
            prune();
            round++;
            startRound();
        }
    }

    private boolean hasIndicators(Map<String, Double> metrics) {
        return indicators.stream().allMatch(o -> !Double.isNaN(o.score(metrics)));
    }

    /** On each edge, removes the op whose removal ranks best. */
    private void prune() {
        List<Long> ids = new ArrayList<>(removals.keySet()); // in trial-id order
        List<Map<String, Double>> population = new ArrayList<>();
        for (long id : ids) {
            Map<String, Double> metrics = told.get(id);
            population.add(
                    metrics == null ? RankAggregation.worst(indicators) : metrics); // failed: ranks last, its op stays
        }
        double[] ranks = RankAggregation.combinedRanks(population, indicators);
        int[] bestOp = new int[Nb201Cell.EDGES];
        double[] bestRank = new double[Nb201Cell.EDGES];
        java.util.Arrays.fill(bestOp, -1);
        for (int i = 0; i < ids.size(); i++) {
            int[] removal = removals.get(ids.get(i));
            int edge = removal[0];
            if (bestOp[edge] < 0 || ranks[i] < bestRank[edge]) {
                bestOp[edge] = removal[1];
                bestRank[edge] = ranks[i];
            }
        }
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            if (bestOp[e] >= 0) {
                supernet = supernet.without(e, Nb201Op.ofOrdinal(bestOp[e]));
            }
        }
    }

    /** The final cell once pruning is done and its own evaluation succeeded. */
    @Override
    public Optional<Observation<MixedCell>> best() {
        return Optional.ofNullable(result);
    }
}
