package io.archipelago.evaluators.latency;

import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.models.nb201.Nb201Network;
import io.archipelago.models.nn.Init;
import io.archipelago.models.nn.Parameter;
import io.archipelago.models.nn.Pass;
import io.archipelago.models.nn.Tensors;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Timing of forward passes. One measurement at a time per process ({@link #LOCK}): two slots
 * timing networks on the same cores at once would each measure the other's load.
 */
final class Timing {
    /** Held while anything is timed in this process; fair, so waiting slots take turns. */
    static final ReentrantLock LOCK = new ReentrantLock(true);

    /** Defeats dead-code elimination of the value read back from each result. */
    private static volatile double sink;

    /** A cell with every op, run to warm up a fresh process. */
    private static final String WARMUP_CELL =
            "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|";

    private static final long WARMUP_NANOS = 1_500_000_000L;
    private static final int WARMUP_MIN_PASSES = 10;
    private static final int WARMUP_MAX_PASSES = 400;
    private static boolean warmedUp; // guarded by LOCK

    private Timing() {}

    static void lock() throws EvaluationException {
        try {
            LOCK.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EvaluationException("interrupted while waiting to measure latency", e);
        }
    }

    /**
     * Collects garbage (so earlier candidates' off-heap buffers are freed now, and JavaCPP's
     * deallocator has done its work before the timing starts), runs {@code warmup} untimed passes,
     * then times {@code repeats} passes. Each pass's result is forced by reading one value back.
     *
     * @return milliseconds per pass
     */
    static double[] time(Supplier<INDArray> pass, int warmup, int repeats) throws EvaluationException {
        System.gc();
        double acc = 0;
        for (int i = 0; i < Math.max(warmup, 1); i++) { // at least one: the first pass after a GC is slow
            acc += pass.get().getDouble(0);
            checkInterrupt();
        }
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            INDArray out = pass.get();
            acc += out.getDouble(0);
            ms[i] = (System.nanoTime() - start) / 1e6;
            checkInterrupt();
        }
        sink = acc;
        return ms;
    }

    /**
     * Once per process: runs a network with every op until the JIT has compiled ND4J's Java-side
     * op dispatch (which dominates small ops here: the first few hundred calls are several times
     * slower). Without it the first candidates or table blocks measured in a fresh JVM would be
     * inflated. Call with {@link #LOCK} held.
     */
    static void warmProcess(LatencySettings settings) throws EvaluationException {
        if (warmedUp) {
            return;
        }
        Nb201Network network =
                Nb201Network.of(Nb201Space.INSTANCE.parse(WARMUP_CELL), settings.network(), settings.seed());
        try {
            INDArray x = input(settings.seed(), settings.inputShape());
            Pass pass = Pass.inference(Pass.BatchNorm.RUNNING, settings.batch());
            long start = System.nanoTime();
            double acc = 0;
            for (int i = 0;
                    i < WARMUP_MAX_PASSES && (i < WARMUP_MIN_PASSES || System.nanoTime() - start < WARMUP_NANOS);
                    i++) {
                acc += network.forward(x, pass).getDouble(0);
                checkInterrupt();
            }
            sink = acc;
        } finally {
            release(network.parameters());
        }
        warmedUp = true;
    }

    static void checkInterrupt() throws EvaluationException {
        if (Thread.currentThread().isInterrupted()) {
            throw new EvaluationException("interrupted while measuring latency");
        }
    }

    /** A seeded Gaussian input of the given shape, in ND4J's default floating-point type. */
    static INDArray input(long seed, long... shape) {
        return Init.normal(Init.random(seed, "latency.input"), 1.0, shape);
    }

    /** Frees a network's weights now rather than when the garbage collector gets to them. */
    static void release(List<Parameter> parameters) {
        for (Parameter p : parameters) {
            Tensors.release(p.value());
        }
    }

    /**
     * Sets the OpenMP threads of ND4J's native ops (and oneDNN's) for this process; 0 keeps the
     * default (OMP_NUM_THREADS, else every core).
     */
    static void applyThreads(int threads) {
        if (threads > 0) {
            Nd4j.getBackend(); // initialises ND4J before its native ops are reached directly
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
            Nd4j.getEnvironment().setMaxMasterThreads(threads);
        }
    }

    /** The OpenMP threads ND4J's native ops run with. */
    static int threads() {
        try {
            Nd4j.getBackend();
            return NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
        } catch (RuntimeException | LinkageError e) {
            return Nd4j.getEnvironment().maxThreads();
        }
    }
}
