package io.archipelago.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's start deletes the Aeron directories that killed nodes left behind, and only those: a
 * live driver's directory, one too young to have a heartbeat yet, and other programs' directories
 * stay.
 */
class AeronDirectorySweepTest {

    private static Path dir(Path base, String name, boolean old) throws Exception {
        Path dir = Files.createDirectories(base.resolve(name));
        Files.writeString(dir.resolve("cnc.dat"), "not a CnC file");
        if (old) {
            Files.setLastModifiedTime(dir, FileTime.from(Instant.now().minus(AeronDirectory.STARTING.multipliedBy(2))));
        }
        return dir;
    }

    @Test
    void deadDriversDirectoriesGoTheRestStay(@TempDir Path base) throws Exception {
        Path dead = dir(base, "archipelago-aeron-0b1c", true);
        Path deadEmpty = Files.createDirectories(base.resolve("archipelago-aeron-25521"));
        Files.setLastModifiedTime(deadEmpty, FileTime.from(Instant.now().minusSeconds(3600)));
        Path young = dir(base, "archipelago-aeron-2f3d", false);
        Path someoneElses = dir(base, "aeron-root", true);
        Path live = base.resolve("archipelago-aeron-live");
        try (MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(live.toString())
                .threadingMode(ThreadingMode.SHARED)
                .termBufferSparseFile(true)
                .dirDeleteOnShutdown(true))) {
            Files.setLastModifiedTime(live, FileTime.from(Instant.now().minusSeconds(3600)));
            List<Path> deleted = AeronDirectory.sweepStale(base);
            assertEquals(
                    List.of(dead, deadEmpty).stream().sorted().toList(),
                    deleted.stream().sorted().toList());
            assertTrue(Files.exists(young) && Files.exists(someoneElses) && Files.exists(live));
            assertTrue(driver.aeronDirectoryName().endsWith("archipelago-aeron-live"));
        }
        assertEquals(List.of(), AeronDirectory.sweepStale(base.resolve("missing")));
    }
}
