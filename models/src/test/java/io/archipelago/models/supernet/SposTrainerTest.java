package io.archipelago.models.supernet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Op;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPOS training at tiny sizes: determinism, resuming, untouched ops, checkpoint integrity. */
class SposTrainerTest {
    @org.junit.jupiter.api.BeforeAll
    static void oneThread() {
        NdThreads.configure(1); // ND4J's default (every core) makes these tiny ops many times slower on a busy machine
    }

    @TempDir
    Path dir;

    /** 48 random 8x8 grey images in 10 classes. */
    static ImageSet synthetic() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 48;
        float[] px = new float[n * 64];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(10);
            for (int k = 0; k < 64; k++) {
                px[i * 64 + k] = (float) (r.nextGaussian() + 0.1 * y[i]);
            }
        }
        return ImageSet.of(px, y, 1, 8, 10, "synthetic 48 grey 8x8");
    }

    static TrainingSpec spec(ImageSet data, long steps, long seed, boolean augment) {
        return new TrainingSpec(
                2, 1, 8, 10, 8, 0.025, 0.9, 5e-4, steps, data.size(), data.description(), seed, augment);
    }

    static Nb201Cell parse(String cell) {
        return io.archipelago.core.nb201.Nb201Space.INSTANCE.parse(cell);
    }

    static float[][] weights(SposSupernet net) {
        float[][] w = new float[net.weights().size()][];
        for (Weight x : net.weights()) {
            w[x.index()] = x.toFloatArray();
        }
        return w;
    }

    @Test
    void sameSeedSameWeightsAndOtherSeedOthers() {
        ImageSet data = synthetic();
        String a, b, c;
        try (SposTrainer t = SposTrainer.create(spec(data, 20, 1, true), data)) {
            t.train(8, null);
            a = t.supernet().weightsHashHex();
        }
        try (SposTrainer t = SposTrainer.create(spec(data, 20, 1, true), data)) {
            t.train(8, null);
            b = t.supernet().weightsHashHex();
        }
        try (SposTrainer t = SposTrainer.create(spec(data, 20, 2, true), data)) {
            t.train(8, null);
            c = t.supernet().weightsHashHex();
        }
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void resumedRunEqualsUninterruptedRun() throws IOException {
        ImageSet data = synthetic(); // 6 steps per epoch: the resumed part crosses an epoch boundary
        TrainingSpec spec = spec(data, 12, 3, true);
        float[][] straight;
        try (SposTrainer t = SposTrainer.create(spec, data)) {
            t.train(9, null);
            straight = weights(t.supernet());
        }
        Path file = dir.resolve("spos.ckpt");
        try (SposTrainer t = SposTrainer.create(spec, data)) {
            t.train(4, null);
            t.save(file);
        }
        try (SposTrainer t = SposTrainer.resume(file, data)) {
            assertEquals(4, t.step());
            t.train(5, null);
            float[][] resumed = weights(t.supernet());
            for (int i = 0; i < straight.length; i++) {
                assertArrayEquals(
                        straight[i],
                        resumed[i],
                        1e-6f,
                        t.supernet().weights().get(i).name());
            }
        }
    }

    @Test
    void opsThatDidNotRunStayUntouched() {
        ImageSet data = synthetic();
        try (SposTrainer t = SposTrainer.create(spec(data, 10, 4, false), data)) {
            SposSupernet net = t.supernet();
            Set<Integer> touched = new HashSet<>();
            for (int s = 0; s < 3; s++) {
                float[][] before = weights(net);
                Nb201Cell cell = SposTrainer.cellAt(4, t.step());
                t.trainStep();
                float[][] after = weights(net);
                int[] live = SposSupernet.liveEdges(cell);
                for (int p = 0; p < 3; p++) {
                    for (int e = 0; e < Nb201Cell.EDGES; e++) {
                        for (Nb201Op op : new Nb201Op[] {Nb201Op.NOR_CONV_1X1, Nb201Op.NOR_CONV_3X3}) {
                            Weight w = net.cellConv(p, e, op);
                            final int edge = e;
                            boolean ran = cell.op(e) == op
                                    && java.util.Arrays.stream(live).anyMatch(x -> x == edge);
                            boolean changed = !java.util.Arrays.equals(before[w.index()], after[w.index()]);
                            if (ran) {
                                touched.add(w.index());
                                assertTrue(
                                        changed,
                                        "step " + s + " cell " + cell + ": " + w.name() + " ran but did not change");
                            } else {
                                assertFalse(
                                        changed,
                                        "step " + s + " cell " + cell + ": " + w.name() + " changed without running");
                            }
                        }
                    }
                }
            }
            // momentum of ops that never ran is still zero
            SposCheckpoint cp = t.checkpoint();
            float[][] m = cp.momentumCopy();
            for (Weight w : net.weights()) {
                boolean zero = true;
                for (float v : m[w.index()]) {
                    zero &= v == 0f;
                }
                if (w.name().contains(".edge") && !touched.contains(w.index())) {
                    assertTrue(zero, w.name() + " has momentum without ever running");
                }
            }
        }
    }

    @Test
    void checkpointRoundTripsAndRefusesTampering() throws IOException {
        ImageSet data = synthetic();
        Path file = dir.resolve("a.ckpt");
        String hash;
        try (SposTrainer t = SposTrainer.create(spec(data, 10, 6, false), data)) {
            t.train(2, null);
            t.save(file);
            hash = t.supernet().weightsHashHex();
        }
        SposCheckpoint cp = SposCheckpoint.read(file);
        assertEquals(hash, cp.weightsHashHex());
        assertEquals(2, cp.step());
        assertEquals(spec(data, 10, 6, false), cp.spec());
        assertEquals(hash, cp.supernet().weightsHashHex());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }

        // change one weight value and fix the CRC: only the weights hash can notice
        byte[] bytes = Files.readAllBytes(file);
        int at = indexOf(bytes, "stem.conv".getBytes()) + "stem.conv".length() + 4 + 16 + 8; // a float of stem.conv
        bytes[at] ^= 0x10;
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        ByteBuffer.wrap(bytes).putLong(bytes.length - 8, crc.getValue());
        Path tampered = dir.resolve("tampered.ckpt");
        Files.write(tampered, bytes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> SposCheckpoint.read(tampered));
        assertTrue(e.getMessage().contains("weights hash mismatch"), e.getMessage());
        assertThrows(CheckpointException.class, () -> SposTrainer.resume(tampered, data));

        // a flipped bit without the CRC fixed, and a truncated file
        byte[] flipped = Files.readAllBytes(file);
        flipped[flipped.length / 2] ^= 1;
        Files.write(tampered, flipped);
        assertTrue(assertThrows(CheckpointException.class, () -> SposCheckpoint.read(tampered))
                .getMessage()
                .contains("checksum"));
        Files.write(tampered, java.util.Arrays.copyOf(flipped, flipped.length / 2));
        assertTrue(assertThrows(CheckpointException.class, () -> SposCheckpoint.read(tampered))
                .getMessage()
                .contains("truncated"));

        // other images than the checkpoint's
        ImageSet other = ImageSet.of(new float[48 * 64], new int[48], 1, 8, 10, "zeros");
        assertThrows(IllegalArgumentException.class, () -> SposTrainer.resume(file, other));
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (hay[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void cellsAreUniformAndAFunctionOfSeedAndStep() {
        int[] counts = new int[5];
        for (long s = 0; s < 2000; s++) {
            Nb201Cell c = SposTrainer.cellAt(9, s);
            assertEquals(c, SposTrainer.cellAt(9, s));
            for (int e = 0; e < 6; e++) {
                counts[c.op(e).ordinal()]++;
            }
        }
        for (int k : counts) {
            assertEquals(2400, k, 150);
        }
    }
}
