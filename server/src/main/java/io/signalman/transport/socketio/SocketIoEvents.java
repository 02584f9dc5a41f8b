package io.signalman.transport.socketio;

import com.corundumstudio.socketio.SocketIOClient;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Socket.IO events as core payloads: {@code <event name> LF <JSON argument>}. The argument is written
 * once by the sender's side and handed to Socket.IO as raw JSON bytes, so recipients neither parse
 * it again nor turn it into a string and back.
 */
public final class SocketIoEvents {
    private SocketIoEvents() {}

    /** The payload for event {@code name} with one argument. */
    public static byte[] event(String name, byte[] argumentJson) {
        byte[] head = name.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + 1 + argumentJson.length];
        System.arraycopy(head, 0, out, 0, head.length);
        out[head.length] = '\n';
        System.arraycopy(argumentJson, 0, out, head.length + 1, argumentJson.length);
        return out;
    }

    /**
     * Sends a payload made by {@link #event} to a client as that event; returns false, sending nothing,
     * when the client is a polling session that stopped polling (it is disconnected, see {@link PollingBacklog}).
     */
    public static boolean emit(SocketIOClient client, byte[] payload) {
        if (PollingBacklog.evictIfBackedUp(client)) return false;
        int split = 0;
        while (payload[split] != '\n') split++;
        String name = new String(payload, 0, split, StandardCharsets.US_ASCII);
        client.sendEvent(name, new RawValue(new RawJson(payload, split + 1)));
        return true;
    }

    /**
     * The argument's bytes, written by Jackson as they are. Jackson's raw values take a string or a
     * {@link SerializableString}; this is the latter over a slice of the payload, so the UTF-8 is
     * copied into the output once instead of being decoded into a string and encoded again.
     */
    static final class RawJson implements SerializableString {
        private final byte[] bytes;
        private final int start;

        RawJson(byte[] bytes, int start) {
            this.bytes = bytes;
            this.start = start;
        }

        private int length() {
            return bytes.length - start;
        }

        @Override
        public byte[] asUnquotedUTF8() {
            return Arrays.copyOfRange(bytes, start, bytes.length);
        }

        @Override
        public int appendUnquotedUTF8(byte[] buffer, int offset) {
            int length = length();
            if (offset + length > buffer.length) return -1;
            System.arraycopy(bytes, start, buffer, offset, length);
            return length;
        }

        @Override
        public int writeUnquotedUTF8(OutputStream out) throws IOException {
            out.write(bytes, start, length());
            return length();
        }

        @Override
        public int putUnquotedUTF8(ByteBuffer buffer) {
            int length = length();
            if (length > buffer.remaining()) return -1;
            buffer.put(bytes, start, length);
            return length;
        }

        @Override
        public String getValue() {
            return new String(bytes, start, length(), StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return getValue();
        }

        @Override
        public int charLength() {
            return getValue().length();
        }

        // Jackson writes a raw value only through the unquoted methods. The quoted forms are for any
        // other use of the value (as a field name or a string) and take the slow path.
        private SerializedString quoted() {
            return new SerializedString(getValue());
        }

        @Override
        public char[] asQuotedChars() {
            return quoted().asQuotedChars();
        }

        @Override
        public byte[] asQuotedUTF8() {
            return quoted().asQuotedUTF8();
        }

        @Override
        public int appendQuotedUTF8(byte[] buffer, int offset) {
            return quoted().appendQuotedUTF8(buffer, offset);
        }

        @Override
        public int appendQuoted(char[] buffer, int offset) {
            return quoted().appendQuoted(buffer, offset);
        }

        @Override
        public int appendUnquoted(char[] buffer, int offset) {
            String value = getValue();
            if (offset + value.length() > buffer.length) return -1;
            value.getChars(0, value.length(), buffer, offset);
            return value.length();
        }

        @Override
        public int writeQuotedUTF8(OutputStream out) throws IOException {
            return quoted().writeQuotedUTF8(out);
        }

        @Override
        public int putQuotedUTF8(ByteBuffer buffer) {
            return quoted().putQuotedUTF8(buffer);
        }
    }
}
