package io.archipelago.models.supernet;

import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's threads for this process. ND4J defaults to every core, which on a small shared machine
 * makes small ops 10-30 times slower (threads handed work they then wait for). Three knobs:
 * <ul>
 *   <li>{@code Environment.setMaxThreads} / {@code setMaxMasterThreads}: libnd4j's own thread pool
 *       (element-wise and reduction loops);</li>
 *   <li>{@code NativeOps.setOmpNumThreads}: the OpenMP team that oneDNN (convolutions) and libnd4j's
 *       OpenMP loops use; {@code OMP_NUM_THREADS} sets the same at start-up;</li>
 *   <li>{@code OMP_WAIT_POLICY=PASSIVE} in the environment before the JVM starts (OpenMP reads it
 *       once): idle OpenMP workers sleep instead of spinning. Spinning workers collapse when the
 *       cores are shared with other processes (the PyTorch reference measured 84 vs 598 img/s).</li>
 * </ul>
 * All three are process-wide.
 */
public final class NdThreads {
    private NdThreads() {}

    /** Sets ND4J's thread pool and OpenMP team to {@code threads} (at least 1). */
    public static void configure(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        try { // nd4j-native-api: present with the CPU and CUDA backends, looked up so no backend is compiled in
            Class<?> holder = Class.forName("org.nd4j.nativeblas.NativeOpsHolder");
            Object instance = holder.getMethod("getInstance").invoke(null);
            Object ops = holder.getMethod("getDeviceNativeOps").invoke(instance);
            ops.getClass().getMethod("setOmpNumThreads", int.class).invoke(ops, threads);
        } catch (ReflectiveOperationException | LinkageError e) {
            // no native ops class: nothing more to set
        }
    }

    /** Whether {@code OMP_WAIT_POLICY} is PASSIVE in this process's environment. */
    public static boolean passiveWaiting() {
        return "PASSIVE".equalsIgnoreCase(System.getenv("OMP_WAIT_POLICY"));
    }
}
