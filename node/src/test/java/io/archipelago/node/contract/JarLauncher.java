package io.archipelago.node.contract;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code archipelago} commands as the {@code ./archipelago} launcher does: {@code java} with
 * the launcher's flags, {@code -jar} the shaded jar, the arguments. Each process runs in the
 * workspace, with stdout and stderr in files (no pipe can fill up and block it).
 */
final class JarLauncher {
    /** The flags of the {@code ./archipelago} launcher script: keep them in step with it. */
    static final List<String> LAUNCHER_FLAGS = List.of(
            "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0",
            "-Dorg.bytedeco.javacpp.maxBytes=0",
            "--add-opens",
            "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens",
            "java.base/java.nio=ALL-UNNAMED");

    /** Keeps the many short JVMs light on a 2-core machine: a small heap, no parallel GC threads, no C2 compiles. */
    static final List<String> LIGHT_JVM = List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final Path jar;
    private final Path workDir;
    private final Path logs;
    private int started;

    JarLauncher(Path jar, Path workDir) throws IOException {
        this.jar = jar;
        this.workDir = workDir;
        this.logs = Files.createDirectories(workDir.resolve("logs"));
    }

    /** A process that has ended (or was killed at its deadline). */
    record Finished(List<String> args, int exit, String stdout, String stderr, Duration took, boolean timedOut) {
        String lastStdoutLine() {
            List<String> lines = stdout.strip().lines().toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }

        List<String> stderrLines() {
            return stderr.strip().lines().filter(line -> !line.isBlank()).toList();
        }

        String stdoutTail() {
            return tail(stdout);
        }

        /** What a failure message shows of the process: stderr's start (the first error) and end (the last word). */
        String describe() {
            return "archipelago " + String.join(" ", args) + "\n  exit " + exit
                    + (timedOut ? " (killed at its deadline)" : "") + " after " + took.toMillis() / 1000.0
                    + " s\n  stdout: " + tail(stdout) + "\n  stderr: " + headAndTail(stderr);
        }

        private static String tail(String text) {
            String stripped = text.strip();
            return stripped.length() > 3000 ? "..." + stripped.substring(stripped.length() - 3000) : stripped;
        }

        private static String headAndTail(String text) {
            String stripped = text.strip();
            return stripped.length() > 3000
                    ? stripped.substring(0, 1500) + "\n...\n" + stripped.substring(stripped.length() - 1500)
                    : stripped;
        }
    }

    /** A long-lived command (a node) running in the background. */
    static final class Running implements AutoCloseable {
        final List<String> args;
        final Process process;
        private final Path stdout;
        private final Path stderr;
        private final long startNanos = System.nanoTime();

        private Running(List<String> args, Process process, Path stdout, Path stderr) {
            this.args = args;
            this.process = process;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        /** Waits until stdout holds {@code text}; fails at once if the process ends first. */
        void awaitStdout(String text, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!read(stdout).contains(text)) {
                if (!process.isAlive()) {
                    throw new AssertionError("it ended before printing '" + text + "': "
                            + snapshot(false).describe());
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("it did not print '" + text + "' within " + timeout + ": "
                            + snapshot(false).describe());
                }
                Thread.sleep(200);
            }
        }

        /**
         * SIGTERM ({@link Process#destroy()} on Linux), then waits for the exit; the tree is killed if
         * it outlives the wait. The result's time is from the signal to the exit.
         */
        Finished terminate(Duration within) throws InterruptedException {
            long signalled = System.nanoTime();
            process.destroy();
            boolean exited = process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                killTree(process);
            }
            return snapshot(!exited, signalled);
        }

        /** The process as it is now: exit -1 while it runs. */
        private Finished snapshot(boolean timedOut, long sinceNanos) {
            int exit = process.isAlive() ? -1 : process.exitValue();
            return new Finished(
                    args, exit, read(stdout), read(stderr), Duration.ofNanos(System.nanoTime() - sinceNanos), timedOut);
        }

        private Finished snapshot(boolean timedOut) {
            return snapshot(timedOut, startNanos);
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                try {
                    killTree(process);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Runs a command to its end, or kills it with all its children at the deadline: a hang is a failure, not a stuck build. */
    Finished run(List<String> args, Map<String, String> env, String stdin, Duration timeout)
            throws IOException, InterruptedException {
        Running running = start(args, env, stdin);
        boolean exited = running.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            killTree(running.process);
        }
        return running.snapshot(!exited);
    }

    Running start(List<String> args, Map<String, String> env, String stdin) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(LAUNCHER_FLAGS);
        command.addAll(LIGHT_JVM);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        int number = ++started;
        Path stdout = logs.resolve(number + ".out");
        Path stderr = logs.resolve(number + ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } // closed: a command that reads stdin sees its end instead of waiting
        return new Running(args, process, stdout, stderr);
    }

    /** SIGKILL to the process and everything it started (a device runner's JVM, say), children first. */
    private static void killTree(Process process) throws InterruptedException {
        List<ProcessHandle> descendants =
                process.descendants().toList(); // before the parent dies and they are re-parented
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    private static String read(Path file) {
        try {
            // Bytes, not readString: a file still being written may end in the middle of a character.
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
