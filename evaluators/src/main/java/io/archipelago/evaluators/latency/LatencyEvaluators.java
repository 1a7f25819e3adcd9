package io.archipelago.evaluators.latency;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.proto.Architecture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What every latency evaluator shares: its kind (the pool a request for a device is routed to),
 * the metric and label names, and a description of the machine the numbers are measured on.
 *
 * <p>Metrics of every latency evaluator:
 * <ul>
 *   <li>{@code latency_ms}: the median of the timed forward passes (table: the prediction);</li>
 *   <li>{@code latency_p10_ms}, {@code latency_p90_ms}: the 10th and 90th percentiles of the
 *       timed passes (table: the prediction scaled by the 10th/90th percentile of the relative
 *       fit residuals, i.e. the prediction's uncertainty);</li>
 *   <li>{@code latency_min_ms} where measured, {@code latency_repeats}, {@code latency_batch},
 *       {@code latency_threads} where known.</li>
 * </ul>
 * Labels: {@code device}, {@code cpu} or {@code gpu}, {@code backend}, {@code threads},
 * {@code batch}, {@code method} ({@code measured}, {@code table} or {@code runner}).
 */
public final class LatencyEvaluators {
    public static final String KIND_PREFIX = "latency:";

    public static final String LATENCY_MS = "latency_ms";
    public static final String LATENCY_P10_MS = "latency_p10_ms";
    public static final String LATENCY_P90_MS = "latency_p90_ms";
    public static final String LATENCY_MIN_MS = "latency_min_ms";
    public static final String LATENCY_REPEATS = "latency_repeats";
    public static final String LATENCY_BATCH = "latency_batch";
    public static final String LATENCY_THREADS = "latency_threads";

    public static final String LABEL_DEVICE = "device";
    public static final String LABEL_CPU = "cpu";
    public static final String LABEL_GPU = "gpu";
    public static final String LABEL_BACKEND = "backend";
    public static final String LABEL_THREADS = "threads";
    public static final String LABEL_BATCH = "batch";
    public static final String LABEL_METHOD = "method";

    public static final String METHOD_MEASURED = "measured";
    public static final String METHOD_TABLE = "table";
    public static final String METHOD_RUNNER = "runner";

    private static final Pattern DEVICE = Pattern.compile("[A-Za-z0-9._-]+");

    private LatencyEvaluators() {}

    /**
     * The evaluator kind of a device, {@code latency:NAME}: the pool name the router routes by,
     * so a latency request for NAME reaches only the nodes that declared NAME.
     *
     * @throws IllegalArgumentException when the name is not {@code [A-Za-z0-9._-]+}
     */
    public static String kind(String device) {
        return KIND_PREFIX + checkDevice(device);
    }

    /** @return the name, when it is a valid device name ({@code [A-Za-z0-9._-]+}) */
    public static String checkDevice(String device) {
        if (device == null || !DEVICE.matcher(device).matches()) {
            throw new IllegalArgumentException(
                    "a device name is letters, digits, '.', '_' and '-' only, got '" + device + "'");
        }
        return device;
    }

    /** The NB201 cell of a request; other spaces cannot be built. */
    static Nb201Cell cell(Architecture architecture, String evaluator) throws EvaluationException {
        if (!Nb201Space.ID.equals(architecture.getSpace())) {
            throw new EvaluationException(
                    "the " + evaluator + " latency evaluator supports the NAS-Bench-201 cell space ('" + Nb201Space.ID
                            + "') only; got space '" + architecture.getSpace() + "'");
        }
        try {
            return Nb201Space.INSTANCE.parse(architecture.getEncoding());
        } catch (IllegalArgumentException e) {
            throw new EvaluationException(e.getMessage(), e);
        }
    }

    /**
     * This process's compute device: {@code cpu} (or {@code gpu} on a CUDA backend), {@code backend}
     * and {@code threads} (ND4J's op threads).
     */
    public static Map<String, String> hostLabels() {
        Map<String, String> labels = new LinkedHashMap<>();
        String backend = Nd4j.getBackend().getClass().getSimpleName();
        boolean gpu = backend.toLowerCase(Locale.ROOT).contains("cuda")
                || backend.toLowerCase(Locale.ROOT).contains("cublas");
        if (gpu) {
            labels.put(LABEL_GPU, gpuName());
        } else {
            labels.put(LABEL_CPU, cpuModel());
        }
        labels.put(LABEL_BACKEND, backend);
        labels.put(LABEL_THREADS, Integer.toString(threads()));
        return labels;
    }

    /** The threads ND4J's native ops (OpenMP, oneDNN) run with in this process. */
    public static int threads() {
        return Timing.threads();
    }

    /** The model name from /proc/cpuinfo with the core count, or os.arch when that cannot be read. */
    static String cpuModel() {
        int cores = Runtime.getRuntime().availableProcessors();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        return line.substring(colon + 1).strip() + " (" + cores + " cores)";
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: fall back
        }
        return System.getProperty("os.arch") + " (" + cores + " cores)";
    }

    private static String gpuName() {
        Object info = Nd4j.getExecutioner().getEnvironmentInformation().get("cuda.devicesInformation");
        if (info instanceof java.util.List<?> devices
                && !devices.isEmpty()
                && devices.get(0) instanceof Map<?, ?> first) {
            Object name = first.get("cuda.deviceName");
            if (name != null) {
                return name.toString();
            }
        }
        return "cuda";
    }

    /** Order statistics of timed repeats, in milliseconds. */
    public record Stats(double medianMs, double p10Ms, double p90Ms, double minMs, int repeats) {
        public static Stats of(double[] samplesMs) {
            if (samplesMs.length == 0) {
                throw new IllegalArgumentException("no samples");
            }
            double[] s = samplesMs.clone();
            Arrays.sort(s);
            return new Stats(quantile(s, 0.5), quantile(s, 0.1), quantile(s, 0.9), s[0], s.length);
        }
    }

    /** The q-quantile of sorted values, linearly interpolated (q = 0.5 is the median). */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return quantile(s, 0.5);
    }
}
