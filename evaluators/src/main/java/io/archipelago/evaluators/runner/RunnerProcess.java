package io.archipelago.evaluators.runner;

import io.archipelago.evaluators.EvaluationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One run of an external runner program: started through {@code /bin/sh -c}, handed a request on
 * stdin (then stdin is closed), its stdout read line by line as it arrives and its stderr drained
 * into a bounded tail, all under one deadline. Shared by the latency runner (protocol 1) and the
 * command runner (protocol 2) so that both fail the same way, never with a stuck slot:
 *
 * <ul>
 *   <li>stdout and stderr are read on daemon threads while the runner runs, so a chatty runner
 *       cannot block on a full pipe; memory stays bounded (lines are cut at {@link #MAX_LINE}
 *       characters, at most {@link #QUEUED_LINES} wait to be read, stderr keeps its last 4 KiB);
 *   <li>past the deadline the runner is killed with all its descendants;
 *   <li>every failure ({@link #fail}) names the runner and quotes the end of its stderr.
 * </ul>
 *
 * <p>Use it in try-with-resources: {@link #close} kills a runner that is still running, e.g. after
 * a protocol error was found before the runner finished.
 */
public final class RunnerProcess implements AutoCloseable {
    /** Characters of stderr quoted in a failure. */
    public static final int STDERR_QUOTED = 500;
    /** Characters kept of one stdout line; the rest of a longer line is dropped and it is marked cut. */
    public static final int MAX_LINE = 64 * 1024;
    /** Lines read ahead of the caller; the reader blocks (and so does the runner's pipe) beyond. */
    static final int QUEUED_LINES = 64;

    private static final int STDERR_KEPT = 4 * 1024;
    /** How long the output drainers get to finish after the process is gone. */
    private static final long DRAIN_MILLIS = 2_000;
    /** How often the caller waiting for a line checks the deadline and whether the runner exited. */
    private static final long POLL_MILLIS = 50;
    /** Marks the end of stdout in the queue. */
    private static final Line END = new Line(-1, "", false, 0);

    /**
     * One line of stdout, without its line end.
     *
     * @param number 1-based, counting every line (free text too), for messages
     * @param cut the line was longer than {@link #MAX_LINE} and only its start is in {@code text}
     * @param seconds since the runner was started, when the line was read
     */
    public record Line(long number, String text, boolean cut, double seconds) {}

    private final String who;
    private final Duration timeout;
    private final Process process;
    private final long startNanos;
    private final long deadlineNanos;
    private final BlockingQueue<Line> lines = new ArrayBlockingQueue<>(QUEUED_LINES);
    private final Thread stdoutReader;
    private final Tail stderr;
    private boolean stdoutEnded;
    /** When the caller first saw the runner gone while stdout was still open; 0 while not seen. */
    private long goneSinceNanos;

    private RunnerProcess(String who, Duration timeout, Process process, long startNanos) {
        this.who = who;
        this.timeout = timeout;
        this.process = process;
        this.startNanos = startNanos;
        this.deadlineNanos = startNanos + timeout.toNanos();
        this.stdoutReader = new Thread(() -> readLines(process.getInputStream()), "runner-stdout");
        stdoutReader.setDaemon(true);
        stdoutReader.start();
        this.stderr = new Tail(process.getErrorStream(), STDERR_KEPT, "runner-stderr");
    }

    /**
     * Starts {@code command} with {@code /bin/sh -c} in this process's working directory and
     * environment, writes {@code request} on its stdin and closes it.
     *
     * @param who names the runner in every failure, e.g. {@code latency runner for device pi}
     * @param timeout from now until the runner must have exited
     * @throws EvaluationException when the shell cannot be started
     */
    public static RunnerProcess start(String who, String command, String request, Duration timeout)
            throws EvaluationException {
        long start = System.nanoTime();
        Process process;
        try {
            process = new ProcessBuilder("/bin/sh", "-c", command).start();
        } catch (IOException e) {
            throw new EvaluationException(who + " could not be started (" + command + "): " + e.getMessage(), e);
        }
        RunnerProcess runner = new RunnerProcess(who, timeout, process, start);
        try (OutputStream in = process.getOutputStream()) {
            in.write(request.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the runner closed its stdin or already exited: its exit code and output say why
        }
        return runner;
    }

    /**
     * The next line of stdout, waiting for it until the deadline.
     *
     * @return null once stdout has ended (or the runner has exited and a descendant still holds
     *     stdout open after {@value #DRAIN_MILLIS} ms)
     * @throws EvaluationException when the deadline passes (the runner is killed) or this thread
     *     is interrupted
     */
    public Line nextLine() throws EvaluationException {
        while (!stdoutEnded) {
            long now = System.nanoTime();
            if (now - deadlineNanos >= 0) {
                throw timedOut();
            }
            Line line;
            try {
                line = lines.poll(
                        Math.min(deadlineNanos - now, TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS)),
                        TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                throw interrupted(e);
            }
            if (line == END) {
                stdoutEnded = true;
            } else if (line != null) {
                return line;
            } else if (!process.isAlive()) {
                if (goneSinceNanos == 0) {
                    goneSinceNanos = now | 1;
                } else if (now - goneSinceNanos > TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS)) {
                    stdoutEnded = true;
                }
            }
        }
        return null;
    }

    /**
     * Waits, until the deadline, for the runner to exit, then (bounded) for the rest of its stderr.
     *
     * @throws EvaluationException when the deadline passes (the runner is killed) or this thread
     *     is interrupted
     */
    public int exitCode() throws EvaluationException {
        boolean exited;
        try {
            exited = process.waitFor(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            throw interrupted(e);
        }
        if (!exited) {
            throw timedOut();
        }
        stderr.await();
        return process.exitValue();
    }

    /** Seconds since the runner was started. */
    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /**
     * A failure of this runner: "WHO REASON; stderr: ...". A runner still running is killed first,
     * so that its stderr is complete and its slot is free.
     */
    public EvaluationException fail(String reason) {
        return fail(reason, null);
    }

    public EvaluationException fail(String reason, Throwable cause) {
        if (process.isAlive()) {
            killTree(process);
        }
        stderr.await();
        return new EvaluationException(who + " " + reason + stderr.quote(), cause);
    }

    /** Kills the runner with its descendants if it is still running; lets the stdout reader go. */
    @Override
    public void close() {
        if (process.isAlive()) {
            killTree(process);
        }
        // a reader blocked on a full queue that nobody reads any more
        stdoutReader.interrupt();
    }

    private EvaluationException timedOut() {
        return fail(String.format(Locale.ROOT, "timed out after %s s and was killed", seconds(timeout)));
    }

    private EvaluationException interrupted(InterruptedException e) {
        killTree(process);
        Thread.currentThread().interrupt();
        return new EvaluationException(who + " was interrupted (the runner was killed)", e);
    }

    /** Splits stdout into lines on this reader's thread, stamping each with when it was read. */
    private void readLines(InputStream stream) {
        char[] buffer = new char[8192];
        StringBuilder line = new StringBuilder();
        long number = 0;
        boolean cut = false;
        try (Reader reader = new InputStreamReader(stream, StandardCharsets.UTF_8)) {
            for (int n; (n = reader.read(buffer)) >= 0; ) {
                for (int i = 0; i < n; i++) {
                    char c = buffer[i];
                    if (c == '\n') {
                        lines.put(line(++number, line, cut));
                        line.setLength(0);
                        cut = false;
                    } else if (line.length() < MAX_LINE) {
                        line.append(c);
                    } else {
                        cut = true;
                    }
                }
            }
            if (!line.isEmpty()) {
                lines.put(line(++number, line, cut));
            }
            lines.put(END);
        } catch (IOException e) {
            // the stream was closed under us (the runner was killed): what was read stays read
            lines.offer(END);
        } catch (InterruptedException e) {
            // closed: nobody reads the lines any more
        }
    }

    private Line line(long number, StringBuilder text, boolean cut) {
        int end = text.length();
        if (end > 0 && text.charAt(end - 1) == '\r') {
            end--;
        }
        return new Line(number, text.substring(0, end), cut, (System.nanoTime() - startNanos) / 1e9);
    }

    private static String seconds(Duration d) {
        double s = d.toMillis() / 1000.0;
        return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
    }

    /**
     * Kills the process and every descendant. Descendants go first, found while the parent lives
     * (once it dies they are orphans, no longer its descendants); at least two rounds because a
     * shell may be starting a child as it is listed, or start the next one when its child dies.
     */
    public static void killTree(Process process) {
        for (int round = 0; round < 3; round++) {
            List<ProcessHandle> descendants = process.descendants().toList();
            if (descendants.isEmpty() && round > 0) {
                break;
            }
            for (ProcessHandle h : descendants) {
                h.destroyForcibly();
            }
        }
        process.destroyForcibly();
        try {
            process.waitFor(DRAIN_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code s}, cut to {@code max} characters with "..." when longer. */
    public static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }

    /** Drains a stream on its own daemon thread, keeping only its last {@code keep} characters. */
    private static final class Tail {
        private final StringBuilder text = new StringBuilder();
        private final int keep;
        private final Thread thread;
        private volatile boolean truncated;

        Tail(InputStream stream, int keep, String name) {
            this.keep = keep;
            this.thread = new Thread(() -> drain(stream), name);
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

        /** "; stderr: ..." with the last characters of stderr, or "; stderr was empty". */
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
