package io.archipelago.controller.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.archipelago.proto.CandidatesAsked;
import io.archipelago.proto.SearchSnapshot;
import io.archipelago.proto.StepOp;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotOpsTest {
    @TempDir
    Path dir;

    private static StepOp asked(int count) {
        return StepOp.newBuilder()
                .setAsked(CandidatesAsked.newBuilder().setCount(count))
                .build();
    }

    @Test
    void holdsEveryStepAsTheSnapshotsOpsAndLeavesNoFile() throws Exception {
        List<StepOp> all = new ArrayList<>();
        try (SnapshotOps ops = SnapshotOps.open(dir)) {
            assertEquals(List.of(), list(dir), "the file is unlinked as soon as it is open");
            for (int step = 1; step <= 50; step++) {
                List<StepOp> stepOps = List.of(asked(step), asked(step + 1000));
                all.addAll(stepOps);
                ops.append(StepWriter.step(stepOps));
            }
            byte[] read = ops.readAll();
            assertEquals(read.length, ops.size());
            assertEquals(all, SearchSnapshot.parseFrom(read).getOpsList());
            assertArrayEquals(read, ops.readAll(), "reading does not consume");

            ops.clear();
            assertEquals(0, ops.readAll().length);
            ops.append(StepWriter.step(List.of(asked(7))));
            assertEquals(
                    List.of(asked(7)), SearchSnapshot.parseFrom(ops.readAll()).getOpsList());
            ops.close();
            assertThrows(ClosedChannelException.class, () -> ops.append(StepWriter.step(List.of(asked(8)))));
        }
    }

    @Test
    void aDirectoryThatCannotHoldItIsAnIoError() {
        assertThrows(IOException.class, () -> SnapshotOps.open(dir.resolve("missing")));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.toList();
        }
    }
}
