package io.archipelago.evaluators.runner;

import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.EvaluationException;
import io.archipelago.evaluators.Evaluator;
import io.archipelago.evaluators.Progress;
import io.archipelago.proto.Architecture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Any metrics from the user's own program, e.g. a training script: the configured command runs
 * through {@code /bin/sh -c} once per candidate, gets one JSON request on stdin and reports on
 * stdout, intermediate lines (a learning curve) as it goes and a final line with the metrics last
 * ({@link CommandRunnerProtocol}, runners/README.md "Protocol 2").
 *
 * <p>Lines are parsed as they arrive, not after the runner exits, so that a learning curve can be
 * acted on while the runner trains, and a broken protocol line stops the runner at once instead of
 * after hours of training. Never a stuck slot ({@link RunnerProcess}): the runner is killed with its
 * descendants past the timeout, output is read with bounded memory, and every failure names what
 * was wrong with the end of stderr quoted. Runs are not serialised here: the number of slots decides
 * how many run at once.
 */
public final class CommandRunnerEvaluator implements Evaluator {
    /** The kind the command line wires this evaluator as, unless told otherwise. */
    public static final String DEFAULT_KIND = "runner";
    /** More intermediate lines than this are refused: a runaway runner must not exhaust memory. */
    public static final int MAX_INTERMEDIATES = 10_000;

    private final String kind;
    private final String command;
    private final Duration timeout;

    /**
     * @param kind the pool this evaluator serves, usually {@link #DEFAULT_KIND}
     * @param command run with {@code /bin/sh -c}, in this process's working directory and environment
     * @param timeout per candidate, from start until the runner has exited
     */
    public CommandRunnerEvaluator(String kind, String command, Duration timeout) {
        if (kind == null || kind.isBlank()) {
            throw new IllegalArgumentException("the runner evaluator's kind is empty");
        }
        if (command == null || command.isBlank()) {
            throw new IllegalArgumentException("the runner command is empty");
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("the runner timeout must be positive, got " + timeout);
        }
        this.kind = kind;
        this.command = command;
        this.timeout = timeout;
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public Evaluation evaluate(Architecture architecture, int fidelity) throws EvaluationException {
        return evaluate(architecture, fidelity, Progress.IGNORED);
    }

    /**
     * Each intermediate line goes to {@code progress} as it is read; when it answers stop, the
     * runner is killed and the result is that line's metrics (label {@code stopped_at_step}).
     */
    @Override
    public Evaluation evaluate(Architecture architecture, int fidelity, Progress progress) throws EvaluationException {
        long start = System.nanoTime();
        String who = "runner \"" + RunnerProcess.abbreviate(command, 80) + "\"";
        Run run;
        try (RunnerProcess runner =
                RunnerProcess.start(who, command, CommandRunnerProtocol.request(architecture, fidelity), timeout)) {
            run = new Run(runner, progress);
            for (RunnerProcess.Line line; !run.stopped && (line = runner.nextLine()) != null; ) {
                run.read(line);
            }
            if (!run.stopped) {
                run.finish();
            }
        } // closing kills a runner that was stopped
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, Double> metrics;
        if (run.stopped) {
            Evaluation.Intermediate last = run.curve.get(run.curve.size() - 1);
            metrics = last.metrics();
            labels.put(Evaluation.STOPPED_AT_STEP, Integer.toString(last.step()));
        } else {
            metrics = run.result.metrics();
            labels.putAll(run.result.labels());
        }
        labels.put("runner", RunnerProcess.abbreviate(command, 200));
        return new Evaluation(metrics, (System.nanoTime() - start) / 1e9, labels, run.curve);
    }

    /** One candidate's run: its stdout read line by line as it arrives. */
    private final class Run {
        private final RunnerProcess runner;
        private final Progress progress;
        private final List<Evaluation.Intermediate> curve = new ArrayList<>();
        private CommandRunnerProtocol.Report result;
        private long resultLine;
        /** A scheduler stopped it at its last intermediate. */
        private boolean stopped;

        Run(RunnerProcess runner, Progress progress) {
            this.runner = runner;
            this.progress = progress;
        }

        void read(RunnerProcess.Line line) throws EvaluationException {
            if (!CommandRunnerProtocol.isProtocolLine(line.text())) {
                return; // free text: the runner's logs
            }
            String where = "stdout line " + line.number();
            if (result != null) {
                throw runner.fail("printed " + where + " after its final line (stdout line " + resultLine
                        + ", without a step); the final line must be the last JSON line");
            }
            if (line.cut()) {
                throw runner.fail("printed " + where + " longer than " + RunnerProcess.MAX_LINE + " characters");
            }
            CommandRunnerProtocol.Report report;
            try {
                report = CommandRunnerProtocol.parse(line.text());
            } catch (IllegalArgumentException e) {
                throw runner.fail("printed a bad protocol line: " + where + " " + e.getMessage(), e);
            }
            if (report.isFinal()) {
                result = report;
                resultLine = line.number();
                return;
            }
            if (!curve.isEmpty()) {
                int previous = curve.get(curve.size() - 1).step();
                if (report.step() <= previous) {
                    throw runner.fail("printed step " + report.step() + " on " + where + " after step " + previous
                            + "; steps must increase");
                }
            }
            if (curve.size() == MAX_INTERMEDIATES) {
                throw runner.fail("printed more than " + MAX_INTERMEDIATES + " intermediate lines (" + where
                        + "); report at most one per epoch or so");
            }
            double elapsed = report.elapsedSeconds() != null ? report.elapsedSeconds() : line.seconds();
            onIntermediate(new Evaluation.Intermediate(report.step(), report.metrics(), elapsed));
        }

        /** After stdout ended: the runner must exit 0 having printed its final line. */
        void finish() throws EvaluationException {
            int exit = runner.exitCode();
            if (exit != 0) {
                throw runner.fail("exited with code " + exit);
            }
            if (result == null) {
                throw runner.fail("printed no final line on stdout (expected {\"metrics\": {\"NAME\": number, ...}} as"
                        + " its last JSON line"
                        + (curve.isEmpty() ? "" : ", after " + curve.size() + " intermediate lines") + ")");
            }
        }

        /** One point of the learning curve, as soon as it was read: followers may stop the run here. */
        private void onIntermediate(Evaluation.Intermediate point) {
            curve.add(point);
            stopped = !progress.report(point.step(), point.metrics());
        }
    }
}
