package io.archipelago.node.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node of the soak, as its own JVM ({@code archipelago node ...} on this JVM's class path),
 * through its incarnations: each start is a new process on a new port (a killed node's port may
 * still be held), its output in {@code <name>-<incarnation>.log}. Not thread-safe: the soak's.
 */
final class SoakNode {
    /** What a node holds, sampled after a full GC: heap used, native memory (NMT, heap excluded), resident. */
    record Memory(double minute, long heapUsedKb, long nativeKb, long rssKb) {}

    private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K");
    private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB");
    private static final Pattern NMT_HEAP = Pattern.compile("Java Heap \\(reserved=\\d+KB, committed=(\\d+)KB\\)");

    final String name;
    private final List<String> nodeArgs;
    private final Path logs;
    private final Ports ports;

    private Process process;
    private int port;
    private int incarnation;
    private long startedAtNanos;
    /** This incarnation's samples: at its 5th minute, at the soak's end. */
    final List<Memory> samples = new ArrayList<>();

    /** Hands out ports: a node never reuses one (the kernel may still hold a killed node's). */
    interface Ports {
        int next();
    }

    SoakNode(String name, List<String> nodeArgs, Path logs, Ports ports) {
        this.name = name;
        this.nodeArgs = List.copyOf(nodeArgs);
        this.logs = logs;
        this.ports = ports;
    }

    /** Starts a new incarnation that joins through {@code seeds} (none: it is the first seed). */
    void start(String seeds) throws IOException {
        port = ports.next();
        incarnation++;
        samples.clear();
        List<String> command = archipelago(
                List.of("-XX:NativeMemoryTracking=summary"),
                "node",
                "--port",
                Integer.toString(port),
                "--transport",
                "tcp");
        if (seeds != null && !seeds.isEmpty()) {
            command.add("--seed-nodes");
            command.add(seeds);
        }
        command.addAll(nodeArgs);
        Path log = logs.resolve(name + "-" + incarnation + ".log");
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        startedAtNanos = System.nanoTime();
    }

    /**
     * An {@code archipelago} command line on this JVM's class path, with the flags the launcher
     * gives (Aeron's opened packages, JavaCPP's limits off) and {@code jvmFlags} before them.
     */
    static List<String> archipelago(List<String> jvmFlags, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(List.of(
                "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0",
                "-Dorg.bytedeco.javacpp.maxBytes=0",
                "--add-opens",
                "java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens",
                "java.base/java.nio=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "io.archipelago.node.Main"));
        command.addAll(List.of(args));
        return command;
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    int port() {
        return port;
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    int incarnation() {
        return incarnation;
    }

    long pid() {
        return process.pid();
    }

    /** Minutes this incarnation has run. */
    double minutes() {
        return (System.nanoTime() - startedAtNanos) / 60e9;
    }

    /** kill -9. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then waits for the exit (the node drains first); its exit code, or -1 if it did not exit in time. */
    int terminate(long seconds) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            return -1;
        }
        return process.exitValue();
    }

    /** Samples this incarnation's memory (a full GC first: heap after GC), with jcmd; null if it cannot be read. */
    Memory sample() throws IOException, InterruptedException {
        if (!alive()) {
            return null;
        }
        jcmd("GC.run");
        String heap = jcmd("GC.heap_info");
        String nmt = jcmd("VM.native_memory", "summary");
        Matcher used = HEAP_USED.matcher(heap);
        Matcher total = NMT_TOTAL.matcher(nmt);
        Matcher javaHeap = NMT_HEAP.matcher(nmt);
        if (!used.find() || !total.find() || !javaHeap.find()) {
            return null;
        }
        long rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        Memory memory = new Memory(
                minutes(),
                Long.parseLong(used.group(1)),
                Long.parseLong(total.group(1)) - Long.parseLong(javaHeap.group(1)),
                rss);
        samples.add(memory);
        return memory;
    }

    private String jcmd(String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid())));
        args.addAll(List.of(command));
        Process jcmd = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes());
        jcmd.waitFor(60, TimeUnit.SECONDS);
        return out;
    }
}
