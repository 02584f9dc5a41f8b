package io.signalman.dialect.pair;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.Channel;
import io.signalman.core.Event;
import io.signalman.core.Ids;
import io.signalman.core.JoinOutcome;
import io.signalman.core.LeaveReason;
import io.signalman.core.Member;
import io.signalman.core.Peer;
import io.signalman.core.Switchboard;
import io.signalman.dialect.JsJson;
import io.signalman.dialect.PausedFrames;
import io.signalman.dialect.WebSocketSession;
import io.signalman.transport.Sockets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pair-protocol connection. Reproduces the original's observable behaviour, quirks included
 * (SEEDS.md §3): {@code bye} does not forget the room, so the peer hears a second {@code bye} from
 * the clean-up and a third when the socket closes. Where the original crashed or leaked (a JSON
 * {@code null}, a second {@code join} on one socket) it ignores the frame or leaves the old room
 * first.
 */
final class PairSession extends WebSocketSession {
    private static final Logger log = LoggerFactory.getLogger(PairSession.class);
    /** Frames kept while a join waits for the cluster; more are dropped, as the rate limit drops them. */
    private static final int MAX_WAITING_FRAMES = 256;

    private final PairDialect dialect;
    private final Switchboard switchboard;
    private Peer peer;
    /** The room this socket joined last; kept after {@code bye}, as the original keeps it. */
    private String room;
    private String quotedRoom;
    private byte[] self; // {"id":…,"userId":…}
    private String userIdJson;
    private String userIdText;
    /** Set (from the replacing connection's thread) when a newer connection of this user took over. */
    private volatile boolean replaced;
    /**
     * Paused while a join waits for the cluster's answer: frames that arrive meanwhile (the offer that
     * follows a join at once) wait and are handled after it, in order; the protocol has no error for
     * one beyond the bound, which is dropped.
     */
    private final PausedFrames waiting = new PausedFrames(MAX_WAITING_FRAMES, Long.MAX_VALUE, false);

    PairSession(PairDialect dialect, Channel channel) {
        super(channel, dialect.meters());
        this.dialect = dialect;
        this.switchboard = dialect.switchboard();
    }

    @Override
    protected void onStart() {
        while (peer == null) {
            peer = switchboard.connect(PairDialect.REALM, Ids.alphanumeric(12), this, Switchboard.DuplicatePolicy.REJECT);
        }
        log.info("Client connected");
    }

    @Override
    protected void onText(byte[] frame, int length, long receivedNanos) {
        if (waiting.isPaused()) {
            waiting.add(frame, length, receivedNanos);
            return;
        }
        handle(frame, length, receivedNanos);
    }

    private void handle(byte[] frame, int length, long receivedNanos) {
        JsonNode message = dialect.json().parse(frame, 0, length);
        // Invalid JSON, null, numbers, strings and arrays are ignored, as the original does (or should).
        if (message == null || !message.isObject()) return;
        JsonNode type = message.get("type");
        if (type == null || !type.isTextual()) return;
        switch (type.textValue()) {
            case "join" -> join(message.get("userId"), message.get("remoteId"));
            case "message" -> {
                if (room != null) relay(PairFrames.message(json(message.get("data")), userIdJson), receivedNanos);
            }
            case "candidate" -> {
                if (room != null) relay(PairFrames.candidate(json(message.get("candidate")), userIdJson), receivedNanos);
            }
            case "bye" -> bye();
            default -> log.debug("Unknown message type: {}", type.textValue());
        }
    }

    private void join(JsonNode userId, JsonNode remoteId) {
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
        String a = JsJson.toJsString(userId);
        String b = JsJson.toJsString(remoteId);
        String name = "room_" + (a.compareTo(b) <= 0 ? a + "_" + b : b + "_" + a);
        log.info("User {} is joining room {} to connect with {}", a, name, b);

        List<Member> replacedMembers = replaceDuplicates(name, userId);
        userIdJson = JsJson.stringify(userId);
        userIdText = a;
        self = PairFrames.member(dialect.nextConnectionId(), userIdJson);
        // With a cluster the answer comes later; what others send this socket as soon as they hear
        // of it waits until it has its own `created`/`joined` and `roomInfo`.
        holdEvents();
        CompletionStage<JoinOutcome> pending = switchboard.joinAsync(peer, name, self, dialect.roomPolicy());
        CompletableFuture<JoinOutcome> now = pending.toCompletableFuture();
        if (now.isDone()) {
            joined(name, a, replacedMembers, now.getNow(null));
            channel.eventLoop().execute(this::releaseEvents); // behind events already queued on this loop
            return;
        }
        waiting.pause();
        pending.whenComplete((outcome, failure) -> channel.eventLoop().execute(() -> {
            if (failure != null) log.warn("Join of room {} failed: {}", name, failure.toString());
            joined(name, a, replacedMembers, failure == null ? outcome : null);
            releaseEvents();
            waiting.resume(channel, this::handle, () -> {});
        }));
    }

    /** The rest of a join, once the core has answered. */
    private void joined(String name, String a, List<Member> replacedMembers, JoinOutcome outcome) {
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
        // The original announced a replaced connection when its socket closed, which is always after
        // this join; announcing it here gives every member the same order without racing that close.
        for (Member old : replacedMembers) announceDeparture(old);
    }

    /** Older connections of the same user in that room are told, closed, and taken out of the room. */
    private List<Member> replaceDuplicates(String name, JsonNode userId) {
        List<Member> replacedMembers = new ArrayList<>(1);
        for (Member member : switchboard.engine().roster(PairDialect.REALM, name)) {
            JsonNode stored = dialect.json().parse(member.meta(), 0, member.meta().length);
            if (stored != null && JsValues.strictEquals(stored.get("userId"), userId)) {
                log.info("Disconnecting previous connection of user {}", JsJson.toJsString(userId));
                if (switchboard.evict(PairDialect.REALM, member.peer(), name, PairFrames.REPLACED)) {
                    replacedMembers.add(member);
                }
            }
        }
        return replacedMembers;
    }

    /** To the other members of the socket's room, even after {@code bye}, as the original relays. */
    private void relay(byte[] frame, long receivedNanos) {
        switchboard.announce(PairDialect.REALM, room, new Event.Relayed(peer.id(), room, frame, receivedNanos), peer.id());
    }

    private void bye() {
        if (room == null) return;
        log.info("User {} left room {}", userIdText, room);
        relay(PairFrames.bye(new Member(peer.id(), self)), 0);
        leaveRoom();
    }

    /**
     * The original's clean-up: leave the room, then the others hear {@code bye} and {@code roomInfo}
     * (from the core's leave event). A socket that is no longer a member, after {@code bye}, still
     * sends both, as the original does.
     */
    private void leaveRoom() {
        if (switchboard.leave(peer, room, LeaveReason.LEFT) == null) announceDeparture(new Member(peer.id(), self));
    }

    /** {@code bye} for {@code member}, then the room's {@code roomInfo}, to everyone now in the room. */
    private void announceDeparture(Member member) {
        List<Member> remaining = switchboard.engine().roster(PairDialect.REALM, room);
        if (remaining.isEmpty()) return;
        switchboard.announce(PairDialect.REALM, room, new Event.Relayed(peer.id(), room, PairFrames.bye(member), 0), null);
        switchboard.announce(PairDialect.REALM, room,
                new Event.Relayed(peer.id(), room, PairFrames.roomInfo(quotedRoom, remaining), 0), null);
    }

    @Override
    protected void onClose() {
        log.info("Client disconnected");
        if (room != null && !replaced) leaveRoom();
        switchboard.disconnect(peer, LeaveReason.DISCONNECTED);
    }

    @Override
    protected void onEvent(Event event) {
        if (event instanceof Event.PeerJoined joined) {
            String quoted = PairFrames.quote(joined.room());
            send(PairFrames.roomEvent("ready", quoted));
            send(PairFrames.roomInfo(quoted, joined.roster()));
        } else if (event instanceof Event.PeerLeft left) {
            if (left.reason() == LeaveReason.KICKED) return; // the replacing connection announces it
            send(PairFrames.bye(left.member()));
            send(PairFrames.roomInfo(PairFrames.quote(left.room()), left.roster()));
        } else if (event instanceof Event.Evicted evicted) {
            replaced = true;
            send(PairFrames.error(evicted.reason()));
            Sockets.closeWithoutStatus(channel);
        }
    }

    private static String json(JsonNode value) {
        return value == null ? null : JsJson.stringify(value);
    }
}
