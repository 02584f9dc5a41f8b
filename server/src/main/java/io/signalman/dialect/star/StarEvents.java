package io.signalman.dialect.star;

import com.corundumstudio.socketio.SocketIOClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.signalman.core.LeaveReason;
import io.signalman.core.Peer;
import io.signalman.core.RoomPolicy;
import io.signalman.core.SendOutcome;
import io.signalman.core.Switchboard;
import io.signalman.dialect.JsJson;
import io.signalman.dialect.SocketIoConnectionCount;
import io.signalman.dialect.SocketIoOutlet;
import io.signalman.transport.socketio.SocketIoEvents;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The star protocol's event handlers. Every address a socket joins with is a core peer of the star
 * realm whose outlet is that socket, and a member of one swarm room; {@code ws-peer} announcements
 * are relays to that room, {@code ws-handshake} a delivery to the addressed peer.
 *
 * <p>Fixes the original recommends (SEEDS.md §1.9): a socket may hold several addresses, all freed on
 * disconnect; an address re-joined from a newer socket belongs to it, and the older socket's
 * disconnect no longer evicts it.
 */
final class StarEvents {
    private static final String STATE = "signalman.star";
    private static final RoomPolicy SWARM_POLICY = RoomPolicy.unbounded(false);

    private final StarDialect dialect;
    private final Switchboard switchboard;

    StarEvents(StarDialect dialect) {
        this.dialect = dialect;
        this.switchboard = dialect.switchboard();
    }

    /** The addresses one socket has joined with. */
    private static final class SocketState {
        final Map<String, Joined> addresses = new ConcurrentHashMap<>();
    }

    /** One joined address: its core peer and its announcement timer. */
    private record Joined(Peer peer, ScheduledFuture<?> timer) {
        void stop() {
            timer.cancel(false);
        }
    }

    void connected(SocketIOClient client) {
        client.set(STATE, new SocketState());
        SocketIoConnectionCount.opened(client, dialect.meters());
    }

    void disconnected(SocketIOClient client) {
        SocketState state = client.get(STATE);
        if (state == null) return;
        leaveAll(state);
        SocketIoConnectionCount.closed(client, dialect.meters());
    }

    void join(SocketIOClient client, JsonNode address) {
        dialect.meters().frameIn();
        StarCounters counters = dialect.counters();
        counters.joins.increment();
        SocketState state = client.get(STATE);
        if (address == null || address.isNull() || address.isMissingNode() || state == null) {
            counters.joinFailures.increment(); // the original treats null/undefined as a failed join
            return;
        }
        String ma = JsJson.toJsString(address);
        Joined previous = state.addresses.remove(ma);
        if (previous != null) previous.stop();
        Peer peer = switchboard.connect(StarDialect.REALM, ma, new SocketIoOutlet(client, dialect.meters()), Switchboard.DuplicatePolicy.REPLACE);
        switchboard.join(peer, StarDialect.SWARM, null, SWARM_POLICY);
        byte[] announcement = SocketIoEvents.event("ws-peer", JsJson.stringifyUtf8(TextNode.valueOf(ma)));
        Runnable announce = () -> switchboard.broadcast(peer, StarDialect.SWARM, announcement, 0);
        announce.run();
        ScheduledFuture<?> timer = dialect.timers().scheduleAtFixedRate(() -> {
            if (peer.isConnected()) announce.run();
        }, dialect.refreshMillis(), dialect.refreshMillis(), TimeUnit.MILLISECONDS);
        state.addresses.put(ma, new Joined(peer, timer));
        counters.joinSuccesses.increment();
    }

    /** The original ignores the address given and forgets the socket's own; so does this, for all of them. */
    void leave(SocketIOClient client) {
        dialect.meters().frameIn();
        SocketState state = client.get(STATE);
        if (state != null) leaveAll(state);
    }

    void handshake(SocketIOClient client, JsonNode offer) {
        dialect.meters().frameIn();
        long receivedNanos = System.nanoTime();
        StarCounters counters = dialect.counters();
        counters.dials.increment();
        if (offer == null || !offer.isObject() || isNull(offer.get("srcMultiaddr")) || isNull(offer.get("dstMultiaddr"))) {
            counters.dialFailures.increment(); // dropped without a reply, as the original does
            return;
        }
        String source = JsJson.toJsString(offer.get("srcMultiaddr"));
        String from = client.getSessionId().toString();
        JsonNode answer = offer.get("answer");
        if (answer != null && answer.isBoolean() && answer.booleanValue()) {
            counters.dialSuccesses.increment();
            switchboard.sendTo(StarDialect.REALM, source, from, handshakeFrame(offer), receivedNanos);
            return;
        }
        String destination = JsJson.toJsString(offer.get("dstMultiaddr"));
        if (switchboard.sendTo(StarDialect.REALM, destination, from, handshakeFrame(offer), receivedNanos)
                == SendOutcome.DELIVERED) {
            return;
        }
        counters.dialFailures.increment();
        ((ObjectNode) offer).put("err", "peer is not available");
        switchboard.sendTo(StarDialect.REALM, source, from, handshakeFrame(offer), receivedNanos);
    }

    private void leaveAll(SocketState state) {
        for (Joined joined : state.addresses.values()) {
            joined.stop();
            switchboard.disconnect(joined.peer(), LeaveReason.DISCONNECTED);
        }
        state.addresses.clear();
    }

    private static byte[] handshakeFrame(JsonNode offer) {
        return SocketIoEvents.event("ws-handshake", JsJson.stringifyUtf8(offer));
    }

    private static boolean isNull(JsonNode value) {
        return value == null || value.isNull() || value.isMissingNode();
    }
}
