package io.signalman.dialect.nativeproto;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.signalman.core.Event;
import io.signalman.core.Ids;
import io.signalman.core.JoinOutcome;
import io.signalman.core.LeaveReason;
import io.signalman.core.Member;
import io.signalman.core.Peer;
import io.signalman.core.SendOutcome;
import io.signalman.core.SessionAdoption;
import io.signalman.core.SessionKeeper;
import io.signalman.core.Switchboard;
import io.signalman.dialect.PausedFrames;
import io.signalman.dialect.WebSocketSession;
import io.signalman.security.Identity;
import io.signalman.ice.IceGrant;
import io.signalman.transport.Sockets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One native-protocol connection: decodes its frames into core operations and encodes the core's
 * events for it. All inbound work runs on the connection's event loop; {@link #deliver} may be
 * called from any thread and only hands a finished frame to the channel.
 */
final class NativeSession extends WebSocketSession {
    private static final int PEER_ID_LENGTH = 10;
    private static final int SESSION_SECRET_BYTES = 24;
    /** Bytes of frames kept while a join waits for the cluster (about one Redis round trip). */
    private static final int MAX_WAITING_BYTES = 1 << 20;

    private final NativeDialect dialect;
    private final Switchboard switchboard;
    private final NativeDecoder decoder;
    private final NativeRequest request = new NativeRequest();
    private final Map<String, byte[]> quotedRooms = new HashMap<>();
    private Peer peer;
    /** The secret that names this session for a comeback (resume), or null when sessions are not kept. */
    private String sessionToken;
    private byte[] quotedId;
    private byte[] signalPrefix;
    private int oversizeStrikes;
    /** The push of fresh ICE credentials before the last ones expire; null when nothing expires. */
    private ScheduledFuture<?> iceRefresh;
    /**
     * Paused while a join waits for the cluster's answer: replies must follow the order of requests
     * (docs/protocol.md §10), so frames that arrive meanwhile wait, in order; one beyond the bound
     * gets {@code rate-limited} in its turn.
     */
    private final PausedFrames waiting = new PausedFrames(Integer.MAX_VALUE, MAX_WAITING_BYTES, true);

    private final NativeDialect.Admission admission;

    NativeSession(NativeDialect dialect, Channel channel, NativeDialect.Admission admission) {
        super(channel, dialect.meters());
        this.admission = admission;
        this.dialect = dialect;
        this.switchboard = dialect.switchboard();
        this.decoder = dialect.decoder();
    }

    @Override
    protected void onStart() {
        if (admission.refusal() != null) {
            refuse(ErrorCode.UNAUTHORIZED, admission.refusal());
            return;
        }
        SessionKeeper keeper = dialect.sessions();
        if (keeper != null && admission.resumeToken() != null) {
            String token = admission.resumeToken();
            // A session proved by a token comes back only with a token for the same identity: the
            // resume secret alone must not shed the room grants that the token limits it to.
            if (keeper.credentials(token) instanceof Identity bound
                    && (admission.identity() == null || !admission.identity().peerId().equals(bound.peerId()))) {
                dialect.countResume("refused");
                refuse(ErrorCode.UNAUTHORIZED, "resuming this session needs a token for peer '" + bound.peerId() + "'");
                return;
            }
            String proven = admission.identity() == null ? null : admission.identity().peerId();
            // The welcome must precede the held frames, and a session taken over from another node
            // arrives later, on a Redis thread: keep events back until the welcome is out.
            holdEvents();
            keeper.resumeAnywhere(token, proven, this, admission.identity()).whenComplete((adoption, failure) ->
                    channel.eventLoop().execute(() -> resumed(token, failure == null ? adoption : null)));
            return;
        }
        freshSession();
    }

    /** On the event loop, once a {@code ?resume=} has been looked up here or taken over from elsewhere. */
    private void resumed(String token, SessionAdoption adoption) {
        if (adoption != null && adoption.refused()) {
            dialect.countResume("refused");
            releaseEvents();
            refuse(ErrorCode.UNAUTHORIZED, "resuming this session needs a token for the same peer id");
            return;
        }
        if (adoption == null || adoption.peer() == null) {
            dialect.countResume("unknown");
            releaseEvents();
            if (channel.isActive()) freshSession();
            return;
        }
        dialect.countResume("resumed");
        sessionToken = token;
        if (!channel.isActive()) {
            // Lost while the session came over: it waits for the client's next attempt, here now.
            peer = adoption.peer();
            dialect.sessions().park(token, this);
            return;
        }
        start(adoption.peer(), List.copyOf(adoption.peer().rooms()));
        releaseEvents();
    }

    private void freshSession() {
        SessionKeeper keeper = dialect.sessions();
        Peer registered = null;
        if (admission.identity() != null) {
            registered = switchboard.connect(NativeDialect.REALM, admission.identity().peerId(), this,
                    dialect.config().auth().duplicatePolicy());
            if (registered == null) {
                refuse(ErrorCode.ID_TAKEN, "peer id '" + admission.identity().peerId() + "' is already connected");
                return;
            }
        }
        while (registered == null) {
            registered = switchboard.connect(NativeDialect.REALM, Ids.alphanumeric(PEER_ID_LENGTH), this,
                    Switchboard.DuplicatePolicy.REJECT);
        }
        String token = Ids.secret(SESSION_SECRET_BYTES);
        if (keeper != null) {
            keeper.open(token, registered, this, admission.identity());
            sessionToken = token;
        }
        start(registered, null);
    }

    /**
     * Greets the client as {@code registered}. Held events of a resumed session were queued on this
     * connection's event loop by the keeper, so they follow the welcome.
     */
    private void start(Peer registered, List<String> resumedRooms) {
        peer = registered;
        quotedId = NativeFrames.quote(peer.id());
        signalPrefix = NativeFrames.signalPrefix(quotedId, null);
        String token = sessionToken != null ? sessionToken : Ids.secret(SESSION_SECRET_BYTES);
        IceGrant ice = grantIce();
        send(NativeFrames.welcome(peer.id(), token, resumedRooms, IceServersJson.encode(ice),
                ice.ttlSeconds(), dialect.config().heartbeatMs(), dialect.config().messageBytes()));
    }

    /** Answers a connection that may not have a session with one error frame, then closes it. */
    private void refuse(ErrorCode code, String message) {
        meters.error(code.wireName);
        send(NativeFrames.error(code, message, null));
        closeForPolicy(WebSocketCloseStatus.POLICY_VIOLATION.code(), code.wireName);
    }

    @Override
    protected void onClientClosing() {
        SessionKeeper keeper = dialect.sessions();
        if (peer == null || keeper == null || sessionToken == null || Sockets.closedCleanly(channel)) return;
        // A close that keeps the session (e.g. 4000 when a drain sends the client elsewhere): hold
        // its events from now on, since nothing written after the echo reaches the client.
        if (keeper.park(sessionToken, this)) {
            redirectEvents(peer.outlet());
            handHeldEventsTo(peer.outlet()); // kept back for a join still pending: the session keeps them
        }
    }

    @Override
    protected void onClose() {
        if (iceRefresh != null) iceRefresh.cancel(false);
        if (peer == null) return;
        SessionKeeper keeper = dialect.sessions();
        if (keeper == null || sessionToken == null) {
            switchboard.disconnect(peer, LeaveReason.DISCONNECTED);
        } else if (Sockets.closedCleanly(channel) || closedByPolicy()) {
            // Ended on purpose, by the client or for cause: no comeback. Unless another connection
            // has already taken the session over, in which case it is that one's to end.
            if (keeper.close(sessionToken, this)) switchboard.disconnect(peer, LeaveReason.DISCONNECTED);
        } else {
            // A loss: the rooms hear nothing unless the window passes.
            if (keeper.park(sessionToken, this)) handHeldEventsTo(peer.outlet());
        }
    }

    @Override
    protected void onBinary() {
        if (peer == null) return;
        error(ErrorCode.UNSUPPORTED, "binary frames are not supported; send JSON text", null);
    }

    @Override
    protected void onText(byte[] frame, int length, long receivedNanos) {
        if (peer == null) return;
        if (waiting.isPaused()) {
            waiting.add(frame, length, receivedNanos);
            return;
        }
        handle(frame, length, receivedNanos);
    }

    private void handle(byte[] frame, int length, long receivedNanos) {
        int limit = dialect.config().messageBytes();
        if (length > limit) {
            error(ErrorCode.TOO_LARGE, "frame of " + length + " bytes exceeds the limit of " + limit, null);
            if (++oversizeStrikes >= NativeDialect.OVERSIZE_STRIKES) {
                closeForPolicy(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "too many oversized frames");
            }
            return;
        }
        oversizeStrikes = 0;
        DecodeError fault = decoder.decode(frame, length, request);
        if (fault != null) {
            error(fault.code(), fault.message(), fault.idJson());
            return;
        }
        switch (request.type) {
            case JOIN -> join();
            case LEAVE -> leave();
            case SIGNAL -> signal(receivedNanos);
            case BROADCAST -> broadcast(receivedNanos);
            case ICE -> sendIceServers(request.idJson);
            case PING -> send(NativeFrames.pong(request.idJson));
        }
    }

    /** An {@code ice-servers} frame with fresh credentials: the answer to {@code ice} ({@code re}) or a push (null). */
    private void sendIceServers(String re) {
        IceGrant ice = grantIce();
        send(NativeFrames.iceServers(re, IceServersJson.encode(ice), ice.ttlSeconds()));
    }

    /**
     * Mints this peer's ICE servers and re-arms the push of the next ones, so the client always holds
     * credentials that have not expired. The timer runs on the channel's event loop, like every other
     * touch of this session, so it needs no lock and costs no thread.
     */
    private IceGrant grantIce() {
        IceGrant ice = dialect.ice().grant(peer.id());
        if (iceRefresh != null) iceRefresh.cancel(false);
        iceRefresh = ice.ttlSeconds() == 0 ? null : channel.eventLoop().schedule(() -> {
            if (channel.isActive()) sendIceServers(null);
        }, ice.refreshDelayMillis(), TimeUnit.MILLISECONDS);
        return ice;
    }

    private void join() {
        String room = request.room;
        if (admission.identity() != null && !admission.identity().mayJoin(room)) {
            error(ErrorCode.FORBIDDEN, "your token does not grant room '" + room + "'", request.idJson);
            return;
        }
        byte[] meta = request.hasMeta() ? Arrays.copyOfRange(request.source, request.metaStart, request.metaEnd) : null;
        String re = request.idJson;
        // A cluster may answer later, while other members already hear of this peer and signal it:
        // their frames wait until the client has its `joined`, which lists them.
        holdEvents();
        CompletionStage<JoinOutcome> pending = switchboard.joinAsync(peer, room, meta, dialect.roomPolicy());
        CompletableFuture<JoinOutcome> now = pending.toCompletableFuture();
        if (now.isDone()) {
            // Answered at once (one node): events kept back meanwhile may trail others already
            // queued on this loop by their senders' threads, so they go out behind those.
            answerJoin(room, re, now.getNow(null), null);
            channel.eventLoop().execute(this::releaseEvents);
            return;
        }
        waiting.pause();
        pending.whenComplete((outcome, failure) -> channel.eventLoop().execute(() -> {
            answerJoin(room, re, outcome, failure);
            releaseEvents();
            waiting.resume(channel, this::handle, this::onRateLimited);
        }));
    }

    private void answerJoin(String room, String re, JoinOutcome outcome, Throwable failure) {
        if (failure != null || outcome == null) {
            error(ErrorCode.INTERNAL, "internal error", re);
        } else if (outcome instanceof JoinOutcome.Joined joined) {
            send(NativeFrames.joined(re, room, joined.others()));
        } else if (outcome instanceof JoinOutcome.Full full) {
            error(ErrorCode.ROOM_FULL, "room '" + room + "' is full (" + full.capacity() + " peers)", re);
        } else if (outcome instanceof JoinOutcome.AlreadyIn) {
            error(ErrorCode.ALREADY_IN_ROOM, "already in room '" + room + "'", re);
        } else if (outcome instanceof JoinOutcome.TooManyRooms tooMany) {
            error(ErrorCode.FORBIDDEN, "a peer may be in at most " + tooMany.limit() + " rooms", re);
        }
    }

    private void leave() {
        String room = request.room;
        List<Member> remaining = switchboard.leave(peer, room, LeaveReason.LEFT);
        if (remaining == null) {
            error(ErrorCode.NOT_IN_ROOM, "not in room '" + room + "'", request.idJson);
            return;
        }
        quotedRooms.remove(room);
        send(NativeFrames.left(request.idJson, room));
    }

    private void signal(long receivedNanos) {
        String room = request.room;
        if (request.to.equals(peer.id())) {
            answer(SendOutcome.SELF, room);
            return;
        }
        byte[] prefix = room == null ? signalPrefix : NativeFrames.signalPrefix(quotedId, quotedRoom(room));
        byte[] frame = NativeFrames.wrap(prefix, request.source, request.dataStart, request.dataEnd);
        SendOutcome outcome = dialect.config().openAddressing() && room == null
                ? switchboard.send(peer, request.to, frame, receivedNanos)
                : switchboard.signal(peer, request.to, room, frame, receivedNanos);
        answer(outcome, room);
    }

    private void broadcast(long receivedNanos) {
        String room = request.room;
        byte[] frame = NativeFrames.wrap(NativeFrames.broadcastPrefix(quotedRoom(room), quotedId),
                request.source, request.dataStart, request.dataEnd);
        answer(switchboard.broadcast(peer, room, frame, receivedNanos), room);
    }

    private void answer(SendOutcome outcome, String room) {
        String re = request.idJson;
        switch (outcome) {
            case DELIVERED -> {
                if (re != null) send(NativeFrames.ack(re));
            }
            case NOT_IN_ROOM -> error(ErrorCode.NOT_IN_ROOM, "not in room '" + room + "'", re);
            case PEER_UNAVAILABLE -> error(ErrorCode.PEER_UNAVAILABLE,
                    "no peer '" + request.to + "' in " + (room == null ? "your rooms" : "room '" + room + "'"), re);
            case SELF -> error(ErrorCode.BAD_REQUEST, "'to' is your own peer id", re);
        }
    }

    private byte[] quotedRoom(String room) {
        byte[] quoted = quotedRooms.get(room);
        if (quoted == null) {
            quoted = NativeFrames.quote(room);
            if (quotedRooms.size() < 64) quotedRooms.put(room, quoted);
        }
        return quoted;
    }

    private void error(ErrorCode code, String message, String re) {
        meters.error(code.wireName);
        send(NativeFrames.error(code, message, re));
    }

    @Override
    protected void onEvent(Event event) {
        if (event instanceof Event.PeerJoined joined) {
            send(NativeFrames.peerJoined(joined.room(), joined.member()));
        } else if (event instanceof Event.PeerLeft left) {
            send(NativeFrames.peerLeft(left.room(), left.member().peer(), left.reason()));
        } else if (event instanceof Event.Evicted evicted) {
            meters.error(ErrorCode.EVICTED.wireName);
            send(NativeFrames.error(ErrorCode.EVICTED, evicted.reason(), null));
            closeForPolicy(WebSocketCloseStatus.POLICY_VIOLATION.code(), "evicted");
        }
    }

    @Override
    protected void onRateLimited() {
        error(ErrorCode.RATE_LIMITED, "too many frames; slow down", null);
    }

    @Override
    protected void onKicked(String reason) {
        refuse(ErrorCode.KICKED, reason);
    }

    @Override
    protected void onGoingAway(long reconnectMs) {
        send(NativeFrames.goaway("draining", reconnectMs));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (peer != null) error(ErrorCode.INTERNAL, "internal error", null);
        super.exceptionCaught(ctx, cause);
    }
}
