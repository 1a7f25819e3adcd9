package io.archipelago.controller.journal;

import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Protobuf's wire format, written into a growing array: fields with proto3's rule that a scalar
 * at its default is not written, and nested messages written in place after room for their
 * length, which is filled in (and the content moved up to four bytes back) once their end is
 * known. Strings that repeat from message to message are encoded once and kept.
 */
final class WireWriter {
    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    /** Room kept for a nested message's length: a varint of up to 2^35 - 1, more than an array holds. */
    private static final int LENGTH_ROOM = 5;
    /** Distinct repeating strings kept encoded; beyond, the cache starts over (a pathological search only costs speed). */
    private static final int CACHE_LIMIT = 4096;

    private byte[] bytes;
    private int position;
    private final Map<String, byte[]> encoded = new HashMap<>();

    WireWriter(byte[] buffer) {
        this.bytes = buffer;
    }

    // ---- fields

    void int32(int field, int value) {
        if (value != 0) {
            tag(field, VARINT);
            if (value >= 0) {
                varint32(value);
            } else {
                varint64(value); // a negative int32 is sign-extended to ten bytes
            }
        }
    }

    void int64(int field, long value) {
        if (value != 0) {
            tag(field, VARINT);
            varint64(value);
        }
    }

    void bool(int field, boolean value) {
        if (value) {
            tag(field, VARINT);
            varint32(1);
        }
    }

    void double64(int field, double value) {
        long bits = Double.doubleToRawLongBits(value);
        if (bits != 0) {
            tag(field, FIXED64);
            fixed64(bits);
        }
    }

    void string(int field, String value) {
        if (value.isEmpty()) {
            return;
        }
        int length = value.length();
        for (int i = 0; i < length; i++) {
            if (value.charAt(i) >= 0x80) {
                lengthDelimited(field, value.getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        // ASCII, as architectures' encodings are: its UTF-8 is its chars, written without an intermediate array.
        tag(field, LENGTH_DELIMITED);
        varint32(length);
        ensure(length);
        for (int i = 0; i < length; i++) {
            bytes[position++] = (byte) value.charAt(i);
        }
    }

    /** A string that comes back in most results: encoded once per record. */
    void repeatingString(int field, String value) {
        if (!value.isEmpty()) {
            lengthDelimited(field, repeating(value));
        }
    }

    private byte[] repeating(String value) {
        byte[] utf8 = encoded.get(value);
        if (utf8 == null) {
            if (encoded.size() >= CACHE_LIMIT) {
                encoded.clear();
            }
            utf8 = value.getBytes(StandardCharsets.UTF_8);
            encoded.put(value, utf8);
        }
        return utf8;
    }

    /** A {@code map<string, double>}: an entry message per pair, each holding its key (1) and its value (2), defaults included. */
    void doubleMap(int field, Map<String, Double> map) {
        for (Map.Entry<String, Double> entry : map.entrySet()) {
            byte[] key = repeating(entry.getKey());
            tag(field, LENGTH_DELIMITED);
            varint32(1 + varintSize(key.length) + key.length + 1 + 8);
            tag(1, LENGTH_DELIMITED);
            varint32(key.length);
            raw(key);
            tag(2, FIXED64);
            fixed64(Double.doubleToRawLongBits(entry.getValue()));
        }
    }

    /** A {@code map<string, string>}: an entry message per pair. */
    void stringMap(int field, Map<String, String> map) {
        for (Map.Entry<String, String> entry : map.entrySet()) {
            byte[] key = repeating(entry.getKey());
            byte[] value = repeating(entry.getValue());
            tag(field, LENGTH_DELIMITED);
            varint32(2 + varintSize(key.length) + key.length + varintSize(value.length) + value.length);
            tag(1, LENGTH_DELIMITED);
            varint32(key.length);
            raw(key);
            tag(2, LENGTH_DELIMITED);
            varint32(value.length);
            raw(value);
        }
    }

    /** The first {@code count} of {@code values}, packed (as proto3 packs repeated scalars); {@code count} > 0. */
    void packedVarints(int field, int[] values, int count) {
        int start = beginNested(field);
        for (int i = 0; i < count; i++) {
            varint32(values[i]);
        }
        endNested(start);
    }

    /** The first {@code count} of {@code values} as packed fixed64s (doubles' bits); {@code count} > 0. */
    void packedFixed64(int field, long[] values, int count) {
        tag(field, LENGTH_DELIMITED);
        varint32(8 * count);
        for (int i = 0; i < count; i++) {
            fixed64(values[i]);
        }
    }

    /** A message there is no hand-written form for (e.g. the spec in a snapshot): Protobuf writes it. */
    void message(int field, Message message) {
        lengthDelimited(field, message.toByteArray());
    }

    void lengthDelimited(int field, byte[] content) {
        tag(field, LENGTH_DELIMITED);
        varint32(content.length);
        raw(content);
    }

    /** Fields a newer Archipelago added (a result from a newer node): kept, where Protobuf keeps them, at the end. */
    void unknown(Message message) {
        if (!noUnknownFields(message)) {
            raw(message.getUnknownFields().toByteArray());
        }
    }

    static boolean noUnknownFields(Message message) {
        UnknownFieldSet unknown = message.getUnknownFields();
        return unknown == UnknownFieldSet.getDefaultInstance()
                || unknown.asMap().isEmpty();
    }

    /**
     * Copies {@code entries}, a run of length-delimited fields under the one-byte tag
     * {@code fromTag} (a step's body: its ops), each under {@code toTag} instead (also one byte,
     * so the bytes keep their length).
     */
    void retagged(byte[] entries, int fromTag, int toTag) {
        ensure(entries.length);
        int at = position;
        System.arraycopy(entries, 0, bytes, at, entries.length);
        position += entries.length;
        while (at < position) {
            if (bytes[at] != fromTag) {
                throw new IllegalStateException(
                        "not the body of a step: byte " + (at - (position - entries.length)) + " is no op's tag");
            }
            bytes[at++] = (byte) toTag;
            int length = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = bytes[at++];
                length |= (b & 0x7F) << shift;
                if (b >= 0) {
                    break;
                }
            }
            at += length;
        }
    }

    // ---- wire format

    /** Writes the field's tag and leaves room for the length; returns where the content starts. */
    int beginNested(int field) {
        tag(field, LENGTH_DELIMITED);
        ensure(LENGTH_ROOM);
        position += LENGTH_ROOM;
        return position;
    }

    /** Writes the length of the content begun at {@code start} and moves the content up against it. */
    void endNested(int start) {
        int length = position - start;
        int lengthAt = start - LENGTH_ROOM;
        position = lengthAt;
        varint32(length);
        if (position != start) {
            System.arraycopy(bytes, start, bytes, position, length);
        }
        position += length;
    }

    private void tag(int field, int wireType) {
        varint32(field << 3 | wireType);
    }

    private void varint32(int value) {
        ensure(LENGTH_ROOM);
        while ((value & ~0x7F) != 0) {
            bytes[position++] = (byte) (value & 0x7F | 0x80);
            value >>>= 7;
        }
        bytes[position++] = (byte) value;
    }

    private void varint64(long value) {
        ensure(10);
        while ((value & ~0x7FL) != 0) {
            bytes[position++] = (byte) ((int) value & 0x7F | 0x80);
            value >>>= 7;
        }
        bytes[position++] = (byte) value;
    }

    private void fixed64(long value) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            bytes[position++] = (byte) (value >>> 8 * i);
        }
    }

    void raw(byte[] content) {
        ensure(content.length);
        System.arraycopy(content, 0, bytes, position, content.length);
        position += content.length;
    }

    static int varintSize(int value) {
        return (31 - Integer.numberOfLeadingZeros(value | 1)) / 7 + 1;
    }

    private void ensure(int more) {
        if (bytes.length - position < more) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, position + more));
        }
    }

    // ---- what was written

    /** A copy of what was written; the writer may go on. */
    byte[] toByteArray() {
        return Arrays.copyOf(bytes, position);
    }

    /** What was written, for a writer used once: its own array when that is exactly full (no copy). */
    byte[] finish() {
        return position == bytes.length ? bytes : toByteArray();
    }

    /** Starts over, keeping the array (and the encoded strings). */
    void reset() {
        position = 0;
    }
}
