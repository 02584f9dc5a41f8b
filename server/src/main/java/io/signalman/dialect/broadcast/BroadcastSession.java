package io.signalman.dialect.broadcast;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.Channel;
import io.signalman.core.Event;
import io.signalman.core.Ids;
import io.signalman.core.LeaveReason;
import io.signalman.core.Member;
import io.signalman.core.Peer;
import io.signalman.core.RoomPolicy;
import io.signalman.core.Switchboard;
import io.signalman.dialect.JsJson;
import io.signalman.dialect.WebSocketSession;
import java.util.Arrays;

/**
 * One broadcast client. Text frames are copied once and handed to every other member; binary
 * frames are ignored (they crashed the original).
 */
final class BroadcastSession extends WebSocketSession {
    private final BroadcastDialect dialect;
    private final Switchboard switchboard;
    private final String room;
    private final RoomPolicy policy;
    private Peer peer;
    /** In code mode: the room of the code this client registered with its first coded frame. */
    private String codeRoom;

    BroadcastSession(BroadcastDialect dialect, Channel channel, String room, RoomPolicy policy) {
        super(channel, dialect.meters());
        this.dialect = dialect;
        this.switchboard = dialect.switchboard();
        this.room = room;
        this.policy = policy;
    }

    @Override
    protected void onStart() {
        while (peer == null) {
            peer = switchboard.connect(BroadcastDialect.REALM, Ids.alphanumeric(12), this, Switchboard.DuplicatePolicy.REJECT);
        }
        if (!dialect.byCode()) switchboard.join(peer, room, null, policy);
    }

    @Override
    protected void onText(byte[] frame, int length, long receivedNanos) {
        byte[] copy = Arrays.copyOf(frame, length);
        if (!dialect.byCode()) {
            switchboard.broadcast(peer, room, copy, receivedNanos);
            return;
        }
        String code = code(frame, length);
        if (code == null) return;
        if (codeRoom == null) {
            codeRoom = room + "/code/" + code;
            switchboard.join(peer, codeRoom, null, policy);
        }
        // The first other client that registered the same code, as the blog's server picks it.
        for (Member member : switchboard.engine().roster(BroadcastDialect.REALM, room + "/code/" + code)) {
            if (!member.peer().equals(peer.id())) {
                switchboard.send(peer, member.peer(), copy, receivedNanos);
                return;
            }
        }
    }

    /** The frame's {@code code} as the blog's server keyed its map ({@code String(code)}), or null if not JSON. */
    private String code(byte[] frame, int length) {
        JsonNode message = dialect.json().parse(frame, 0, length);
        if (message == null || message.isNull()) return null; // the original threw here
        return JsJson.toJsString(message.get("code"));
    }

    @Override
    protected void onClose() {
        switchboard.disconnect(peer, LeaveReason.DISCONNECTED);
    }

    @Override
    protected void onEvent(Event event) {
        // Nothing server-originated exists in this protocol.
    }

}
