package io.archipelago.controller.journal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.archipelago.proto.JournalEvent;
import io.archipelago.proto.SearchSnapshot;
import io.archipelago.proto.StepOp;
import java.io.NotSerializableException;
import java.util.List;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Writes a search's journal events and snapshots as Protobuf ({@code proto/.../journal.proto}; the
 * steps, nearly all of a journal's bytes, come encoded by the controller: {@link EncodedStep}, and
 * snapshots are made of those bytes: {@link EncodedSnapshot}) under
 * a manifest that carries the journal format, e.g. {@code event-v2}; reading turns format 2's
 * compact results back into what they were ({@link StepReader}). Reading refuses, by
 * name, a format newer than {@link #FORMAT}, and bytes that do not decode: recovery then fails
 * before anything is written.
 */
public final class JournalSerializer extends SerializerWithStringManifest {
    /**
     * The journal format this Archipelago writes and the newest it reads: 2 writes results compactly
     * ({@link StepWriter}); 1 is still read.
     */
    public static final int FORMAT = 2;
    /** Fixed: Pekko stores it beside each event (ids up to 40 are Pekko's own). */
    public static final int IDENTIFIER = 20_201;

    private static final String EVENT = "event-v";
    private static final String SNAPSHOT = "snapshot-v";

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public String manifest(Object o) {
        if (o instanceof JournalEvent || o instanceof EncodedStep) {
            return EVENT + FORMAT;
        }
        if (o instanceof EncodedSnapshot) {
            return SNAPSHOT + FORMAT;
        }
        throw new IllegalArgumentException(
                "not a journal record: " + o.getClass().getName());
    }

    @Override
    public byte[] toBinary(Object o) {
        if (o instanceof EncodedStep step) {
            return StepWriter.event(step);
        }
        if (o instanceof JournalEvent event) {
            return event.toByteArray();
        }
        if (o instanceof EncodedSnapshot snapshot) {
            return StepWriter.snapshot(snapshot);
        }
        throw new IllegalArgumentException(
                "not a journal record: " + o.getClass().getName());
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        boolean event = manifest.startsWith(EVENT);
        if (!event && !manifest.startsWith(SNAPSHOT)) {
            throw new NotSerializableException("not an Archipelago journal record (manifest '" + manifest + "')");
        }
        int format;
        try {
            format = Integer.parseInt(manifest.substring(event ? EVENT.length() : SNAPSHOT.length()));
        } catch (NumberFormatException e) {
            throw new NotSerializableException("not an Archipelago journal record (manifest '" + manifest + "')");
        }
        if (format > FORMAT) {
            throw new NotSerializableException(
                    "the journal was written in format " + format + ", newer than this Archipelago reads (" + FORMAT
                            + "): resume it with the Archipelago version that wrote it");
        }
        try {
            return event ? expanded(JournalEvent.parseFrom(bytes)) : expanded(SearchSnapshot.parseFrom(bytes));
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            throw new NotSerializableException("corrupted journal " + (event ? "event" : "snapshot") + " ("
                    + bytes.length + " bytes that do not decode: " + e.getMessage() + ")");
        }
    }

    /** The event as it was before it was written: compact results as the {@code ResultTold}s they stand for. */
    private static JournalEvent expanded(JournalEvent event) {
        if (!event.hasStep()) {
            return event;
        }
        List<StepOp> ops = StepReader.expand(event.getStep().getOpsList());
        return ops == event.getStep().getOpsList()
                ? event
                : event.toBuilder()
                        .setStep(event.getStep().toBuilder().clearOps().addAllOps(ops))
                        .build();
    }

    private static SearchSnapshot expanded(SearchSnapshot snapshot) {
        List<StepOp> ops = StepReader.expand(snapshot.getOpsList());
        return ops == snapshot.getOpsList()
                ? snapshot
                : snapshot.toBuilder().clearOps().addAllOps(ops).build();
    }
}
