package io.archipelago.evaluators.latency;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.Evaluator;
import io.archipelago.proto.Architecture;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Latency measured by an external program, e.g. one that ships the cell to a phone or a board and
 * runs it there: the configured command runs through {@code /bin/sh -c} once per candidate, gets
 * one JSON request on stdin and answers with a JSON line on stdout ({@link RunnerProtocol}).
 *
 * <p>Never a stuck slot: stdout and stderr are drained concurrently (a chatty runner cannot fill a
 * pipe and block), only their tails are kept, and a runner that outlives the timeout is killed with
 * all its descendants. A non-zero exit, a timeout, or a missing, malformed or non-positive result
 * fails the evaluation with the reason, the exit code and the last 500 characters of stderr.
 * Runs are not serialised here: the number of slots decides how many run at once.
 */
public final class DeviceRunnerEvaluator implements Evaluator {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** Characters of stderr quoted in a failure. */
    static final int STDERR_QUOTED = 500;

    private static final int STDOUT_KEPT = 64 * 1024;
    private static final int STDERR_KEPT = 4 * 1024;
    /** How long the output drainers get to finish after the process is gone. */
    private static final long DRAIN_MILLIS = 2_000;

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
        Nb201Cell cell = LatencyEvaluators.cell(architecture, LatencyEvaluators.METHOD_RUNNER);
        String request = RunnerProtocol.request(cell, device, settings).toString() + "\n";
        RunnerProtocol.Result result = run(request);
        Map<String, Double> metrics = new LinkedHashMap<>(result.metrics());
        metrics.put(LatencyEvaluators.LATENCY_BATCH, (double) settings.batch());
        Map<String, String> labels = new LinkedHashMap<>(result.labels());
        labels.put(LatencyEvaluators.LABEL_DEVICE, device);
        labels.put(LatencyEvaluators.LABEL_BATCH, Integer.toString(settings.batch()));
        labels.put(LatencyEvaluators.LABEL_METHOD, LatencyEvaluators.METHOD_RUNNER);
        labels.put("runner", RunnerProtocol.abbreviate(command, 200));
        return new Evaluation(metrics, (System.nanoTime() - start) / 1e9, labels);
    }

    private String who() {
        return "latency runner for device " + device;
    }

    private RunnerProtocol.Result run(String request) throws EvaluationException {
        Process process;
        try {
            process = new ProcessBuilder("/bin/sh", "-c", command).start();
        } catch (IOException e) {
            throw new EvaluationException(who() + " could not be started (" + command + "): " + e.getMessage(), e);
        }
        Tail stdout = new Tail(process.getInputStream(), STDOUT_KEPT, "stdout");
        Tail stderr = new Tail(process.getErrorStream(), STDERR_KEPT, "stderr");
        try {
            try (OutputStream in = process.getOutputStream()) {
                in.write(request.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the runner closed its stdin or already exited: its exit code and output say why
            }
            boolean exited;
            try {
                exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                killTree(process);
                Thread.currentThread().interrupt();
                throw new EvaluationException(who() + " was interrupted (the runner was killed)", e);
            }
            if (!exited) {
                killTree(process);
                stderr.await();
                throw new EvaluationException(String.format(
                        Locale.ROOT,
                        "%s timed out after %s s and was killed%s",
                        who(),
                        seconds(timeout),
                        stderr.quote()));
            }
            stdout.await();
            stderr.await();
            int exit = process.exitValue();
            if (exit != 0) {
                throw new EvaluationException(who() + " exited with code " + exit + stderr.quote());
            }
            String line = stdout.lastNonEmptyLine();
            if (line == null) {
                throw new EvaluationException(
                        who() + " printed no result on stdout (expected a JSON line with latency_ms)" + stderr.quote());
            }
            try {
                return RunnerProtocol.parseResult(line);
            } catch (IllegalArgumentException e) {
                throw new EvaluationException(who() + " gave no usable result: " + e.getMessage() + stderr.quote(), e);
            }
        } finally {
            if (process.isAlive()) {
                killTree(process);
            }
        }
    }

    private static String seconds(Duration d) {
        double s = d.toMillis() / 1000.0;
        return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
    }

    /** Kills the process and every descendant (found before the parent dies and orphans them). */
    static void killTree(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        for (ProcessHandle h : descendants) {
            h.destroyForcibly();
        }
        process.destroyForcibly();
        try {
            process.waitFor(DRAIN_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Drains a stream on its own daemon thread, keeping only its last {@code keep} characters. */
    private static final class Tail {
        private final StringBuilder text = new StringBuilder();
        private final int keep;
        private final Thread thread;
        private volatile boolean truncated;

        Tail(InputStream stream, int keep, String name) {
            this.keep = keep;
            this.thread = new Thread(() -> drain(stream), "latency-runner-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        private void drain(InputStream stream) {
            char[] buffer = new char[8192];
            try (Reader reader = new InputStreamReader(stream, StandardCharsets.UTF_8)) {
                for (int n; (n = reader.read(buffer)) >= 0; ) {
                    synchronized (text) {
                        text.append(buffer, 0, n);
                        if (text.length() > 2 * keep) {
                            text.delete(0, text.length() - keep);
                            truncated = true;
                        }
                    }
                }
            } catch (IOException e) {
                // the stream was closed under us: keep what was read
            }
        }

        /** Waits (bounded) until the stream ends: a surviving grandchild may hold it open. */
        void await() {
            try {
                thread.join(DRAIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        String text() {
            synchronized (text) {
                return text.length() > keep ? text.substring(text.length() - keep) : text.toString();
            }
        }

        String lastNonEmptyLine() {
            String[] lines = text().split("\r?\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                if (!lines[i].isBlank()) {
                    return lines[i].strip();
                }
            }
            return null;
        }

        /** "; stderr: ..." with the last characters of stderr, or "" when it was empty. */
        String quote() {
            String s = text().strip();
            if (s.isEmpty()) {
                return "; stderr was empty";
            }
            boolean cut = truncated || s.length() > STDERR_QUOTED;
            if (s.length() > STDERR_QUOTED) {
                s = s.substring(s.length() - STDERR_QUOTED);
            }
            return "; stderr" + (cut ? " (last " + STDERR_QUOTED + " chars)" : "") + ": " + s.replace("\n", " | ");
        }
    }
}
