package io.signalman.dialect.direct;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.Channel;
import io.signalman.core.Event;
import io.signalman.core.LeaveReason;
import io.signalman.core.Peer;
import io.signalman.core.SendOutcome;
import io.signalman.core.Switchboard;
import io.signalman.dialect.JsJson;
import io.signalman.dialect.WebSocketSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One direct-protocol peer. A newer connection with the same id takes the id over; the older one
 * stays open and can still send, and when it closes it no longer removes the newer one (the fix
 * SEEDS.md §5.5 recommends).
 */
final class DirectSession extends WebSocketSession {
    private static final Logger log = LoggerFactory.getLogger(DirectSession.class);

    private final DirectDialect dialect;
    private final Switchboard switchboard;
    private final String id;
    private Peer peer;

    DirectSession(DirectDialect dialect, Channel channel, String id) {
        super(channel, dialect.meters());
        this.dialect = dialect;
        this.switchboard = dialect.switchboard();
        this.id = id;
    }

    @Override
    protected void onStart() {
        peer = switchboard.connect(DirectDialect.REALM, id, this, Switchboard.DuplicatePolicy.REPLACE);
        log.debug("Client connected: {}", id);
    }

    /**
     * The original parsed the frame, looked the addressee up by {@code String(msg.id)}, set {@code id}
     * to the sender and sent {@code JSON.stringify(msg)}; clients see that text, so it is rebuilt the
     * same way. Invalid JSON and non-objects (which crashed the original) are dropped.
     */
    @Override
    protected void onText(byte[] frame, int length, long receivedNanos) {
        JsonNode message = dialect.json().parse(frame, 0, length);
        if (message == null || !message.isObject()) return;
        String target = JsJson.toJsString(message.get("id"));
        ((ObjectNode) message).put("id", id); // an existing key keeps its place, as in JavaScript
        if (switchboard.send(peer, target, JsJson.stringifyUtf8(message), receivedNanos) != SendOutcome.DELIVERED) {
            log.debug("Can not find peer with ID {}", target);
        }
    }

    @Override
    protected void onClose() {
        log.debug("Client disconnected: {}", id);
        switchboard.disconnect(peer, LeaveReason.DISCONNECTED);
    }

    @Override
    protected void onEvent(Event event) {
        // No rooms and no server messages in this protocol; an eviction only moves the id to the newer socket.
    }
}
