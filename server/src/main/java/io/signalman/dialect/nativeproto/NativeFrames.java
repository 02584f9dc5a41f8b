package io.signalman.dialect.nativeproto;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.netty.util.concurrent.FastThreadLocal;
import io.signalman.core.LeaveReason;
import io.signalman.core.Member;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes the server's native-protocol frames. Control frames are written with Jackson's
 * generator; relayed frames are assembled from pre-encoded prefixes and the sender's own bytes, so
 * the payload is never parsed into objects and written again.
 */
final class NativeFrames {
    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] EMPTY_OBJECT = {'{', '}'};
    /**
     * One output buffer per thread for control frames (welcome, joined, presence): their bytes are
     * copied out when a frame is done, so the buffer itself need not be made for every frame. Each
     * thread keeps its last block, at most Jackson's largest (128 KB) after a large {@code joined}.
     */
    private static final FastThreadLocal<ByteArrayBuilder> OUT = new FastThreadLocal<>() {
        @Override
        protected ByteArrayBuilder initialValue() {
            return new ByteArrayBuilder(512);
        }
    };

    private NativeFrames() {}

    /** A JSON string literal (quotes included) of {@code text}, as UTF-8. */
    static byte[] quote(String text) {
        byte[] inner = JsonStringEncoder.getInstance().quoteAsUTF8(text);
        byte[] quoted = new byte[inner.length + 2];
        quoted[0] = '"';
        System.arraycopy(inner, 0, quoted, 1, inner.length);
        quoted[quoted.length - 1] = '"';
        return quoted;
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code prefix + frame[start, end) + '}'}: a relayed frame around the sender's raw {@code data}.
     * One array, written once, shared by every recipient.
     */
    static byte[] wrap(byte[] prefix, byte[] frame, int start, int end) {
        int length = end - start;
        byte[] out = new byte[prefix.length + length + 1];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(frame, start, out, prefix.length, length);
        out[out.length - 1] = '}';
        return out;
    }

    /** {@code {"type":"signal","from":<from>[,"room":<room>],"data":} — the part before the data. */
    static byte[] signalPrefix(byte[] quotedFrom, byte[] quotedRoom) {
        return concat(ascii("{\"type\":\"signal\",\"from\":"), quotedFrom,
                quotedRoom == null ? new byte[0] : concat(ascii(",\"room\":"), quotedRoom),
                ascii(",\"data\":"));
    }

    /** {@code {"type":"broadcast","room":<room>,"from":<from>,"data":} — the part before the data. */
    static byte[] broadcastPrefix(byte[] quotedRoom, byte[] quotedFrom) {
        return concat(ascii("{\"type\":\"broadcast\",\"room\":"), quotedRoom, ascii(",\"from\":"), quotedFrom,
                ascii(",\"data\":"));
    }

    /** {@code rooms} is null for a new session, or the rooms a resumed one is still in. */
    static byte[] welcome(String peer, String session, List<String> rooms, String iceServersJson, long iceTtlSeconds,
            long heartbeatMs, int messageBytes) {
        return write(g -> {
            g.writeStringField("type", "welcome");
            g.writeStringField("peer", peer);
            g.writeStringField("session", session);
            g.writeBooleanField("resumed", rooms != null);
            if (rooms != null) {
                g.writeArrayFieldStart("rooms");
                for (String room : rooms) g.writeString(room);
                g.writeEndArray();
            }
            g.writeFieldName("iceServers");
            g.writeRawValue(iceServersJson);
            g.writeNumberField("ttl", iceTtlSeconds);
            g.writeNumberField("heartbeatMs", heartbeatMs);
            g.writeObjectFieldStart("limits");
            g.writeNumberField("messageBytes", messageBytes);
            g.writeEndObject();
        });
    }

    static byte[] joined(String re, String room, List<Member> others) {
        return write(g -> {
            g.writeStringField("type", "joined");
            writeRe(g, re);
            g.writeStringField("room", room);
            g.writeArrayFieldStart("peers");
            for (Member member : others) {
                g.writeStartObject();
                g.writeStringField("peer", member.peer());
                writeMeta(g, member.meta());
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    static byte[] left(String re, String room) {
        return write(g -> {
            g.writeStringField("type", "left");
            writeRe(g, re);
            g.writeStringField("room", room);
        });
    }

    static byte[] peerJoined(String room, Member member) {
        return write(g -> {
            g.writeStringField("type", "peer-joined");
            g.writeStringField("room", room);
            g.writeStringField("peer", member.peer());
            writeMeta(g, member.meta());
        });
    }

    static byte[] peerLeft(String room, String peer, LeaveReason reason) {
        return write(g -> {
            g.writeStringField("type", "peer-left");
            g.writeStringField("room", room);
            g.writeStringField("peer", peer);
            g.writeStringField("reason", reason.wireName());
        });
    }

    static byte[] ack(String re) {
        return concat(ascii("{\"type\":\"ack\",\"re\":"), ascii(re), new byte[] {'}'});
    }

    static byte[] pong(String re) {
        return re == null ? ascii("{\"type\":\"pong\"}") : concat(ascii("{\"type\":\"pong\",\"re\":"), ascii(re), new byte[] {'}'});
    }

    static byte[] iceServers(String re, String iceServersJson, long ttlSeconds) {
        return write(g -> {
            g.writeStringField("type", "ice-servers");
            writeRe(g, re);
            g.writeFieldName("iceServers");
            g.writeRawValue(iceServersJson);
            g.writeNumberField("ttl", ttlSeconds);
        });
    }

    static byte[] goaway(String reason, long reconnectMs) {
        return write(g -> {
            g.writeStringField("type", "goaway");
            g.writeStringField("reason", reason);
            g.writeNumberField("reconnectMs", reconnectMs);
        });
    }

    static byte[] error(ErrorCode code, String message, String re) {
        return write(g -> {
            g.writeStringField("type", "error");
            writeRe(g, re);
            g.writeStringField("code", code.wireName);
            g.writeStringField("message", message);
        });
    }

    private static void writeRe(JsonGenerator g, String re) throws IOException {
        if (re != null) {
            g.writeFieldName("re");
            g.writeRawValue(re); // the client's own id text, already valid JSON
        }
    }

    private static void writeMeta(JsonGenerator g, byte[] meta) throws IOException {
        g.writeFieldName("meta");
        g.writeRawValue(new String(meta.length == 0 ? EMPTY_OBJECT : meta, StandardCharsets.UTF_8));
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayBuilder out = OUT.get();
        // toByteArray() empties the builder only when a frame outgrew its first block: reset always.
        out.reset();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory cannot fail
        }
        return out.toByteArray(); // a copy
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) length += part.length;
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }
}
