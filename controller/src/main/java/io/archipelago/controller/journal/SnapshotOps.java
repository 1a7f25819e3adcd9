package io.archipelago.controller.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The ops of a search's next snapshot, kept in a local file instead of the heap. A snapshot holds
 * every op of the search (strategies are rebuilt by replaying them: they are not serialisable), so
 * whoever takes one needs all the ops since the search began. Kept on the heap they were ~170 bytes
 * a result for as long as the search ran: a days-long search of millions of results held hundreds
 * of megabytes for a snapshot now and then. Here each step costs one write to a file, and the heap
 * holds the ops only while a snapshot is taken.
 *
 * <p>The file is a cache of what the journal holds, not a record: it is unlinked as soon as it is
 * open, so nothing is left behind whatever ends the process (kill -9 included), and a journal that
 * recovers writes it again from its snapshot and events.
 *
 * <p>Not thread-safe: the journal actor's.
 */
public final class SnapshotOps implements AutoCloseable {
    /** Room for the snapshot's other fields, within the largest array Java allocates. */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 64L * 1024;

    private final FileChannel file;
    private long size;

    private SnapshotOps(FileChannel file) {
        this.file = file;
    }

    /** A new, empty file in {@code directory}. */
    public static SnapshotOps open(Path directory) throws IOException {
        Path path = Files.createTempFile(directory, "archipelago-snapshot-ops-", ".bin");
        FileChannel file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            Files.delete(path);
        } catch (IOException cannotUnlinkOpenFile) { // not on Linux: left to the JVM's exit
            path.toFile().deleteOnExit();
        }
        return new SnapshotOps(file);
    }

    /** The ops of a step (its body, as {@link StepWriter} drains it), after those appended so far. */
    public void append(byte[] stepBody) throws IOException {
        if (size + stepBody.length > MAX_BYTES) {
            throw new IOException("a snapshot of more than " + MAX_BYTES + " bytes of ops");
        }
        ByteBuffer ops = ByteBuffer.wrap(StepWriter.snapshotOps(stepBody));
        while (ops.hasRemaining()) {
            size += file.write(ops, size);
        }
    }

    /** Every op appended, as {@link EncodedSnapshot#ops()} wants them. */
    public byte[] readAll() throws IOException {
        ByteBuffer all = ByteBuffer.allocate((int) size);
        while (all.hasRemaining()) {
            if (file.read(all, all.position()) < 0) {
                throw new IOException("the snapshot's ops file ended at " + all.position() + " of " + size + " bytes");
            }
        }
        return all.array();
    }

    /** Bytes appended so far. */
    public long size() {
        return size;
    }

    /** Forgets every op appended (a snapshot read on recovery replaces them). */
    public void clear() throws IOException {
        file.truncate(0);
        size = 0;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
