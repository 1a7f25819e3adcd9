package io.archipelago.models.supernet;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * A snapshot of a SPOS training run: its {@link TrainingSpec}, the step reached, every weight and
 * the optimizer's momentum buffers. Format version 1 (all numbers big-endian, strings as Java's
 * modified UTF-8 with a 2-byte length, i.e. {@link DataOutputStream#writeUTF}); the full
 * specification is {@code models/SPOS_CHECKPOINT.md}:
 *
 * <pre>
 *   bytes[8]  magic "ARCHSPOS"
 *   int32     format version (1)
 *   spec      int32 channels, int32 cells, int32 imageSize, int32 classes, int32 batch,
 *             float64 learningRate, float64 momentum, float64 weightDecay, int64 totalSteps,
 *             int32 trainImages, utf data, int64 seed, uint8 augment (0|1)
 *   int64     step (steps done)
 *   bytes[32] weights hash: SHA-256 as {@link SposSupernet#weightsHash()}
 *   int32     number of weight tensors T
 *   T times   utf name, int32 rank, int32[rank] shape, float32[size] values, float32[size] momentum
 *   int64     CRC-32 of every byte before it
 * </pre>
 *
 * Reading verifies the magic, the version, the CRC (truncation, bit rot) and the weights hash, and
 * refuses the file with a {@link CheckpointException} saying which check failed. Writing goes to a
 * temporary file in the same directory, forced to disk, then moved over the target atomically.
 */
public final class SposCheckpoint {
    public static final int FORMAT_VERSION = 1;
    private static final byte[] MAGIC = "ARCHSPOS".getBytes(StandardCharsets.US_ASCII);

    private final TrainingSpec spec;
    private final long step;
    private final List<String> names;
    private final List<int[]> shapes;
    private final float[][] weights;
    private final float[][] momentum;
    private final byte[] weightsHash;

    private SposCheckpoint(
            TrainingSpec spec,
            long step,
            List<String> names,
            List<int[]> shapes,
            float[][] weights,
            float[][] momentum) {
        this.spec = spec;
        this.step = step;
        this.names = List.copyOf(names);
        this.shapes = shapes;
        this.weights = weights;
        this.momentum = momentum;
        this.weightsHash = hash(names, shapes, weights);
    }

    static SposCheckpoint of(TrainingSpec spec, long step, SposSupernet net, float[][] momentum) {
        List<String> names = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        float[][] w = new float[net.weights().size()][];
        float[][] m = new float[w.length][];
        for (Weight x : net.weights()) {
            names.add(x.name());
            shapes.add(x.shape());
            w[x.index()] = x.toFloatArray();
            m[x.index()] = momentum[x.index()].clone();
        }
        return new SposCheckpoint(spec, step, names, shapes, w, m);
    }

    public TrainingSpec spec() {
        return spec;
    }

    /** Steps done when the snapshot was taken. */
    public long step() {
        return step;
    }

    /** SHA-256 over the weights, as {@link SposSupernet#weightsHash()} of {@link #supernet()}. */
    public byte[] weightsHash() {
        return weightsHash.clone();
    }

    public String weightsHashHex() {
        return HexFormat.of().formatHex(weightsHash);
    }

    /** A new float supernet holding these weights (for evaluation, or to resume training). */
    public SposSupernet supernet() {
        SposSupernet net = SposSupernet.create(spec.shape(), Precision.FLOAT, spec.seed());
        List<Weight> ws = net.weights();
        if (ws.size() != names.size()) {
            throw new CheckpointException(
                    "checkpoint holds " + names.size() + " weight tensors, the supernet of its spec " + ws.size());
        }
        for (Weight w : ws) {
            int i = w.index();
            if (!w.name().equals(names.get(i)) || !Arrays.equals(w.shape(), shapes.get(i))) {
                throw new CheckpointException("checkpoint tensor " + i + " is " + names.get(i)
                        + Arrays.toString(shapes.get(i)) + ", the supernet expects " + w);
            }
            System.arraycopy(weights[i], 0, w.f, 0, w.size());
            w.pushToDevice();
        }
        return net;
    }

    float[][] momentumCopy() {
        float[][] m = new float[momentum.length][];
        for (int i = 0; i < m.length; i++) {
            m[i] = momentum[i].clone();
        }
        return m;
    }

    static byte[] hash(List<String> names, List<int[]> shapes, float[][] values) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (int t = 0; t < names.size(); t++) {
            sha.update(names.get(t).getBytes(StandardCharsets.UTF_8));
            int[] dims = shapes.get(t);
            java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(4 * (dims.length + 1));
            head.putInt(dims.length);
            for (int s : dims) {
                head.putInt(s);
            }
            sha.update(head.array());
            java.nio.ByteBuffer v = java.nio.ByteBuffer.allocate(4 * values[t].length);
            v.asFloatBuffer().put(values[t]);
            sha.update(v.array());
        }
        return sha.digest();
    }

    // ------------------------------------------------------------------ writing

    /** Writes the checkpoint to {@code file} atomically (temporary file, fsync, atomic move). */
    public void write(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                CRC32 crc = new CRC32();
                DataOutputStream body = new DataOutputStream(new CheckedOutputStream(raw, crc));
                writeBody(body);
                body.flush();
                new DataOutputStream(raw).writeLong(crc.getValue());
            }
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void writeBody(DataOutputStream out) throws IOException {
        out.write(MAGIC);
        out.writeInt(FORMAT_VERSION);
        out.writeInt(spec.channels());
        out.writeInt(spec.cells());
        out.writeInt(spec.imageSize());
        out.writeInt(spec.classes());
        out.writeInt(spec.batch());
        out.writeDouble(spec.learningRate());
        out.writeDouble(spec.momentum());
        out.writeDouble(spec.weightDecay());
        out.writeLong(spec.totalSteps());
        out.writeInt(spec.trainImages());
        out.writeUTF(spec.data());
        out.writeLong(spec.seed());
        out.writeByte(spec.augment() ? 1 : 0);
        out.writeLong(step);
        out.write(weightsHash);
        out.writeInt(names.size());
        for (int t = 0; t < names.size(); t++) {
            out.writeUTF(names.get(t));
            int[] dims = shapes.get(t);
            out.writeInt(dims.length);
            for (int s : dims) {
                out.writeInt(s);
            }
            for (float v : weights[t]) {
                out.writeFloat(v);
            }
            for (float v : momentum[t]) {
                out.writeFloat(v);
            }
        }
    }

    // ------------------------------------------------------------------ reading

    /** Reads and verifies a checkpoint; a {@link CheckpointException} names the check that failed. */
    public static SposCheckpoint read(Path file) throws IOException {
        CRC32 crc = new CRC32();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc));
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new CheckpointException(file + " is not a SPOS checkpoint (bad magic)");
            }
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new CheckpointException(file + ": checkpoint format version " + version
                        + ", this build reads version " + FORMAT_VERSION);
            }
            TrainingSpec spec;
            try {
                spec = new TrainingSpec(
                        in.readInt(),
                        in.readInt(),
                        in.readInt(),
                        in.readInt(),
                        in.readInt(),
                        in.readDouble(),
                        in.readDouble(),
                        in.readDouble(),
                        in.readLong(),
                        in.readInt(),
                        in.readUTF(),
                        in.readLong(),
                        in.readByte() != 0);
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(file + ": invalid training spec: " + e.getMessage(), e);
            }
            long step = in.readLong();
            byte[] storedHash = in.readNBytes(32);
            int count = in.readInt();
            if (count < 0 || count > 100_000) {
                throw new CheckpointException(file + ": corrupt checkpoint (" + count + " weight tensors)");
            }
            List<String> names = new ArrayList<>();
            List<int[]> shapes = new ArrayList<>();
            float[][] weights = new float[count][];
            float[][] momentum = new float[count][];
            for (int t = 0; t < count; t++) {
                names.add(in.readUTF());
                int rank = in.readInt();
                if (rank < 0 || rank > 8) {
                    throw new CheckpointException(
                            file + ": corrupt checkpoint (tensor " + names.get(t) + " of rank " + rank + ")");
                }
                int[] dims = new int[rank];
                long size = 1;
                for (int r = 0; r < rank; r++) {
                    dims[r] = in.readInt();
                    size *= dims[r];
                    if (dims[r] < 0 || size > Integer.MAX_VALUE / 4) {
                        throw new CheckpointException(file + ": corrupt checkpoint (tensor " + names.get(t)
                                + " of shape " + Arrays.toString(dims) + ")");
                    }
                }
                shapes.add(dims);
                weights[t] = readFloats(in, (int) size);
                momentum[t] = readFloats(in, (int) size);
            }
            long expectedCrc = crc.getValue();
            long storedCrc = new DataInputStream(raw).readLong();
            if (storedCrc != expectedCrc) {
                throw new CheckpointException(file + ": checksum mismatch (file corrupt)");
            }
            if (raw.read() != -1) {
                throw new CheckpointException(file + ": trailing bytes after the checkpoint");
            }
            SposCheckpoint cp = new SposCheckpoint(spec, step, names, shapes, weights, momentum);
            if (!Arrays.equals(cp.weightsHash, storedHash)) {
                throw new CheckpointException(file + ": weights hash mismatch: stored "
                        + HexFormat.of().formatHex(storedHash) + ", weights hash to " + cp.weightsHashHex()
                        + " (file corrupt or edited)");
            }
            return cp;
        } catch (EOFException e) {
            throw new CheckpointException(file + ": truncated checkpoint", e);
        }
    }

    private static float[] readFloats(DataInputStream in, int n) throws IOException {
        byte[] bytes = in.readNBytes(4 * n);
        if (bytes.length != 4 * n) {
            throw new EOFException();
        }
        float[] out = new float[n];
        java.nio.ByteBuffer.wrap(bytes).asFloatBuffer().get(out);
        return out;
    }
}
