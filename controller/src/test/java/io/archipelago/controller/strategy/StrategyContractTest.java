package io.archipelago.controller.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201MixedSpace;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.space.SearchSpace;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the controller and the journal rely on, checked for every strategy the factory names
 * (a new name is covered the day it is added):
 *
 * <ul>
 *   <li>the same seed and the same calls give the same proposals, with several trials in flight
 *       and results told in an order other than the asks' (as slots finish);</li>
 *   <li>a fresh strategy fed the calls a live run made, as the journal replays them, proposes
 *       what the live one did: resume depends on it;</li>
 *   <li>failed trials are told like others, never become the incumbent, and the search goes on.</li>
 * </ul>
 */
class StrategyContractTest {
    private static final int SLOTS = 3;
    /** Enough for two model versions of the model-guided strategies (NAO's fits take seconds each). */
    private static final int TELLS = 24;

    private static final List<Objective> RANK_BY = List.of(Objective.maximize("a"), Objective.parse("b:min"));
    private static final StrategyFactory.Options OPTIONS = new StrategyFactory.Options(
            12,
            3,
            RANK_BY,
            "gcn",
            new ModelGuidedStrategy.Schedule(8, 8, 2),
            List.of(Objective.maximize("cifar10_valid_12"), Objective.maximize("cifar10_test_12")),
            List.of());

    static List<String> names() {
        return StrategyFactory.NAMES;
    }

    /** One call the controller made: an ask of {@code count} and what it returned, or a tell of a trial. */
    private record Call(int count, List<String> asked, long told) {}

    @ParameterizedTest
    @MethodSource("names")
    void theSameSeedAndCallsGiveTheSameProposals(String name) {
        List<Call> first = drive(name, 11);
        List<Call> second = drive(name, 11);
        assertEquals(first, second, name + ": two runs with seed 11");
        assertTrue(first.stream().anyMatch(call -> call.count() > 1), name + ": several trials were asked at once");
    }

    @ParameterizedTest
    @MethodSource("names")
    void replayingALiveRunsCallsRebuildsTheSameStrategy(String name) {
        Strategy<Object> liveStrategy = create(name, 5);
        List<Call> live = drive(liveStrategy, name, 5);
        Strategy<Object> replayed = create(name, 5);
        Map<Long, Trial<Object>> trials = new HashMap<>();
        for (Call call : live) {
            if (call.count() > 0) {
                List<Trial<Object>> asked = askFitting(replayed, call.count());
                assertEquals(
                        call.asked(),
                        describe(replayed, asked),
                        name + ": the replayed strategy asks what the live one did");
                asked.forEach(trial -> trials.put(trial.id(), trial));
            } else {
                Trial<Object> trial = trials.remove(call.told());
                replayed.tell(trial, evaluate(name, replayed, trial));
            }
        }
        assertEquals(
                describe(liveStrategy, askFitting(liveStrategy, SLOTS)),
                describe(replayed, askFitting(replayed, SLOTS)),
                name + ": the next proposals after the replay");
    }

    @ParameterizedTest
    @MethodSource("names")
    void failedTrialsAreToldAndNeverTheIncumbent(String name) {
        Strategy<Object> strategy = create(name, 3);
        List<Call> calls = drive(strategy, name, 3);
        Set<Long> failed = new HashSet<>();
        calls.stream().filter(call -> call.count() == 0 && fails(call.told())).forEach(call -> failed.add(call.told()));
        assertFalse(failed.isEmpty(), name + ": some trials failed");
        long tells = calls.stream().filter(call -> call.count() == 0).count();
        assertTrue(tells > failed.size(), name + ": the search went on past its failures (" + tells + " tells)");
        strategy.best()
                .ifPresent(best ->
                        assertFalse(failed.contains(best.trial().id()), name + ": a failed trial is the incumbent"));
    }

    // ------------------------------------------------------------------ the driver

    private static List<Call> drive(String name, long seed) {
        return drive(create(name, seed), name, seed);
    }

    /**
     * Runs a strategy as the controller does with {@link #SLOTS} slots: asks for every free slot,
     * then tells one of the trials in flight, drawn at random (slots finish in any order), until
     * {@link #TELLS} trials were told or the strategy has nothing more to propose.
     */
    private static List<Call> drive(Strategy<Object> strategy, String name, long seed) {
        Random finishing = new Random(seed * 31 + 7);
        List<Call> calls = new ArrayList<>();
        List<Trial<Object>> inFlight = new ArrayList<>();
        int told = 0;
        while (told < TELLS) {
            int free = SLOTS - inFlight.size();
            if (free > 0) {
                List<Trial<Object>> asked = askFitting(strategy, free);
                if (!asked.isEmpty()) {
                    calls.add(new Call(free, describe(strategy, asked), -1));
                    inFlight.addAll(asked);
                }
            }
            if (inFlight.isEmpty()) {
                break; // nothing more to propose
            }
            Trial<Object> done = inFlight.remove(finishing.nextInt(inFlight.size()));
            strategy.tell(done, evaluate(name, strategy, done));
            calls.add(new Call(0, List.of(), done.id()));
            told++;
        }
        return calls;
    }

    /** An ask; a model-guided strategy waiting for its model gets it fitted first, as its predictor actor would. */
    private static List<Trial<Object>> askFitting(Strategy<Object> strategy, int n) {
        List<Trial<Object>> asked = strategy.ask(n);
        if (asked.isEmpty()) {
            Optional<ModelGuidedStrategy<Object>> waiting =
                    strategy.modelGuided().filter(ModelGuidedStrategy::awaitingModel);
            if (waiting.isPresent()) {
                waiting.get().fitPending();
                asked = strategy.ask(n);
            }
        }
        return asked;
    }

    private static List<String> describe(Strategy<Object> strategy, List<Trial<Object>> trials) {
        List<String> described = new ArrayList<>();
        for (Trial<Object> trial : trials) {
            described.add(trial.id() + " " + trial.architecture());
        }
        return described;
    }

    /** Every seventh trial fails; the others get the table's 12-epoch metrics and two rank metrics derived from the cell. */
    private static TrialResult evaluate(String name, Strategy<Object> strategy, Trial<Object> trial) {
        if (fails(trial.id())) {
            return TrialResult.failed("an evaluator crashed on trial " + trial.id());
        }
        Map<String, Double> metrics = new HashMap<>();
        if (!"tenas-prune".equals(name)) {
            metrics.putAll(StrategyFixtures.TABLE
                    .metricsAt((io.archipelago.core.nb201.Nb201Cell) trial.architecture(), 12)
                    .orElseThrow());
        }
        int hash = trial.architecture().toString().hashCode();
        metrics.put("a", (hash & 0xffff) / 65_536.0);
        metrics.put("b", ((hash >>> 16) & 0xffff) / 65_536.0);
        return TrialResult.ok(metrics);
    }

    private static boolean fails(long trialId) {
        return trialId % 7 == 3;
    }

    @SuppressWarnings("unchecked")
    private static Strategy<Object> create(String name, long seed) {
        SearchSpace<?> space = StrategyFactory.spaceFor(name, StrategyFixtures.SPACE);
        Strategy<?> strategy = StrategyFactory.create(
                name, (SearchSpace<Object>) space, Objective.maximize("cifar10_valid_12"), seed, OPTIONS);
        assertTrue(space == StrategyFixtures.SPACE || space == Nb201MixedSpace.INSTANCE);
        return (Strategy<Object>) strategy;
    }
}
