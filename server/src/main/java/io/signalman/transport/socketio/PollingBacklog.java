package io.signalman.transport.socketio;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.transport.NamespaceClient;
import io.signalman.transport.ConnectionGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slow-reader limit for long-polling sessions. netty-socketio queues a polling client's packets
 * in the session until its next GET, without limit, and a client that keeps the session alive with
 * pongs but never polls would let that queue grow until memory runs out. There is no channel whose
 * writability could tell (the channel exists only while a poll waits), so the queue is counted
 * instead: a packet for every kilobyte of the node's outbound limit, at least 64.
 */
public final class PollingBacklog {
    private static final Logger log = LoggerFactory.getLogger(PollingBacklog.class);
    /** Where a session finds the guard whose limits apply to it (set when it joins the namespace). */
    static final String GUARD = "signalman.guard";

    private PollingBacklog() {}

    /**
     * Whether {@code client} is a polling session that stopped collecting its packets; if so it has
     * been disconnected and counted, and nothing more should be sent to it.
     */
    public static boolean evictIfBackedUp(SocketIOClient client) {
        if (!(client instanceof NamespaceClient namespaced)) return false;
        ClientHead session = namespaced.getBaseClient();
        if (session.getCurrentTransport() != Transport.POLLING || !session.isConnected()) return false;
        ConnectionGuard guard = client.get(GUARD);
        if (guard == null) return false;
        long limit = Math.max(64, guard.limits().outboundQueueBytes() / 1024);
        // size() walks the queue; it is short for a client that polls, and bounded by the limit otherwise.
        if (session.getPacketsQueue(Transport.POLLING).size() < limit) return false;
        guard.refused("slow-reader");
        log.debug("disconnecting Socket.IO session {}: {} packets wait for a poll that does not come",
                session.getSessionId(), limit);
        session.getPacketsQueue(Transport.POLLING).clear();
        session.disconnect();
        return true;
    }
}
