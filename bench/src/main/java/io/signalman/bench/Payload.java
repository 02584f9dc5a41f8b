package io.signalman.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * A generated signaling payload of about {@code size} bytes: an SDP-like offer (1.5 KB) or an
 * ICE-candidate-like object (200 B). It starts with the send stamp and the pair key, which the
 * receiver finds without parsing; the rest is fixed text that every dialect relays unchanged
 * (only ASCII and JSON escapes that JavaScript prints back the same way).
 */
final class Payload {
    private static final byte[] OPEN = "{\"bt\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PAIR = ",\"pk\":".getBytes(StandardCharsets.US_ASCII);
    private final byte[] rest;
    private final int size;

    Payload(int size) {
        StringBuilder text = new StringBuilder(size + 64);
        int fixed = OPEN.length + PAIR.length + 2 * 15;
        if (size >= 600) {
            text.append(",\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=- 4611731400430051336 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\n");
            int line = 0;
            while (text.length() + fixed < size - 40) {
                text.append("a=candidate:").append(line++).append(" 1 udp 2122260223 127.0.0.1 5").append(line % 10)
                        .append("000 typ host generation 0\\r\\n");
            }
            text.append("\"}");
        } else {
            text.append(",\"candidate\":\"candidate:842163049 1 udp 1677729535 127.0.0.1 ");
            while (text.length() + fixed < size - 40) text.append('9');
            text.append(" typ srflx\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}");
        }
        rest = text.toString().getBytes(StandardCharsets.US_ASCII);
        this.size = OPEN.length + PAIR.length + rest.length + 30;
    }

    /** Approximate encoded size in bytes. */
    int size() {
        return size;
    }

    void write(ByteBuf buf, long stamp, long pairKey) {
        buf.writeBytes(OPEN);
        writeLong(buf, stamp);
        buf.writeBytes(PAIR);
        writeLong(buf, pairKey);
        buf.writeBytes(rest);
    }

    private static void writeLong(ByteBuf buf, long value) {
        buf.writeCharSequence(Long.toString(value), StandardCharsets.US_ASCII);
    }
}
