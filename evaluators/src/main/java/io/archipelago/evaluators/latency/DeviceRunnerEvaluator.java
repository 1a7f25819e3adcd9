package io.archipelago.evaluators.latency;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.Evaluator;
import io.archipelago.evaluators.runner.RunnerProcess;
import io.archipelago.models.space.NetworkShape;
import io.archipelago.models.space.SpaceNetworksRegistry;
import io.archipelago.proto.Architecture;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Latency measured by an external program, e.g. one that ships the cell to a phone or a board and
 * runs it there: the configured command runs through {@code /bin/sh -c} once per candidate, gets
 * one JSON request on stdin and answers with a JSON line on stdout ({@link RunnerProtocol}).
 *
 * <p>Never a stuck slot ({@link RunnerProcess}): stdout and stderr are read while the runner runs
 * (a chatty runner cannot fill a pipe and block) with bounded memory, and a runner that outlives
 * the timeout is killed with all its descendants. A non-zero exit, a timeout, or a missing,
 * malformed or non-positive result fails the evaluation with the reason, the exit code and the
 * last 500 characters of stderr.
 * Runs are not serialised here: the number of slots decides how many run at once.
 */
public final class DeviceRunnerEvaluator implements Evaluator {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final String device;
    private final String command;
    private final Duration timeout;
    private final LatencySettings settings;

    /**
     * @param command run with {@code /bin/sh -c}, in this process's working directory and environment
     * @param settings the network, batch and (as hints) warm-up and repeats sent in each request
     */
    public DeviceRunnerEvaluator(String device, String command, Duration timeout, LatencySettings settings) {
        this.device = LatencyEvaluators.checkDevice(device);
        if (command == null || command.isBlank()) {
            throw new IllegalArgumentException("the latency runner command is empty");
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("the runner timeout must be positive, got " + timeout);
        }
        this.command = command;
        this.timeout = timeout;
        this.settings = settings;
    }

    @Override
    public String kind() {
        return LatencyEvaluators.kind(device);
    }

    @Override
    public Evaluation evaluate(Architecture architecture, int fidelity) throws EvaluationException {
        long start = System.nanoTime();
        String request;
        if (Nb201Space.ID.equals(architecture.getSpace())) {
            Nb201Cell cell = LatencyEvaluators.cell(architecture, LatencyEvaluators.METHOD_RUNNER);
            request = RunnerProtocol.request(cell, device, settings).toString() + "\n";
        } else {
            NetworkShape standard;
            try {
                standard = SpaceNetworksRegistry.require(architecture.getSpace(), "the latency runner")
                        .standard();
            } catch (IllegalArgumentException e) {
                throw new EvaluationException(e.getMessage(), e);
            }
            request = RunnerProtocol.request(architecture, standard, device, settings)
                            .toString() + "\n";
        }
        RunnerProtocol.Result result = run(request);
        Map<String, Double> metrics = new LinkedHashMap<>(result.metrics());
        metrics.put(LatencyEvaluators.LATENCY_BATCH, (double) settings.batch());
        Map<String, String> labels = new LinkedHashMap<>(result.labels());
        labels.put(LatencyEvaluators.LABEL_DEVICE, device);
        labels.put(LatencyEvaluators.LABEL_BATCH, Integer.toString(settings.batch()));
        labels.put(LatencyEvaluators.LABEL_METHOD, LatencyEvaluators.METHOD_RUNNER);
        labels.put("runner", RunnerProcess.abbreviate(command, 200));
        return new Evaluation(metrics, (System.nanoTime() - start) / 1e9, labels);
    }

    private String who() {
        return "latency runner for device " + device;
    }

    private RunnerProtocol.Result run(String request) throws EvaluationException {
        try (RunnerProcess runner = RunnerProcess.start(who(), command, request, timeout)) {
            // Only the last non-empty line is the result; everything before it is free text.
            String last = null;
            for (RunnerProcess.Line line; (line = runner.nextLine()) != null; ) {
                if (!line.text().isBlank()) {
                    last = line.text().strip();
                }
            }
            int exit = runner.exitCode();
            if (exit != 0) {
                throw runner.fail("exited with code " + exit);
            }
            if (last == null) {
                throw runner.fail("printed no result on stdout (expected a JSON line with latency_ms)");
            }
            try {
                return RunnerProtocol.parseResult(last);
            } catch (IllegalArgumentException e) {
                throw runner.fail("gave no usable result: " + e.getMessage(), e);
            }
        }
    }
}
