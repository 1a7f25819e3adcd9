package io.archipelago.controller.strategy;

import io.archipelago.core.objective.Fitness;
import io.archipelago.core.predictor.Predictor;
import io.archipelago.core.predictor.PredictorModel;
import io.archipelago.core.space.SearchSpace;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Base of strategies that propose with a predictor fitted on their own observations (BANANAS-style
 * evolution, CTNAS, NAO). Fitting takes seconds, so the strategy never fits itself: it hands out
 * {@link FitRequest}s that whoever drives it fits elsewhere (the controller sends them to a
 * predictor actor) and answers with {@link #modelReady}.
 *
 * <p>Deterministic and still asynchronous: model <em>version</em> v is the model fitted on the
 * trials numbered below v, requested once all of them are told (whatever order they came back in),
 * and the proposals for trial ids {@code v + lag .. v + lag + refitEvery - 1} are made with model v
 * and nothing else. So the same seed and results give the same search however fast evaluators and
 * fits are, while the last {@code lag} trials are still out (set it to the number of slots and no
 * slot waits for a refit unless a refit takes longer than an evaluation). Trials below
 * {@code initial} are random.
 */
public abstract class ModelGuidedStrategy<A> implements Strategy<A> {
    private static final int DRAWS = 200;

    /**
     * A fit the strategy needs: {@code version} and the successful observations of the trials
     * numbered below it.
     */
    public record FitRequest<A>(int version, List<A> architectures, double[] targets, long seed) {}

    /**
     * @param initial random trials before the first model
     * @param refitEvery proposals per model version
     * @param lag trials that may still be out when a model is fitted
     */
    public record Schedule(int initial, int refitEvery, int lag) {
        public static final Schedule DEFAULTS = new Schedule(10, 10, 2);

        public Schedule {
            if (initial < 2 || refitEvery < 1 || lag < 0) {
                throw new IllegalArgumentException(
                        "model-guided schedule needs initial >= 2, refitEvery >= 1, lag >= 0, got " + initial + ", "
                                + refitEvery + ", " + lag);
            }
        }
    }

    protected final SearchSpace<A> space;
    protected final SplittableRandom random;
    protected final Novelty<A> novelty;
    private final Predictor<A> predictor;
    private final Schedule schedule;
    private final long seed;
    private final Incumbent<A> incumbent;
    private final TreeMap<Long, Observation<A>> observations = new TreeMap<>();
    private final Set<Long> told = new HashSet<>();
    private final ArrayDeque<A> queued = new ArrayDeque<>();
    private final ArrayDeque<FitRequest<A>> fitRequests = new ArrayDeque<>();
    private long toldPrefix; // every trial below this id has been told
    private int lastRequested = -1;
    private int readyVersion = -1;
    private PredictorModel<A> model;
    private long nextId;

    protected ModelGuidedStrategy(
            SearchSpace<A> space, Fitness objective, Predictor<A> predictor, Schedule schedule, long seed) {
        this.space = space;
        this.random = new SplittableRandom(seed);
        this.novelty = new Novelty<>(space);
        this.predictor = predictor;
        this.schedule = schedule;
        this.seed = seed;
        this.incumbent = new Incumbent<>(objective);
    }

    /**
     * Up to {@code count} new architectures (claimed with {@link #novelty}), chosen with
     * {@code model} given the observations so far (in trial order). Fewer are topped up with random
     * ones.
     */
    protected abstract List<A> propose(PredictorModel<A> model, List<Observation<A>> observed, int count);

    /** The {@code k} best observations by score, best first; ties keep the earlier trial. */
    protected static <A> List<A> bestObserved(List<Observation<A>> observed, int k) {
        return observed.stream()
                .sorted(Comparator.comparingDouble((Observation<A> o) -> -o.score())
                        .thenComparingLong(o -> o.trial().id()))
                .limit(k)
                .map(o -> o.trial().architecture())
                .toList();
    }

    /** The {@code count} best-scored architectures of {@code pool} not proposed yet, claimed; ties keep pool order. */
    protected final List<A> claimBest(List<A> pool, double[] scores, int count) {
        Integer[] order = new Integer[pool.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i));
        List<A> chosen = new ArrayList<>(count);
        for (int i = 0; i < order.length && chosen.size() < count; i++) {
            A candidate = pool.get(order[i]);
            if (novelty.claim(candidate)) {
                chosen.add(candidate);
            }
        }
        return chosen;
    }

    @Override
    public final Optional<ModelGuidedStrategy<A>> modelGuided() {
        return Optional.of(this);
    }

    public Predictor<A> predictor() {
        return predictor;
    }

    /** The next fit this strategy waits for, once; empty when none is due. */
    public Optional<FitRequest<A>> takeFitRequest() {
        return Optional.ofNullable(fitRequests.poll());
    }

    /** The model fitted for {@code version}; null when the fit failed (its proposals are then random). */
    public void modelReady(int version, PredictorModel<A> fitted) {
        if (version > readyVersion) {
            readyVersion = version;
            model = fitted;
        }
    }

    /** Whether asks return nothing only because a model is still being fitted. */
    public boolean awaitingModel() {
        return nextId >= schedule.initial() && queued.isEmpty() && readyVersion < versionFor(nextId);
    }

    /** Fits every due request here and now: for tests and drivers without a predictor actor. */
    public void fitPending() {
        for (Optional<FitRequest<A>> r = takeFitRequest(); r.isPresent(); r = takeFitRequest()) {
            FitRequest<A> request = r.get();
            modelReady(request.version(), predictor.fit(request.architectures(), request.targets(), request.seed()));
        }
    }

    /** The model version trial {@code id} is proposed with. */
    private int versionFor(long id) {
        long steps = Math.max(0, id - schedule.initial() - schedule.lag()) / schedule.refitEvery();
        return (int) (schedule.initial() + steps * schedule.refitEvery());
    }

    /** The last trial id proposed with model {@code version}. */
    private long lastIdOf(int version) {
        return version + schedule.lag() + schedule.refitEvery() - 1L;
    }

    @Override
    public final List<Trial<A>> ask(int n) {
        List<Trial<A>> trials = new ArrayList<>(n);
        while (trials.size() < n) {
            if (queued.isEmpty() && !prepare()) {
                break;
            }
            A next = queued.poll();
            if (next == null) {
                break; // the space is exhausted
            }
            trials.add(new Trial<>(nextId++, next));
        }
        return trials;
    }

    /** Queues the proposals of the next trial ids; false while their model is not ready. */
    private boolean prepare() {
        if (nextId < schedule.initial()) {
            novelty.draw(() -> space.sample(random), DRAWS).ifPresent(queued::add);
            return true;
        }
        int version = versionFor(nextId);
        if (readyVersion < version) {
            return false;
        }
        int count = (int) (lastIdOf(version) - nextId + 1);
        List<A> proposed = model == null ? List.of() : propose(model, List.copyOf(observations.values()), count);
        queued.addAll(proposed.subList(0, Math.min(count, proposed.size())));
        while (queued.size() < count) {
            Optional<A> filler = novelty.draw(() -> space.sample(random), DRAWS);
            if (filler.isEmpty()) {
                break;
            }
            queued.add(filler.get());
        }
        return true;
    }

    @Override
    public final void tell(Trial<A> trial, TrialResult result) {
        if (!told.add(trial.id())) {
            return; // told twice: counted once
        }
        incumbent.observe(trial, result).ifPresent(o -> observations.put(trial.id(), o));
        while (told.contains(toldPrefix)) {
            toldPrefix++;
        }
        int next = lastRequested < 0 ? schedule.initial() : lastRequested + schedule.refitEvery();
        while (toldPrefix >= next) {
            request(next);
            lastRequested = next;
            next += schedule.refitEvery();
        }
    }

    private void request(int version) {
        List<Observation<A>> basis =
                List.copyOf(observations.headMap((long) version).values());
        if (basis.size() < 2) {
            modelReady(version, null); // nothing to fit: that version's proposals are random
            return;
        }
        List<A> architectures = new ArrayList<>(basis.size());
        double[] targets = new double[basis.size()];
        for (int i = 0; i < basis.size(); i++) {
            architectures.add(basis.get(i).trial().architecture());
            targets[i] = basis.get(i).score();
        }
        fitRequests.add(new FitRequest<>(version, List.copyOf(architectures), targets, seed * 1_000_003L + version));
    }

    @Override
    public Optional<Observation<A>> best() {
        return incumbent.best();
    }
}
