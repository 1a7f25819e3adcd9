package io.archipelago.benchmarks;

import io.archipelago.controller.journal.StepWriter;
import io.archipelago.proto.Architecture;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.ResultSource;
import io.archipelago.proto.ResultTold;
import io.archipelago.proto.StepOp;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What journaling one told result costs the controller: building the result as an evaluator does
 * (the baseline every variant pays), then encoding it with the controller's {@link StepWriter}
 * (drained every 1,500 results, as a 50 ms commit window at 30k results/s) or with Protobuf's
 * generated {@code toByteArray}. Fresh messages each time, as in a search: Protobuf's memoized
 * sizes do not help it here.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JournalEncodingBenchmark {
    private static final String SEARCH = "throughput-measured-1-1234567890";
    private static final String[] EVALUATORS = {"tabular@archipelago/evaluator-0", "tabular@archipelago/evaluator-1"};
    private final StepWriter writer = new StepWriter();
    private int next;

    private StepOp told() {
        int i = next++;
        EvaluationResult result = EvaluationResult.newBuilder()
                .setSearchId(SEARCH)
                .setCandidateId(100_000 + i)
                .setArchitecture(Architecture.newBuilder()
                        .setSpace("nb201")
                        .setEncoding(
                                "|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~"
                                        + (i & 3) + "|"))
                .setStatus(EvaluationStatus.EVALUATION_STATUS_OK)
                .putMetrics("cifar10_valid_12", 84.0 + i)
                .putMetrics("cifar10_test_12", 88.1)
                .putMetrics("params", 615_386.0)
                .putMetrics("flops", 8.6e7)
                .setCostSeconds(4.2e-5)
                .setEvaluator(EVALUATORS[i & 1])
                .setAttempt(1)
                .setEvaluatorKind("tabular")
                .build();
        return StepOp.newBuilder()
                .setTold(ResultTold.newBuilder()
                        .setResult(result)
                        .setSource(ResultSource.RESULT_SOURCE_EVALUATED)
                        .setAttempts(1))
                .build();
    }

    @Benchmark
    public StepOp buildOnly() {
        return told();
    }

    @Benchmark
    public int buildAndStepWriter() {
        writer.append(told());
        return next % 1500 == 0 ? writer.drain().length : 0;
    }

    @Benchmark
    public int buildAndProtobuf() {
        return told().toByteArray().length;
    }
}
