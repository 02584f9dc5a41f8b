package io.signalman.transport.socketio;

import com.corundumstudio.socketio.SocketIOClient;
import com.fasterxml.jackson.databind.util.RawValue;
import java.nio.charset.StandardCharsets;

/**
 * Socket.IO events as core payloads: {@code <event name> LF <JSON argument>}. The argument is written
 * once by the sender's side and handed to Socket.IO as raw JSON, so recipients do not parse it again.
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
        String argument = new String(payload, split + 1, payload.length - split - 1, StandardCharsets.UTF_8);
        client.sendEvent(name, new RawValue(argument));
        return true;
    }
}
