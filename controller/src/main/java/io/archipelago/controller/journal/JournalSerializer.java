package io.archipelago.controller.journal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.archipelago.proto.JournalEvent;
import io.archipelago.proto.SearchSnapshot;
import java.io.NotSerializableException;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Writes a search's journal events and snapshots as Protobuf ({@code proto/.../journal.proto}; the
 * steps, nearly all of a journal's bytes, come encoded by the controller: {@link EncodedStep}) under
 * a manifest that carries the journal format, e.g. {@code event-v1}. Reading refuses, by
 * name, a format newer than {@link #FORMAT}, and bytes that do not decode: recovery then fails
 * before anything is written.
 */
public final class JournalSerializer extends SerializerWithStringManifest {
    /** The journal format this Archipelago writes and the newest it reads. */
    public static final int FORMAT = 1;
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
        if (o instanceof SearchSnapshot) {
            return SNAPSHOT + FORMAT;
        }
        throw new IllegalArgumentException("not a journal record: " + o.getClass().getName());
    }

    @Override
    public byte[] toBinary(Object o) {
        if (o instanceof EncodedStep step) {
            return StepWriter.event(step);
        }
        if (o instanceof JournalEvent event) {
            return event.toByteArray();
        }
        if (o instanceof SearchSnapshot snapshot) {
            return StepWriter.snapshot(snapshot);
        }
        throw new IllegalArgumentException("not a journal record: " + o.getClass().getName());
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
            throw new NotSerializableException("the journal was written in format " + format + ", newer than this Archipelago reads ("
                    + FORMAT + "): resume it with the Archipelago version that wrote it");
        }
        try {
            return event ? JournalEvent.parseFrom(bytes) : SearchSnapshot.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new NotSerializableException("corrupted journal " + (event ? "event" : "snapshot") + " (" + bytes.length
                    + " bytes that do not decode: " + e.getMessage() + ")");
        }
    }
}
