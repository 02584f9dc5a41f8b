package io.signalman.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The file-transfer framing on the data channel (docs/peer.md). Text messages stay plain text so
 * that seed 004's peer and people read them; a file travels as binary messages whose first byte says
 * what follows: {@link #START} with JSON {@code {"name","size"}}, then {@link #CHUNK}s of raw bytes,
 * then {@link #END} with JSON {@code {"sha256"}}; the receiver answers {@link #RESULT} with JSON
 * {@code {"ok","sha256","size"}}. One file at a time in each direction; the channel is ordered and
 * reliable, so no sequence numbers are needed.
 */
public final class FileFrames {
    /** Metadata before the first chunk. */
    public static final byte START = 1;
    /** A piece of the file's bytes. */
    public static final byte CHUNK = 2;
    /** After the last chunk: the sender's SHA-256 of the whole file. */
    public static final byte END = 3;
    /** The receiver's verdict, sent back to the sender. */
    public static final byte RESULT = 4;

    /**
     * Bytes of file data per chunk. 16 KiB is the largest message every WebRTC stack (browsers
     * included) delivers without fragmentation trouble, so peers other than this one can read it too.
     */
    public static final int CHUNK_BYTES = 16 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private FileFrames() {
    }

    /** A decoded binary message. {@code json} is null for chunks; {@code payload} is null for the rest. */
    public record Frame(byte kind, JsonNode json, byte[] payload) {
    }

    public static byte[] start(String name, long size) {
        ObjectNode node = JSON.createObjectNode().put("name", name).put("size", size);
        return withKind(START, node);
    }

    public static byte[] chunk(byte[] data, int offset, int length) {
        byte[] frame = new byte[length + 1];
        frame[0] = CHUNK;
        System.arraycopy(data, offset, frame, 1, length);
        return frame;
    }

    public static byte[] end(String sha256) {
        return withKind(END, JSON.createObjectNode().put("sha256", sha256));
    }

    public static byte[] result(boolean ok, String sha256, long size) {
        return withKind(RESULT, JSON.createObjectNode().put("ok", ok).put("sha256", sha256).put("size", size));
    }

    /** Decodes a binary message; throws IllegalArgumentException for anything that is not a frame of this framing. */
    public static Frame decode(byte[] message) {
        if (message.length == 0) throw new IllegalArgumentException("empty binary message");
        byte kind = message[0];
        if (kind == CHUNK) return new Frame(kind, null, Arrays.copyOfRange(message, 1, message.length));
        if (kind != START && kind != END && kind != RESULT) {
            throw new IllegalArgumentException("unknown frame kind " + (kind & 0xff));
        }
        JsonNode json;
        try {
            json = JSON.readTree(new String(message, 1, message.length - 1, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("frame kind " + kind + " does not carry JSON", e);
        }
        if (json == null || !json.isObject()) throw new IllegalArgumentException("frame kind " + kind + " does not carry a JSON object");
        return new Frame(kind, json, null);
    }

    private static byte[] withKind(byte kind, ObjectNode node) {
        try {
            byte[] body = JSON.writeValueAsBytes(node);
            byte[] frame = new byte[body.length + 1];
            frame[0] = kind;
            System.arraycopy(body, 0, frame, 1, body.length);
            return frame;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
