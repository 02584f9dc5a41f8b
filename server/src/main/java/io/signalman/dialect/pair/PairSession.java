package io.signalman.dialect.pair;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.Channel;
import io.signalman.core.Event;
import io.signalman.core.JoinOutcome;
import io.signalman.core.LeaveReason;
import io.signalman.core.Member;
import io.signalman.core.Peer;
import io.signalman.core.Switchboard;
import io.signalman.dialect.JsonObjectScan;
import io.signalman.dialect.JsonObjectScan.Field;
import io.signalman.dialect.WebSocketSession;
import io.signalman.transport.Sockets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pair-protocol connection. Reproduces the original's observable behaviour, quirks included
 * (SEEDS.md §3): {@code bye} does not forget the room, so the peer hears a second {@code bye} from
 * the clean-up and a third when the socket closes; a replaced connection's {@code bye} arrives when
 * it closes. Where the original crashed or leaked (a JSON {@code null}, a second {@code join} on one
 * socket) it ignores the frame or leaves the old room first.
 */
final class PairSession extends WebSocketSession {
    private static final Logger log = LoggerFactory.getLogger(PairSession.class);

    private final PairDialect dialect;
    private final Switchboard switchboard;
    private Peer peer;
    private String connectionId;
    /** The room this socket joined last; kept after {@code bye}, as the original keeps it. */
    private String room;
    private String quotedRoom;
    private byte[] self; // {"id":…,"userId":…}
    private byte[] fromSuffix;

    PairSession(PairDialect dialect, Channel channel) {
        super(channel, dialect.meters());
        this.dialect = dialect;
        this.switchboard = dialect.switchboard();
    }

    @Override
    protected void onStart() {
        while (peer == null) {
            connectionId = dialect.nextConnectionId();
            peer = switchboard.connect(PairDialect.REALM, connectionId, this, Switchboard.DuplicatePolicy.REJECT);
        }
        log.info("Client connected");
    }

    @Override
    protected void onText(byte[] frame, int length, long receivedNanos) {
        List<Field> fields = dialect.scan().scan(frame, length);
        if (fields == null) return; // invalid JSON, null, numbers, strings, arrays: ignored, as the original does
        Field type = JsonObjectScan.find(fields, "type");
        if (type == null || !type.isString()) return;
        switch (type.text()) {
            case "join" -> join(frame, fields);
            case "message" -> relayMessage(frame, JsonObjectScan.find(fields, "data"), receivedNanos);
            case "candidate" -> relayCandidate(frame, JsonObjectScan.find(fields, "candidate"), receivedNanos);
            case "bye" -> bye();
            default -> log.debug("Unknown message type: {}", type.text());
        }
    }

    private void join(byte[] frame, List<Field> fields) {
        JsonNode userId = value(frame, JsonObjectScan.find(fields, "userId"));
        JsonNode remoteId = value(frame, JsonObjectScan.find(fields, "remoteId"));
        if (!JsValues.truthy(userId) || !JsValues.truthy(remoteId)) {
            send(PairFrames.error(PairFrames.MISSING_PARAMETERS));
            return;
        }
        if (JsValues.strictEquals(userId, remoteId)) {
            send(PairFrames.error(PairFrames.SELF_CALL));
            Sockets.closeWithoutStatus(channel);
            return;
        }
        if (room != null) {
            leaveRoom(); // the original left this socket listed in its old room; leave it properly
            room = null;
        }
        String a = JsValues.toJsString(userId);
        String b = JsValues.toJsString(remoteId);
        String name = "room_" + (a.compareTo(b) <= 0 ? a + "_" + b : b + "_" + a);
        log.info("User {} is joining room {} to connect with {}", a, name, b);

        kickDuplicate(name, userId);
        String userIdJson = JsValues.stringify(userId);
        self = PairFrames.member(connectionId, userIdJson);
        fromSuffix = PairFrames.fromSuffix(userIdJson);
        JoinOutcome outcome = switchboard.join(peer, name, self, dialect.roomPolicy());
        if (!(outcome instanceof JoinOutcome.Joined joined)) {
            send(PairFrames.error("Room " + name + " is full"));
            return;
        }
        room = name;
        quotedRoom = PairFrames.quote(name);
        if (joined.others().isEmpty()) {
            log.info("Created new room: {}", name);
            log.info("User {} is initiator for room {}", a, name);
            send(PairFrames.roomEvent("created", quotedRoom));
        } else {
            send(PairFrames.roomEvent("joined", quotedRoom));
        }
        send(PairFrames.roomInfo(quotedRoom, joined.roster()));
    }

    /** An older connection of the same user in that room is told, closed, and taken out of the room. */
    private void kickDuplicate(String name, JsonNode userId) {
        for (Member member : switchboard.engine().roster(PairDialect.REALM, name)) {
            JsonNode stored = JsValues.parse(member.meta(), 0, member.meta().length);
            if (stored != null && JsValues.strictEquals(stored.get("userId"), userId)) {
                log.info("Disconnecting previous connection {} of user {}", member.peer(), JsValues.toJsString(userId));
                switchboard.evict(PairDialect.REALM, member.peer(), name, PairFrames.REPLACED);
            }
        }
    }

    private void relayMessage(byte[] frame, Field data, long receivedNanos) {
        if (room == null) return;
        byte[] out = data == null ? PairFrames.message(frame, -1, -1, fromSuffix)
                : PairFrames.message(frame, data.start(), data.end(), fromSuffix);
        relay(out, receivedNanos);
    }

    private void relayCandidate(byte[] frame, Field candidate, long receivedNanos) {
        if (room == null) return;
        byte[] out = candidate == null ? PairFrames.candidate(frame, -1, -1, fromSuffix)
                : PairFrames.candidate(frame, candidate.start(), candidate.end(), fromSuffix);
        relay(out, receivedNanos);
    }

    /** To the other members of the socket's room, even after {@code bye}, as the original relays. */
    private void relay(byte[] frame, long receivedNanos) {
        switchboard.announce(PairDialect.REALM, room, new Event.Relayed(peer.id(), room, frame, receivedNanos), peer.id());
    }

    private void bye() {
        if (room == null) return;
        log.info("User {} sent bye in room {}", userIdText(), room);
        relay(PairFrames.bye(new Member(peer.id(), self)), 0);
        leaveRoom();
    }

    /**
     * The original's clean-up: leave the room, then the others hear {@code bye} and {@code roomInfo}.
     * A socket that is no longer a member (after {@code bye}, or replaced) still sends both.
     */
    private void leaveRoom() {
        List<Member> remaining = switchboard.leave(peer, room, LeaveReason.LEFT);
        if (remaining == null) {
            remaining = switchboard.engine().roster(PairDialect.REALM, room);
            if (remaining.isEmpty()) return;
            relay(PairFrames.bye(new Member(peer.id(), self)), 0);
            relay(PairFrames.roomInfo(quotedRoom, remaining), 0);
        }
    }

    @Override
    protected void onClose() {
        log.info("Client disconnected");
        if (room != null) leaveRoom();
        switchboard.disconnect(peer, LeaveReason.DISCONNECTED);
    }

    @Override
    protected void onEvent(Event event) {
        if (event instanceof Event.PeerJoined joined) {
            String quoted = PairFrames.quote(joined.room());
            send(PairFrames.roomEvent("ready", quoted));
            send(PairFrames.roomInfo(quoted, joined.roster()));
        } else if (event instanceof Event.PeerLeft left) {
            if (left.reason() == LeaveReason.KICKED) return; // its bye comes when its socket closes
            send(PairFrames.bye(left.member()));
            send(PairFrames.roomInfo(PairFrames.quote(left.room()), left.roster()));
        } else if (event instanceof Event.Evicted evicted) {
            send(PairFrames.error(evicted.reason()));
            Sockets.closeWithoutStatus(channel);
        }
    }

    private String userIdText() {
        JsonNode stored = JsValues.parse(self, 0, self.length);
        return stored == null ? "?" : JsValues.toJsString(stored.get("userId"));
    }

    private static JsonNode value(byte[] frame, Field field) {
        return field == null ? null : JsValues.parse(frame, field.start(), field.end());
    }
}
