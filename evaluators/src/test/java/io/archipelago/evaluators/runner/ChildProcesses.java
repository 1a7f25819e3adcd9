package io.archipelago.evaluators.runner;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;

/** The processes a killed runner leaves behind, as the runner tests check them. */
public final class ChildProcesses {
    private ChildProcesses() {}

    /** Fails unless the process whose pid {@code pidFile} holds is gone within a second (a kill is asynchronous). */
    public static void assertGone(Path pidFile) throws Exception {
        long child = Long.parseLong(Files.readString(pidFile).strip());
        for (int i = 0; i < 50 && running(child); i++) {
            Thread.sleep(20);
        }
        assertFalse(running(child), "the runner's child " + child + " survived");
    }

    /** Alive and not a zombie (a killed orphan stays one until the init process reaps it). */
    private static boolean running(long pid) throws Exception {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        Path stat = Path.of("/proc/" + pid + "/stat");
        if (!Files.exists(stat)) {
            return true; // not Linux: trust isAlive
        }
        try {
            String s = Files.readString(stat);
            return s.charAt(s.lastIndexOf(')') + 2) != 'Z';
        } catch (java.io.IOException e) {
            return false; // gone meanwhile
        }
    }
}
