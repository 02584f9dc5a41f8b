package io.signalman.dialect;

import com.corundumstudio.socketio.SocketIOClient;
import io.signalman.ops.DialectMeters;

/**
 * Counts a Socket.IO session in a dialect's open-connections gauge exactly once, and out exactly
 * once. netty-socketio can call a namespace's connect or disconnect listener twice for one session
 * when two requests of that session race (a poll while it disconnects, a {@code 41} posted while the
 * connection closes); a gauge that followed every call would drift for good.
 */
public final class SocketIoConnectionCount {
    private static final String KEY = "signalman.connection-counted";
    private static final String OPEN = "open";
    private static final String CLOSED = "closed";

    private SocketIoConnectionCount() {}

    /** The session's connect listener ran: counted in, unless it already was (or has ended). */
    public static void opened(SocketIOClient client, DialectMeters meters) {
        synchronized (client) {
            if (client.has(KEY)) return;
            client.set(KEY, OPEN);
        }
        meters.connectionOpened();
    }

    /** The session's disconnect listener ran: counted out, once, and only if it was counted in. */
    public static void closed(SocketIOClient client, DialectMeters meters) {
        synchronized (client) {
            if (!OPEN.equals(client.get(KEY))) return;
            client.set(KEY, CLOSED);
        }
        meters.connectionClosed();
    }
}
