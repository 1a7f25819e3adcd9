package io.archipelago.benchmarks;

import io.archipelago.controller.strategy.RegularizedEvolution;
import io.archipelago.controller.strategy.Trial;
import io.archipelago.controller.strategy.TrialResult;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.objective.Objective;
import io.archipelago.core.table.BenchmarkTable;
import io.archipelago.proto.Candidate;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-candidate work outside message passing: what the controller, router and tabular
 * evaluator each do once per candidate. Compare with {@code bench throughput} to see how much of
 * a candidate's cost is actor messaging.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HotPathBenchmark {
    private final Nb201Space space = Nb201Space.INSTANCE;
    private BenchmarkTable<Nb201Cell> table;
    private RegularizedEvolution<Nb201Cell> evolution;
    private SplittableRandom random;
    private Nb201Cell cell;
    private String encoding;
    private Map<String, Double> metrics;
    private long asked;

    @Setup
    public void setUp() {
        table = BenchmarkTable.embeddedNb201Cifar10();
        random = new SplittableRandom(7);
        cell = space.sample(random);
        encoding = space.format(cell);
        metrics = table.metricsAt(cell, 12).orElseThrow();
        evolution = new RegularizedEvolution<>(space, Objective.maximize("cifar10_valid_12"), 1, 30, 5);
    }

    /** Router: parse the wire encoding and take the canonical key (the cache key). */
    @Benchmark
    public String parseAndCanonicalKey() {
        return space.canonicalKey(space.parse(encoding));
    }

    /** Controller: format a cell and build the wire candidate. */
    @Benchmark
    public Candidate buildCandidate() {
        return Candidate.newBuilder()
                .setSearchId("bench")
                .setCandidateId(42)
                .setArchitecture(space.toProto(cell))
                .setEvaluatorKind("tabular")
                .setFidelity(12)
                .build();
    }

    /** Tabular evaluator: table look-up at a fidelity. */
    @Benchmark
    public Map<String, Double> tableLookup() {
        return table.metricsAt(cell, 12).orElseThrow();
    }

    /**
     * Strategy: one ask and one tell of aging evolution. The strategy is restarted every 1,000
     * trials (a long NB201 search): it avoids repeats, and a strategy that has seen most of the
     * space's 5,425 functions would measure the exhaustion fallback instead.
     */
    @Benchmark
    public List<Trial<Nb201Cell>> evolutionAskTell() {
        if (++asked % 1000 == 0) {
            evolution =
                    new RegularizedEvolution<>(space, Objective.maximize("cifar10_valid_12"), random.nextLong(), 30, 5);
        }
        List<Trial<Nb201Cell>> trials = evolution.ask(1);
        evolution.tell(trials.get(0), TrialResult.ok(metrics));
        return trials;
    }
}
