package io.archipelago.predictors.nao;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident set size, from Linux's {@code /proc/self/status}: it counts the off-heap
 * memory native libraries hold, which the JVM's own memory figures do not see.
 */
final class ResidentMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ResidentMemory() {}

    static boolean available() {
        return Files.isReadable(STATUS);
    }

    /** VmRSS in MB, after a collection so that garbage the GC could return does not count. */
    static double megabytes() {
        System.gc();
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException(STATUS + " has no VmRSS line");
    }
}
