package io.archipelago.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * An {@code archipelago} command in its own JVM (the test class path, the launcher's JVM flags),
 * with stdout and stderr in a log file: a real cluster node that a test can SIGTERM or kill -9.
 */
final class ChildJvm implements AutoCloseable {
    /** What the {@code archipelago} launcher passes for Aeron on Java 17. */
    static final List<String> JVM_FLAGS = List.of(
            "--add-opens",
            "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens",
            "java.base/java.nio=ALL-UNNAMED",
            "-Xmx384m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");

    final String name;
    final Path log;
    final Process process;

    private ChildJvm(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    static ChildJvm start(Path dir, String name, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(JVM_FLAGS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        Path log = dir.resolve(name + ".log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new ChildJvm(name, log, process);
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void awaitLog(String text, Duration timeout) throws InterruptedException {
        await(() -> log().contains(text), timeout, name + " did not log '" + text + "'");
    }

    /** SIGTERM: the node's coordinated shutdown. */
    void terminate() {
        process.destroy();
    }

    /** SIGKILL: the node dies on the spot, as with kill -9. */
    /**
     * kill -9 of a cluster node on {@code port}; once it is dead its Aeron directory (~200 MB of
     * /dev/shm, which a killed node cannot delete) is removed, so repeated test runs do not fill memory.
     */
    void killNode(int port) throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        io.archipelago.node.cluster.AeronDirectory.release(io.archipelago.node.cluster.AeronDirectory.forPort(port));
    }

    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not exit within " + timeout + "; its log:\n" + tail());
        }
        return process.exitValue();
    }

    String tail() {
        String text = log();
        return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void await(BooleanSupplier condition, Duration timeout, String failure) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure + " within " + timeout);
            }
            Thread.sleep(100);
        }
    }
}
