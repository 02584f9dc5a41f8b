package io.signalman.cluster.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The encoding of messages between nodes: a sequence of netstring-like fields
 * ({@code <decimal length>:<bytes>}), optionally followed by a raw tail that runs to the end of the
 * message. Relayed payloads travel as that tail, byte for byte, so the relay path copies them but
 * never parses or re-serializes them. The Lua scripts build the same fields with string
 * concatenation, which is why a length prefix in ASCII was chosen over a binary one.
 */
final class Wire {
    private Wire() {}

    /** Builds one message; not thread-safe, one per message. */
    static final class Writer {
        private byte[] buffer;
        private int length;

        Writer(int expected) {
            buffer = new byte[Math.max(64, expected)];
        }

        Writer field(String text) {
            return field(text.getBytes(StandardCharsets.UTF_8));
        }

        Writer field(byte[] bytes) {
            byte[] prefix = (bytes.length + ":").getBytes(StandardCharsets.US_ASCII);
            ensure(prefix.length + bytes.length);
            System.arraycopy(prefix, 0, buffer, length, prefix.length);
            length += prefix.length;
            System.arraycopy(bytes, 0, buffer, length, bytes.length);
            length += bytes.length;
            return this;
        }

        /** Appends the raw tail; nothing may follow it. */
        byte[] finish(byte[] tail) {
            ensure(tail.length);
            System.arraycopy(tail, 0, buffer, length, tail.length);
            length += tail.length;
            return finish();
        }

        byte[] finish() {
            return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
        }

        private void ensure(int more) {
            if (length + more > buffer.length) buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }

    /** Reads one message field by field. A malformed message throws {@link IllegalArgumentException}. */
    static final class Reader {
        private final byte[] message;
        private int position;

        Reader(byte[] message) {
            this.message = message;
        }

        String text() {
            int start = start();
            int end = end(start);
            return new String(message, start, end - start, StandardCharsets.UTF_8);
        }

        byte[] bytes() {
            int start = start();
            int end = end(start);
            return Arrays.copyOfRange(message, start, end);
        }

        /** Everything after the fields read so far. */
        byte[] tail() {
            byte[] tail = Arrays.copyOfRange(message, position, message.length);
            position = message.length;
            return tail;
        }

        boolean hasMore() {
            return position < message.length;
        }

        private int start() {
            int size = 0;
            int i = position;
            while (true) {
                if (i >= message.length) throw new IllegalArgumentException("truncated field");
                byte b = message[i++];
                if (b == ':') break;
                if (b < '0' || b > '9' || size > 100_000_000) throw new IllegalArgumentException("bad field length");
                size = size * 10 + (b - '0');
            }
            if (i + size > message.length) throw new IllegalArgumentException("truncated field");
            position = i + size;
            return i;
        }

        private int end(int start) {
            return position;
        }
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
