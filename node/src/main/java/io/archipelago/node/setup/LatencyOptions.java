package io.archipelago.node.setup;

import io.archipelago.evaluators.Evaluator;
import io.archipelago.evaluators.latency.DeviceRunnerEvaluator;
import io.archipelago.evaluators.latency.LatencyEvaluators;
import io.archipelago.evaluators.latency.LatencySettings;
import io.archipelago.evaluators.latency.LatencyTable;
import io.archipelago.evaluators.latency.LatencyTableEvaluator;
import io.archipelago.evaluators.latency.MeasuredLatencyEvaluator;
import io.archipelago.evaluators.latency.SpaceLatencyTable;
import io.archipelago.evaluators.latency.SpaceLatencyTableEvaluator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import picocli.CommandLine.Option;

/**
 * How a node or search evaluates latency (a picocli mixin): on which device name it serves
 * latency requests ({@code --device}), and how: exactly one of {@code --measured} (time the
 * network here), {@code --runner CMD} (an external program per candidate, see runners/README.md)
 * or {@code --latency-table FILE} (predict from a table made by {@code latency build-table}).
 * Call {@link #validate()} before anything starts; {@link #factory()} then makes one evaluator
 * per slot, all of kind {@link #kind()} ({@code latency:NAME}).
 */
public final class LatencyOptions {
    public static final String DEFAULT_DEVICE = "local";

    @Option(
            names = "--device",
            paramLabel = "NAME",
            description =
                    "Device whose latency this node measures; requests for latency on NAME are routed to nodes that declare it "
                            + "([A-Za-z0-9._-]+; default: " + DEFAULT_DEVICE + ", or the device of --latency-table).")
    public String device;

    @Option(names = "--measured", description = "Latency: time each candidate's network on this machine.")
    public boolean measured;

    @Option(
            names = "--runner",
            paramLabel = "CMD",
            description =
                    "Latency: run CMD (through /bin/sh -c) per candidate with a JSON request on stdin; its last stdout line is "
                            + "the JSON result (protocol: runners/README.md; runners/local-cpu measures here).")
    public String runner;

    @Option(
            names = "--latency-table",
            paramLabel = "FILE",
            description =
                    "Latency: predict from a lookup table written by 'archipelago latency build-table' (of the search's "
                            + "space: nb201, darts or mnasnet).")
    public Path table;

    @Option(
            names = "--latency-repeats",
            defaultValue = "20",
            paramLabel = "R",
            description =
                    "Timed forward passes per measurement (--measured; a hint to --runner) (default: ${DEFAULT-VALUE}).")
    public int repeats;

    @Option(
            names = "--latency-warmup",
            defaultValue = "5",
            paramLabel = "W",
            description = "Untimed forward passes before them (default: ${DEFAULT-VALUE}).")
    public int warmup;

    @Option(
            names = "--runner-timeout",
            defaultValue = "60",
            paramLabel = "SECONDS",
            description =
                    "A runner still running after this is killed with its children, and the evaluation fails (default: ${DEFAULT-VALUE}).")
    public double runnerTimeout;

    private LatencyTable loadedTable; // read once by validate(), shared read-only by every slot
    private SpaceLatencyTable loadedSpaceTable; // instead, for a table of another space than nb201
    private boolean validated;

    /** Whether any of --measured, --runner, --latency-table was given. */
    public boolean enabled() {
        return measured || runner != null || table != null;
    }

    /** The device served: --device, else the table's device, else {@value #DEFAULT_DEVICE}. */
    public String device() {
        if (device != null) {
            return device;
        }
        if (loadedSpaceTable != null) {
            return loadedSpaceTable.device();
        }
        return loadedTable != null ? loadedTable.device() : DEFAULT_DEVICE;
    }

    /** The space of the --latency-table read by {@link #validate()} (nb201 for a NAS-Bench-201 table); empty without one. */
    public java.util.Optional<String> tableSpace() {
        if (loadedSpaceTable != null) {
            return java.util.Optional.of(loadedSpaceTable.space());
        }
        return loadedTable != null ? java.util.Optional.of("nb201") : java.util.Optional.empty();
    }

    /** {@code latency:NAME}: the evaluator kind, i.e. the pool requests for this device are routed to. */
    public String kind() {
        return LatencyEvaluators.kind(device());
    }

    /** measured, runner or table. */
    public String method() {
        return measured
                ? LatencyEvaluators.METHOD_MEASURED
                : runner != null ? LatencyEvaluators.METHOD_RUNNER : LatencyEvaluators.METHOD_TABLE;
    }

    /**
     * Checks the options and reads the table.
     *
     * @throws IllegalArgumentException naming the bad option
     */
    public void validate() {
        List<String> chosen = new ArrayList<>();
        if (measured) {
            chosen.add("--measured");
        }
        if (runner != null) {
            chosen.add("--runner");
        }
        if (table != null) {
            chosen.add("--latency-table");
        }
        if (chosen.size() != 1) {
            throw new IllegalArgumentException(
                    "latency needs exactly one of --measured, --runner CMD or --latency-table FILE"
                            + (chosen.isEmpty() ? "" : "; got " + String.join(" and ", chosen)));
        }
        if (device != null) {
            try {
                LatencyEvaluators.checkDevice(device);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--device: " + e.getMessage(), e);
            }
        }
        OptionChecks.positive("--latency-repeats", repeats);
        if (warmup < 0) {
            throw new IllegalArgumentException("--latency-warmup must be >= 0, got " + warmup);
        }
        if (runner != null) {
            if (runner.isBlank()) {
                throw new IllegalArgumentException("--runner needs a command, got an empty string");
            }
            if (!(runnerTimeout > 0) || !Double.isFinite(runnerTimeout)) {
                throw new IllegalArgumentException(
                        "--runner-timeout must be a positive number of seconds, got " + runnerTimeout);
            }
        }
        if (table != null) {
            if (SpaceLatencyTable.isSpaceTable(table)) {
                loadedSpaceTable = SpaceLatencyTable.load(table); // names the file and what is wrong with it
            } else {
                loadedTable = LatencyTable.load(table);
            }
            String tableDevice = loadedSpaceTable != null ? loadedSpaceTable.device() : loadedTable.device();
            if (device != null && !device.equals(tableDevice)) {
                throw new IllegalArgumentException("--device " + device
                        + " does not match the device of --latency-table " + table + " (" + tableDevice + ")");
            }
        }
        validated = true;
    }

    /** The measurement settings: NAS-Bench-201's network (C=16, N=5, 3x32x32), batch 1, and the repeats given. */
    public LatencySettings settings() {
        return LatencySettings.DEFAULTS.withRepeats(warmup, repeats);
    }

    /** Makes slot i's evaluator (validating first if that has not been done). */
    public IntFunction<Evaluator> factory() {
        if (!validated) {
            validate();
        }
        String name = device();
        LatencySettings settings = settings();
        if (measured) {
            return slot -> new MeasuredLatencyEvaluator(name, settings);
        }
        if (runner != null) {
            Duration timeout = Duration.ofMillis(Math.round(runnerTimeout * 1000));
            return slot -> new DeviceRunnerEvaluator(name, runner, timeout, settings);
        }
        String source = table.toString();
        if (loadedSpaceTable != null) {
            SpaceLatencyTable sharedSpaceTable = loadedSpaceTable;
            return slot -> new SpaceLatencyTableEvaluator(sharedSpaceTable, source);
        }
        LatencyTable shared = loadedTable;
        return slot -> new LatencyTableEvaluator(shared, source);
    }
}
