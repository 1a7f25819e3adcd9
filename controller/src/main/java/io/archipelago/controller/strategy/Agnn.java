package io.archipelago.controller.strategy;

import io.archipelago.core.objective.Fitness;
import io.archipelago.core.space.ArchitectureFormatException;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.TokenEncoding;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Auto-GNN's reinforced conservative explorer (Zhou, Song, Huang, Hu, "Auto-GNN: Neural
 * Architecture Search of Graph Neural Networks", 2019, arXiv:1909.03184), without the GNN-specific
 * parts: it keeps the best architecture found so far and proposes children that change <em>one</em>
 * component of it, a policy deciding which component (token position) to change and to what value
 * (token), trained by REINFORCE on how much the change improved on the parent.
 *
 * <ul>
 *   <li>The first {@code warmup} trials are random architectures, as Auto-GNN starts from random
 *       ones; so are later trials while no trial has succeeded yet.
 *   <li>After that every ask takes the current incumbent (the {@link Incumbent}: best so far, ties
 *       keep the earlier trial), draws a position from a softmax over positions, then a new token
 *       at that position from the position's softmax over its {@link TokenEncoding#choices} tokens
 *       other than the current one. Children that are not valid sequences
 *       ({@link ArchitectureFormatException}) or whose canonical key was proposed before
 *       ({@link Novelty}) are drawn again, up to {@value #DRAWS} times; then the incumbent's whole
 *       one-token neighbourhood is enumerated and an unseen neighbour drawn with the policy's
 *       probabilities (the draws' distribution conditioned on novelty). When the incumbent's
 *       neighbourhood is exhausted the explorer moves on to the runners-up, best first, as the
 *       conservative explorer would with its next-best architecture (ours: the paper does not say
 *       what happens then; on NAS-Bench-Graph this beat a random trial by 0.1 to 0.2 points on
 *       CiteSeer and PubMed at 100 queries). Only when every observed architecture's neighbours
 *       have been proposed is the trial a random novel architecture. Fewer trials come back only
 *       when the space is exhausted.
 *   <li>Reward of a child: its score minus the score of the parent it was derived from (the
 *       incumbent when it was asked). The difference, not the raw score, judges the <em>change</em>
 *       rather than the parent's quality, so rewards stay comparable as the incumbent improves and
 *       while several parents have children in flight. Advantage: the reward minus an exponential
 *       moving average of earlier rewards, divided by a moving average of the advantages' absolute
 *       values (as {@link OpPolicy}), so one learning rate fits any score scale; near a good
 *       incumbent most changes hurt, and the baseline makes the ones that hurt least (or help)
 *       positive. Each successful tell of a child is one REINFORCE step on both the position
 *       policy and that position's token policy; failed children and random trials teach nothing.
 *   <li>Asynchronous: tells arrive in any order. Each child's decision (position, old and new
 *       token, parent score) is remembered by trial id until its tell, then forgotten, so the map
 *       holds only trials in flight. Deterministic per seed given the same asks and tells.
 * </ul>
 *
 * <p>What is ours rather than the paper's: Auto-GNN's controller is built from RNNs (one per class
 * of GNN component: aggregation, attention, activation, hidden size...) that decide which class to
 * change and to what, and it trains the GNNs with constrained parameter sharing between a parent
 * and its homogeneous children. Here a "component" is a token position of any {@link TokenEncoding};
 * the policies are independent softmaxes (one over positions, one per position over its tokens)
 * trained by plain REINFORCE; the reward is the difference to the parent with a moving baseline
 * (our choice, see above); and there is no weight sharing, since evaluation belongs to the
 * evaluator (often a table). The token policy's gradient is that of the softmax over the tokens
 * other than the current one; the novelty rejections are ignored in it.
 */
public final class Agnn<A> implements Strategy<A> {
    private static final int DRAWS = 200;
    /** Neighbourhoods up to this size (positions times choices) are enumerated once draws fail. */
    private static final long NEIGHBOURHOOD_SCAN = 1_000_000;

    private final SearchSpace<A> space;
    private final TokenEncoding<A> encoding;
    private final int warmup;
    private final Modifier policy;
    private final SplittableRandom random;
    private final Incumbent<A> incumbent;
    private final Novelty<A> novelty;
    /** Children in flight: the change that made each, by trial id. */
    private final Map<Long, Decision> decisions = new HashMap<>();
    /** Every successful observation: parents to fall back on when the incumbent's neighbours are all seen. */
    private final List<Observation<A>> history = new ArrayList<>();
    /** Trial ids of parents whose one-token neighbourhood has been proposed in full. */
    private final Set<Long> exhausted = new HashSet<>();

    private long nextId;

    /** The change a child made to its parent, and the parent's score. */
    record Decision(long parent, int position, int from, int to, double parentScore) {}

    /**
     * @param warmup random trials before the explorer starts (e.g. 10)
     * @param learningRate step on the policies' logits per unit of normalised advantage (e.g. 0.2)
     * @param baselineDecay weight of the past in the reward baseline (e.g. 0.9)
     */
    public <S extends SearchSpace<A> & TokenEncoding<A>> Agnn(
            S space, Fitness objective, long seed, int warmup, double learningRate, double baselineDecay) {
        if (warmup < 0) {
            throw new IllegalArgumentException("AGNN needs warmup >= 0, got " + warmup);
        }
        this.space = space;
        this.encoding = space;
        this.warmup = warmup;
        this.policy = new Modifier(space, learningRate, baselineDecay);
        this.random = new SplittableRandom(seed);
        this.incumbent = new Incumbent<>(objective);
        this.novelty = new Novelty<>(space);
    }

    @Override
    public List<Trial<A>> ask(int n) {
        List<Trial<A>> trials = new ArrayList<>(Math.max(n, 0));
        for (int i = 0; i < n; i++) {
            long id = nextId;
            Optional<A> next = Optional.empty();
            if (id >= warmup) {
                Optional<Child<A>> child = explore();
                if (child.isPresent()) {
                    decisions.put(id, child.get().decision());
                    next = Optional.of(child.get().architecture());
                }
            }
            if (next.isEmpty()) {
                next = novelty.draw(() -> space.sample(random), DRAWS);
            }
            if (next.isEmpty()) {
                break; // the space is exhausted
            }
            trials.add(new Trial<>(id, next.get()));
            nextId++;
        }
        return trials;
    }

    @Override
    public void tell(Trial<A> trial, TrialResult result) {
        Decision decision = decisions.remove(trial.id());
        Optional<Observation<A>> observed = incumbent.observe(trial, result);
        observed.ifPresent(history::add);
        if (decision != null && observed.isPresent()) {
            policy.reinforce(decision, observed.get().score() - decision.parentScore());
        }
    }

    @Override
    public Optional<Observation<A>> best() {
        return incumbent.best();
    }

    // ------------------------------------------------------------------ for tests

    /** The change that made trial {@code id}, while it is in flight; empty for random trials. */
    Optional<Decision> decision(long id) {
        return Optional.ofNullable(decisions.get(id));
    }

    /** Trials in flight that are children. */
    int pending() {
        return decisions.size();
    }

    /** The policy's probability of changing {@code position}. */
    double positionProbability(int position) {
        return policy.positionProbabilities()[position];
    }

    /** The policy's probability of {@code token} at {@code position}, no token excluded. */
    double tokenProbability(int position, int token) {
        return Modifier.softmax(policy.tokenLogits[position], -1)[token];
    }

    // ------------------------------------------------------------------ the explorer

    private record Child<A>(A architecture, Decision decision) {}

    /**
     * A novel child of the best observation whose neighbourhood is not exhausted: the incumbent
     * first, then the runners-up by score (ties: the earlier trial). Empty before any success or
     * when every parent's neighbourhood is used up.
     */
    private Optional<Child<A>> explore() {
        Optional<Observation<A>> best = incumbent.best();
        if (best.isEmpty()) {
            return Optional.empty();
        }
        if (!exhausted.contains(best.get().trial().id())) {
            Optional<Child<A>> child = modify(best.get());
            if (child.isPresent()) {
                return child;
            }
            exhausted.add(best.get().trial().id());
        }
        List<Observation<A>> ranked = new ArrayList<>(history);
        ranked.sort(Comparator.comparingDouble((Observation<A> o) -> -o.score())
                .thenComparingLong(o -> o.trial().id()));
        for (Observation<A> parent : ranked) {
            if (exhausted.contains(parent.trial().id())) {
                continue;
            }
            Optional<Child<A>> child = modify(parent);
            if (child.isPresent()) {
                return child;
            }
            exhausted.add(parent.trial().id());
        }
        return Optional.empty();
    }

    /** A novel child of {@code parent} differing at one position, or empty when none was found. */
    private Optional<Child<A>> modify(Observation<A> parent) {
        if (!policy.anyMutable()) {
            return Optional.empty();
        }
        int[] base = encoding.tokens(parent.trial().architecture());
        for (int attempt = 0; attempt < DRAWS; attempt++) {
            int position = Modifier.draw(policy.positionProbabilities(), random);
            int token = Modifier.draw(policy.tokenProbabilities(position, base[position]), random);
            Optional<A> child = build(base, position, token);
            if (child.isPresent() && novelty.claim(child.get())) {
                return Optional.of(new Child<>(
                        child.get(),
                        new Decision(parent.trial().id(), position, base[position], token, parent.score())));
            }
        }
        return scanNeighbourhood(base, parent);
    }

    /** Draws among the parent's unseen neighbours with the policy's probabilities. */
    private Optional<Child<A>> scanNeighbourhood(int[] base, Observation<A> parent) {
        long size = 0;
        for (int p = 0; p < base.length; p++) {
            size += encoding.choices(p);
        }
        if (size > NEIGHBOURHOOD_SCAN) {
            return Optional.empty();
        }
        double[] positions = policy.positionProbabilities();
        List<Child<A>> unseen = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        double total = 0;
        for (int p = 0; p < base.length; p++) {
            if (positions[p] == 0) {
                continue;
            }
            double[] tokens = policy.tokenProbabilities(p, base[p]);
            for (int t = 0; t < tokens.length; t++) {
                if (t == base[p]) {
                    continue;
                }
                Optional<A> child = build(base, p, t);
                if (child.isPresent() && !novelty.seen(child.get())) {
                    unseen.add(
                            new Child<>(child.get(), new Decision(parent.trial().id(), p, base[p], t, parent.score())));
                    double weight = positions[p] * tokens[t];
                    weights.add(weight);
                    total += weight;
                }
            }
        }
        if (unseen.isEmpty()) {
            return Optional.empty();
        }
        // Isomorphic neighbours share a key: the first of them drawn claims it, the rest are skipped.
        double u = random.nextDouble() * total;
        int pick = unseen.size() - 1;
        for (int i = 0; i < unseen.size() - 1; i++) {
            u -= weights.get(i);
            if (u < 0) {
                pick = i;
                break;
            }
        }
        Child<A> child = unseen.get(pick);
        novelty.claim(child.architecture());
        return Optional.of(child);
    }

    private Optional<A> build(int[] base, int position, int token) {
        int[] tokens = base.clone();
        tokens[position] = token;
        try {
            return Optional.of(encoding.fromTokens(tokens));
        } catch (ArchitectureFormatException invalid) {
            return Optional.empty();
        }
    }

    /**
     * The modifier's two policies: a softmax over the positions that have a choice, and per
     * position a softmax over its tokens, evaluated without the position's current token.
     */
    private static final class Modifier {
        private final double[] positionLogits;
        private final double[][] tokenLogits;
        private final boolean[] mutable;
        private final double learningRate;
        private final RewardBaseline baseline;

        Modifier(TokenEncoding<?> encoding, double learningRate, double baselineDecay) {
            if (!(learningRate > 0) || !(baselineDecay >= 0 && baselineDecay < 1)) {
                throw new IllegalArgumentException(
                        "AGNN's REINFORCE needs learning rate > 0 and 0 <= baseline decay < 1, got " + learningRate
                                + " and " + baselineDecay);
            }
            int length = encoding.length();
            this.positionLogits = new double[length];
            this.tokenLogits = new double[length][];
            this.mutable = new boolean[length];
            for (int p = 0; p < length; p++) {
                tokenLogits[p] = new double[encoding.choices(p)];
                mutable[p] = tokenLogits[p].length > 1;
            }
            this.learningRate = learningRate;
            this.baseline = new RewardBaseline(baselineDecay);
        }

        boolean anyMutable() {
            for (boolean m : mutable) {
                if (m) {
                    return true;
                }
            }
            return false;
        }

        /** Zero at positions with a single choice. */
        double[] positionProbabilities() {
            double[] z = positionLogits.clone();
            for (int p = 0; p < z.length; p++) {
                if (!mutable[p]) {
                    z[p] = Double.NEGATIVE_INFINITY;
                }
            }
            return softmax(z, -1);
        }

        /** Zero at the current token. */
        double[] tokenProbabilities(int position, int current) {
            return softmax(tokenLogits[position], current);
        }

        void reinforce(Decision decision, double reward) {
            double step = learningRate * baseline.advantage(reward);
            if (step == 0) {
                return;
            }
            double[] positions = positionProbabilities();
            for (int p = 0; p < positions.length; p++) {
                if (mutable[p]) {
                    positionLogits[p] += step * ((p == decision.position() ? 1 : 0) - positions[p]);
                }
            }
            double[] tokens = tokenProbabilities(decision.position(), decision.from());
            double[] logits = tokenLogits[decision.position()];
            for (int t = 0; t < logits.length; t++) {
                if (t != decision.from()) {
                    logits[t] += step * ((t == decision.to() ? 1 : 0) - tokens[t]);
                }
            }
        }

        /** Softmax of {@code z}, with {@code excluded} (if a valid index) and infinite negatives at zero. */
        static double[] softmax(double[] z, int excluded) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < z.length; i++) {
                if (i != excluded) {
                    max = Math.max(max, z[i]);
                }
            }
            double[] p = new double[z.length];
            double sum = 0;
            for (int i = 0; i < z.length; i++) {
                p[i] = i == excluded || z[i] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(z[i] - max);
                sum += p[i];
            }
            for (int i = 0; i < z.length; i++) {
                p[i] /= sum;
            }
            return p;
        }

        /** An index drawn with probabilities {@code p} (which sum to one); never one of probability zero. */
        static int draw(double[] p, RandomGenerator random) {
            double u = random.nextDouble();
            int last = -1;
            for (int i = 0; i < p.length; i++) {
                if (p[i] > 0) {
                    last = i;
                    u -= p[i];
                    if (u < 0) {
                        return i;
                    }
                }
            }
            return last;
        }
    }
}
