package io.signalman.dialect.direct;

import com.fasterxml.jackson.core.JsonToken;
import io.netty.channel.Channel;
import io.signalman.core.Event;
import io.signalman.core.LeaveReason;
import io.signalman.core.Peer;
import io.signalman.core.SendOutcome;
import io.signalman.core.Switchboard;
import io.signalman.dialect.JsonObjectScan;
import io.signalman.dialect.JsonObjectScan.Field;
import io.signalman.dialect.WebSocketSession;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
    private final byte[] quotedId;
    private Peer peer;

    DirectSession(DirectDialect dialect, Channel channel, String id) {
        super(channel, dialect.meters());
        this.dialect = dialect;
        this.switchboard = dialect.switchboard();
        this.id = id;
        this.quotedId = com.fasterxml.jackson.databind.node.TextNode.valueOf(id).toString()
                .getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void onStart() {
        peer = switchboard.connect(DirectDialect.REALM, id, this, Switchboard.DuplicatePolicy.REPLACE);
        log.debug("Client connected: {}", id);
    }

    /** Invalid JSON, non-objects and frames without a string or number {@code id} are dropped. */
    @Override
    protected void onText(byte[] frame, int length, long receivedNanos) {
        List<Field> fields = dialect.scan().scan(frame, length);
        if (fields == null) return;
        Field target = JsonObjectScan.find(fields, "id");
        if (target == null || !(target.isString() || target.token() == JsonToken.VALUE_NUMBER_INT)) {
            log.debug("Can not find peer with ID {}", target == null ? "undefined" : target.text());
            return;
        }
        // Splice the sender's id over the addressee's; every other byte goes out as it came.
        byte[] out = new byte[length - (target.end() - target.start()) + quotedId.length];
        System.arraycopy(frame, 0, out, 0, target.start());
        System.arraycopy(quotedId, 0, out, target.start(), quotedId.length);
        System.arraycopy(frame, target.end(), out, target.start() + quotedId.length, length - target.end());
        if (switchboard.send(peer, target.text(), out, receivedNanos) != SendOutcome.DELIVERED) {
            log.debug("Can not find peer with ID {}", target.text());
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
