package io.archipelago.controller.strategy;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.space.GraphEncoding;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.table.BenchmarkTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/** Shared pieces of the strategy tests: the embedded NB201 table and a small search loop. */
final class StrategyFixtures {
    static final Nb201Space SPACE = Nb201Space.INSTANCE;
    static final BenchmarkTable<Nb201Cell> TABLE = BenchmarkTable.embeddedNb201Cifar10();
    static final String VALID = "cifar10_valid_12";
    static final String TEST = "cifar10_test_200";
    static final Objective OBJECTIVE = Objective.maximize(VALID);
    /** Number of canonical classes of NB201 (and entries of the embedded table). */
    static final int CLASSES = 5_425;

    private StrategyFixtures() {}

    /** What a tabular evaluator at 12 epochs would answer: the 12-epoch metrics only. */
    static TrialResult evaluate(Trial<Nb201Cell> trial) {
        Map<String, Double> metrics = TABLE.metricsAt(trial.architecture(), 12)
                .orElseThrow(() -> new AssertionError("table lacks " + trial.architecture()));
        return TrialResult.ok(metrics);
    }

    /** The final test accuracy of an architecture (never shown to the strategy). */
    static double testAccuracy(Nb201Cell cell) {
        return TABLE.metricsOf(cell).orElseThrow().get(TEST);
    }

    /** Sequential ask(1)/evaluate/tell for {@code budget} trials; returns the trials in order. */
    static List<Trial<Nb201Cell>> run(Strategy<Nb201Cell> strategy, int budget) {
        List<Trial<Nb201Cell>> trials = new ArrayList<>(budget);
        for (int i = 0; i < budget; i++) {
            List<Trial<Nb201Cell>> asked = strategy.ask(1);
            if (asked.isEmpty()) {
                break;
            }
            Trial<Nb201Cell> trial = asked.get(0);
            strategy.tell(trial, evaluate(trial));
            trials.add(trial);
        }
        return trials;
    }

    /** The final test accuracy of the strategy's incumbent (best by validation accuracy). */
    static double incumbentTestAccuracy(Strategy<Nb201Cell> strategy) {
        Observation<Nb201Cell> best = strategy.best().orElseThrow(() -> new AssertionError("no incumbent"));
        return testAccuracy(best.trial().architecture());
    }

    /** Delegates to NB201 and records every mutation (parent and child) the strategy asks for. */
    static final class RecordingSpace implements SearchSpace<Nb201Cell> {
        record Mutation(Nb201Cell parent, Nb201Cell child) {}

        final List<Mutation> mutations = new ArrayList<>();
        int samples;

        @Override
        public String id() {
            return SPACE.id();
        }

        @Override
        public Nb201Cell parse(String encoding) {
            return SPACE.parse(encoding);
        }

        @Override
        public String encoding() {
            return SPACE.encoding();
        }

        @Override
        public String format(Nb201Cell architecture) {
            return SPACE.format(architecture);
        }

        @Override
        public Nb201Cell sample(RandomGenerator random) {
            samples++;
            return SPACE.sample(random);
        }

        @Override
        public Nb201Cell mutate(Nb201Cell architecture, RandomGenerator random) {
            Nb201Cell child = SPACE.mutate(architecture, random);
            mutations.add(new Mutation(architecture, child));
            return child;
        }

        @Override
        public Stream<Nb201Cell> enumerate() {
            return SPACE.enumerate();
        }

        @Override
        public long size() {
            return SPACE.size();
        }

        @Override
        public String canonicalKey(Nb201Cell architecture) {
            return SPACE.canonicalKey(architecture);
        }

        @Override
        public GraphEncoding graph(Nb201Cell architecture) {
            return SPACE.graph(architecture);
        }
    }
}
