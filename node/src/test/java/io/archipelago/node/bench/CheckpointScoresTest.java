package io.archipelago.node.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.node.bench.CheckpointScores.Score;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scores file a bench was killed in the middle of writing. */
class CheckpointScoresTest {
    private static final String A = "|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|";
    private static final String B = "|avg_pool_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|";

    @Test
    void aTornLastLineIsDroppedEvenWhenWhatIsLeftOfItParses(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("eval-step-00000004.csv");
        // B's line lost its newline and the end of its seconds: it would parse, but it is cut short.
        Files.writeString(
                file, CheckpointScores.HEADER + "\n" + A + ",0.5,1.25,1234,0.010000\n" + B + ",0.25,2.5,99,0.0");

        Map<String, Score> scores = CheckpointScores.read(file);

        assertEquals(Map.of(A, new Score(0.5, 1.25, 1234, 0.01)), scores);
        assertEquals(List.of(CheckpointScores.HEADER, A + ",0.5,1.25,1234,0.010000"), Files.readAllLines(file));
        assertTrue(Files.readString(file).endsWith("\n"), "appending goes on a line of its own");
    }

    @Test
    void aMissingFileStartsWithItsHeader(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("eval-step-00000001.csv");
        assertTrue(CheckpointScores.read(file).isEmpty());
        assertEquals(List.of(CheckpointScores.HEADER), Files.readAllLines(file));
    }
}
