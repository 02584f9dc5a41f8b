package io.signalman.dialect.peerjs;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.signalman.config.PeerjsOptions;
import io.signalman.core.Engine;
import io.signalman.core.Event;
import io.signalman.core.LeaveReason;
import io.signalman.core.Peer;
import io.signalman.core.SendOutcome;
import io.signalman.core.Switchboard;
import io.signalman.dialect.JsJson;
import io.signalman.dialect.WebSocketSession;
import io.signalman.transport.Sockets;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PeerJS client socket. It registers its id when it opens: a new id gets {@code OPEN}; an id
 * held by a socket with the same token moves to this socket without {@code OPEN}, and the older
 * socket stays open and may still send (as in the original); any other token gets {@code ID-TAKEN}.
 * A socket that lost its id (to a newer socket, or by a {@code LEAVE} without {@code dst}) keeps
 * sending as that id but no longer receives, and its close no longer touches the id.
 */
final class PeerjsSession extends WebSocketSession {
    private static final Logger log = LoggerFactory.getLogger(PeerjsSession.class);

    private enum Admission { NEW, REPLACED, LIMIT, TAKEN }

    private final PeerjsDialect dialect;
    private final Switchboard switchboard;
    private final PeerjsOptions options;
    private final String uri;
    private String id;
    private String token;
    private String quotedId;
    /** Set once the id is registered; stays the sender's identity after the id is lost. */
    private Peer peer;
    private Admission admission;
    /** Whether this socket holds its id in the core; cleared from other threads when it is replaced. */
    private volatile boolean holdsId;
    private long lastHeartbeatNanos;
    private ScheduledFuture<?> aliveCheck;

    PeerjsSession(PeerjsDialect dialect, Channel channel, String uri) {
        super(channel, dialect.meters());
        this.dialect = dialect;
        this.switchboard = dialect.switchboard();
        this.options = dialect.options();
        this.uri = uri;
    }

    @Override
    protected void onStart() {
        Map<String, List<String>> query = query(uri);
        id = last(query, "id");
        token = last(query, "token");
        String key = last(query, "key");
        if (id.isEmpty() || token.isEmpty() || key.isEmpty()) {
            refuse(PeerjsFrames.error(PeerjsFrames.INVALID_WS_PARAMETERS), "invalid-ws-parameters");
            return;
        }
        if (!key.equals(options.key())) {
            refuse(PeerjsFrames.error(PeerjsFrames.INVALID_KEY), "invalid-key");
            return;
        }
        quotedId = PeerjsFrames.quote(id);
        ClusterPendingMessages shared = dialect.shared();
        // Relays that reach the id once it is registered must wait behind what waited for it in Redis.
        if (shared != null) holdEvents();
        register();
        if (shared != null && peer == null) releaseEvents();
        if (admission == Admission.LIMIT) {
            refuse(PeerjsFrames.error(PeerjsFrames.CONNECTION_LIMIT_EXCEED), "connection-limit");
            return;
        }
        if (admission == Admission.TAKEN) {
            refuse(PeerjsFrames.ID_TAKEN, "id-taken");
            return;
        }
        log.debug("Client connected: {}", id);
        if (admission == Admission.NEW) send(PeerjsFrames.OPEN);
        if (shared != null) {
            shared.take(quotedId, frames -> channel.eventLoop().execute(() -> {
                frames.forEach(this::send);
                releaseEvents();
            }));
        } else {
            // Written from this event loop before any relay another thread hands over meanwhile, which
            // queues behind this task: what waited is delivered first, in the order it was sent.
            for (PendingMessages.Message message : dialect.pending().take(quotedId)) send(message.frame());
        }
        lastHeartbeatNanos = System.nanoTime();
        scheduleAliveCheck(options.aliveTimeoutMs());
    }

    /** Registers the id in the core, or sets why not. */
    private void register() {
        Engine engine = switchboard.engine();
        // The original counted clients only for new ids; concurrent registrations may pass together.
        if (engine.find(PeerjsDialect.REALM, id) == null && engine.peerCount(PeerjsDialect.REALM) >= options.concurrentLimit()) {
            admission = Admission.LIMIT;
            return;
        }
        holdsId = true; // before the core can hand the id on to a newer socket, which clears it
        boolean[] replacing = new boolean[1];
        peer = switchboard.connect(PeerjsDialect.REALM, id, this,
                holder -> replacing[0] = holder.outlet() instanceof PeerjsSession other && token.equals(other.token));
        if (peer == null) {
            holdsId = false;
            admission = Admission.TAKEN;
            return;
        }
        admission = replacing[0] ? Admission.REPLACED : Admission.NEW;
    }

    /** The original sent the error, then closed without a status code (the client sees 1005). */
    private void refuse(byte[] frame, String code) {
        meters.error(code);
        send(frame);
        Sockets.closeWithoutStatus(channel);
    }

    @Override
    protected void onText(byte[] frame, int length, long receivedNanos) {
        if (peer == null) return; // a refused socket: the original never listened to it
        PeerjsDecoder.Message message = dialect.decoder().decode(frame, length);
        if (message == null) return;
        String type = message.type();
        if (type == PeerjsDecoder.HEARTBEAT) {
            lastHeartbeatNanos = System.nanoTime();
            return;
        }
        if (!message.hasDestination()) {
            if (type == PeerjsDecoder.LEAVE) leave();
            return; // the original had nowhere to send it
        }
        byte[] out = PeerjsFrames.relay(type, quotedId, message.dst(), message.payload());
        // Ids are strings, so only a string dst can name a connected client.
        String to = message.dst().isTextual() ? message.dst().textValue() : null;
        ClusterPendingMessages shared = dialect.shared();
        // With a cluster, a message may not overtake this node's unanswered offers for the same id.
        boolean behind = shared != null && to != null && shared.anyBusy() && shared.busy(JsJson.stringify(message.dst()));
        if (to != null && !behind && switchboard.send(peer, to, out, receivedNanos) == SendOutcome.DELIVERED) return;
        if (type == PeerjsDecoder.LEAVE || type == PeerjsDecoder.EXPIRE) {
            if (behind) switchboard.send(peer, to, out, receivedNanos); // never queued, so nothing to wait behind
            return;
        }
        String dstJson = JsJson.stringify(message.dst());
        if (shared != null) {
            offerShared(shared, to, dstJson, out);
            return;
        }
        PendingMessages.Offer offer = dialect.pending().offer(
                new PendingMessages.Message(id, quotedId, message.dst(), dstJson, out),
                () -> to != null && switchboard.send(peer, to, out, receivedNanos) == SendOutcome.DELIVERED,
                (task, delayMillis) -> channel.eventLoop().schedule(task, delayMillis, TimeUnit.MILLISECONDS));
        if (offer == PendingMessages.Offer.REFUSED) {
            meters.error("queue-full");
            send(PeerjsFrames.expire(dstJson, quotedId));
        }
    }

    /**
     * Queues in Redis; the answer comes on a Redis thread. A refusal, or a Redis that does not
     * answer, gets the sender {@code EXPIRE} at once, as a full queue does on one node.
     */
    private void offerShared(ClusterPendingMessages shared, String to, String dstJson, byte[] out) {
        shared.offer(id, to, dstJson, out, outcome -> {
            if (outcome == ClusterPendingMessages.Outcome.REFUSED) {
                meters.error("queue-full");
            } else if (outcome == ClusterPendingMessages.Outcome.UNAVAILABLE) {
                meters.error("queue-unavailable");
            } else {
                return;
            }
            send(PeerjsFrames.expire(dstJson, quotedId));
        });
    }

    /** {@code LEAVE} without {@code dst}: the original forgot the client but kept its socket open. */
    private void leave() {
        if (!holdsId) return;
        holdsId = false;
        releaseShared();
        switchboard.disconnect(peer, LeaveReason.LEFT);
    }

    /** The id leaves this node: with a cluster, messages for it wait in Redis again. */
    private void releaseShared() {
        ClusterPendingMessages shared = dialect.shared();
        if (shared != null) shared.release(quotedId);
    }

    private void scheduleAliveCheck(long delayMillis) {
        aliveCheck = channel.eventLoop().schedule(this::checkAlive, delayMillis, TimeUnit.MILLISECONDS);
    }

    /** On the event loop: close a client whose last HEARTBEAT (or registration) is older than the alive timeout. */
    private void checkAlive() {
        if (!holdsId || !channel.isActive()) return;
        long silentMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastHeartbeatNanos);
        if (silentMillis < options.aliveTimeoutMs()) {
            scheduleAliveCheck(options.aliveTimeoutMs() - silentMillis);
            return;
        }
        log.debug("Closing {}: no HEARTBEAT for {} ms", id, silentMillis);
        meters.error("alive-timeout");
        holdsId = false;
        releaseShared();
        switchboard.disconnect(peer, LeaveReason.DISCONNECTED);
        Sockets.closeWithoutStatus(channel);
    }

    @Override
    protected void onClose() {
        if (aliveCheck != null) aliveCheck.cancel(false);
        if (peer == null) return;
        log.debug("Client disconnected: {}", id);
        // Not on an eviction: the newer holder may be on this node, and its take has marked it already.
        if (holdsId) releaseShared();
        holdsId = false;
        switchboard.disconnect(peer, LeaveReason.DISCONNECTED); // removes the id only if this socket still holds it
    }

    @Override
    protected void onEvent(Event event) {
        // No rooms in this protocol; an eviction means a newer socket took the id (the same token on
        // this node, or a registration on another node that won the race for it).
        if (!(event instanceof Event.Evicted)) return;
        holdsId = false;
        // A newer holder on this node has marked the id as here already; one on another node has
        // not, if this node's take ran last: then forget it, so that messages wait rather than vanish.
        Peer holder = switchboard.engine().find(PeerjsDialect.REALM, id);
        if (holder == null || holder == peer) releaseShared();
    }

    /**
     * The query as {@code new URL(...).searchParams} reads it: '+' is a space, the last of repeated
     * names wins. A malformed percent escape makes the whole query unreadable here (the original
     * kept such text undecoded); clients never produce one.
     */
    private static Map<String, List<String>> query(String uri) {
        try {
            return QueryStringDecoder.builder().charset(StandardCharsets.UTF_8).hasPath(true)
                    .semicolonIsNormalChar(true).build(uri).parameters();
        } catch (IllegalArgumentException e) {
            return Map.of();
        }
    }

    private static String last(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? "" : values.get(values.size() - 1);
    }
}
