package io.signalman.dialect.workspaces;

import com.auth0.jwt.interfaces.DecodedJWT;
import com.corundumstudio.socketio.SocketIOClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalman.core.Event;
import io.signalman.core.Ids;
import io.signalman.core.LeaveReason;
import io.signalman.core.Peer;
import io.signalman.core.RoomPolicy;
import io.signalman.core.Switchboard;
import io.signalman.dialect.JsJson;
import io.signalman.dialect.SocketIoConnectionCount;
import io.signalman.dialect.SocketIoOutlet;
import io.signalman.ops.RateLimitedLog;
import io.signalman.transport.socketio.SocketIoEvents;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webRTCWorkspaces events (SEEDS.md §2.4): alerts, check order and payloads as the original
 * server had them. Each socket is a core peer; a workspace is a core room of sockets; "to X" goes
 * to the socket stored for attendee X in the workspace's {@code socketMap}.
 *
 * <p>bcrypt makes token checks slow on purpose, so a socket's events run, one after another in
 * arrival order, on a worker pool rather than on the event loop. That is also why a handler may
 * wait for the store: with {@code --cluster} a read or an update is a Redis round trip, bounded by
 * {@link RedisWorkspaceStore#TIMEOUT}, and only this socket's lane and one worker wait (netty-socketio
 * and Netty threads hand events over and return at once).
 *
 * <p>Handlers decide from what {@link WorkspaceStore#update} saw atomically, then answer: the
 * change function only changes the workspace (it may run twice when another node raced it).
 */
final class WorkspacesEvents {
    private static final Logger log = LoggerFactory.getLogger(WorkspacesEvents.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String LANE = "signalman.workspaces.lane";
    private static final String PEER = "signalman.workspaces.peer";
    private static final RoomPolicy ROOMS = RoomPolicy.unbounded(false);

    static final String BAD_WORKSPACE_ID = "Please provide a valid workspace ID.";
    static final String BAD_ATTENDEE_ID = "Please provide a valid attendee ID.";
    static final String BAD_TOKEN = "Please provide a valid workspace token.";
    static final String ACCESS_DENIED = "Invalid access token. Access is not allowed.";
    static final String NOT_OWNER = "Anauthorized operation. Abort.";
    static final String BAD_INVITE = "Please provide a valid workspace access token.";
    static final String WRONG_PIN = "This workspace is protected with a PIN. Wrong PIN provided.";
    static final String OWNER_CANNOT_LEAVE = "Workspace owner cannot leave. Only shutdown is allowed.";
    static final String OWNER_CANNOT_BE_KICKED = "Workspace owner cannot be kicked out of workspace.";

    private final WorkspacesDialect dialect;
    private final Switchboard switchboard;
    private final WorkspaceStore store;
    private final WorkspaceTokens tokens;
    private final Executor workers;
    private final RateLimitedLog storeLog = new RateLimitedLog(log, 10_000);

    WorkspacesEvents(WorkspacesDialect dialect) {
        this.dialect = dialect;
        this.switchboard = dialect.switchboard();
        this.store = dialect.store();
        this.tokens = dialect.tokens();
        this.workers = dialect.workers();
    }

    /** A handler of one event. */
    interface Handler {
        void handle(SocketIOClient client, ObjectNode data);
    }

    void connected(SocketIOClient client) {
        Peer peer = switchboard.connect(WorkspacesDialect.REALM, client.getSessionId().toString(),
                new SocketIoOutlet(client, dialect.meters()), Switchboard.DuplicatePolicy.REPLACE);
        client.set(PEER, peer);
        client.set(LANE, CompletableFuture.completedFuture(null));
        SocketIoConnectionCount.opened(client, dialect.meters());
    }

    /** The original kept attendees listed after a disconnect (that is what {@code re-attend} restores). */
    void disconnected(SocketIOClient client) {
        Peer peer = client.get(PEER);
        if (peer == null) return;
        submit(client, () -> switchboard.disconnect(peer, LeaveReason.DISCONNECTED));
        SocketIoConnectionCount.closed(client, dialect.meters());
    }

    /** Queues an event behind the socket's earlier ones; malformed payloads (not an object) are ignored. */
    void on(SocketIOClient client, JsonNode data, Handler handler) {
        dialect.meters().frameIn();
        if (!(data instanceof ObjectNode object)) return;
        submit(client, () -> handler.handle(client, object));
    }

    /** {@code iceservers}: the original ignored the payload, so any payload (or none) is answered. */
    void onIceServers(SocketIOClient client) {
        dialect.meters().frameIn();
        submit(client, () -> iceServers(client));
    }

    /** An event the original had no handler for ({@code attendees}): counted, then dropped. */
    void ignored() {
        dialect.meters().frameIn();
    }

    private void submit(SocketIOClient client, Runnable task) {
        synchronized (client) {
            CompletableFuture<Void> lane = client.get(LANE);
            if (lane == null) lane = CompletableFuture.completedFuture(null);
            client.set(LANE, lane.thenRunAsync(() -> {
                try {
                    task.run();
                } catch (WorkspaceStore.Unavailable e) {
                    // The client hears nothing, as when a packet is lost; it may send the event again.
                    dialect.meters().error("store-unavailable");
                    storeLog.info("workspaces: an event was dropped: {}", e.getMessage());
                } catch (RuntimeException e) {
                    log.warn("workspaces event from {} failed: {}", client.getSessionId(), e.toString(), e);
                }
            }, workers));
        }
    }

    // ---- events ------------------------------------------------------------------------------

    void iceServers(SocketIOClient client) {
        dialect.iceServers().fetch(client.getSessionId().toString()).thenAccept(servers -> {
            if (servers != null) toSender(client, "iceservers", servers);
        });
    }

    void create(SocketIOClient client, ObjectNode data) {
        // The original threw on a missing workspace or attendee (and went down): nothing is created.
        if (!(data.get("workspace") instanceof ObjectNode requested)
                || !(data.get("attendee") instanceof ObjectNode requestedAttendee)) {
            return;
        }
        String attendeeId = suppliedIdOr(requestedAttendee.get("id"));
        ObjectNode attendee = NODES.objectNode();
        attendee.put("id", attendeeId);
        attendee.set("name", or(requestedAttendee.get("name"), dialect.anonymousAttendee()));
        attendee.set("avatar", or(requestedAttendee.get("avatar"), ""));
        String pin = pin(requested.get("pin"));

        // The original let a supplied id overwrite a live workspace (taking it from its owner); a
        // taken id gets a fresh one instead, which the client learns from `created`. The token is
        // hashed before the workspace is stored, and another socket (on any node) may take the id
        // meanwhile, so storing is a put-if-absent that draws a new id when it loses.
        String workspaceId = suppliedIdOr(requested.get("id"));
        ObjectNode workspace;
        for (;;) {
            while (store.get(workspaceId) != null) workspaceId = freshId();
            workspace = NODES.objectNode();
            workspace.put("id", workspaceId);
            workspace.set("name", or(requested.get("name"), dialect.untitledWorkspace()));
            workspace.set("avatar", or(requested.get("avatar"), ""));
            workspace.put("owner", attendeeId);
            workspace.put("created", System.currentTimeMillis());
            workspace.put("token", tokens.workspaceToken(workspaceId, pin));
            workspace.putObject("attendees").set(attendeeId, attendee);
            workspace.putObject("socketMap").put(attendeeId, sid(client));
            if (store.create(workspaceId, workspace)) break;
        }

        ObjectNode created = NODES.objectNode();
        created.set("workspace", pick(workspace, "id", "name", "avatar", "owner", "created", "token"));
        created.set("attendee", attendee.deepCopy());
        created.put("accessToken", tokens.accessToken(workspaceId, attendeeId, attendeeId));
        created.set("nonce", or(data.get("nonce"), ""));
        toSender(client, "created", created);
        joinRoom(client, workspaceId);
    }

    void attend(SocketIOClient client, ObjectNode data) {
        // The original threw on a missing workspace or attendee (and went down): ignored.
        if (!(data.get("workspace") instanceof ObjectNode requested)
                || !(data.get("attendee") instanceof ObjectNode requestedAttendee)) {
            return;
        }
        JsonNode token = requested.get("token");
        if (token == null || !token.isTextual() || token.textValue().isEmpty()) {
            alert(client, BAD_INVITE);
            return;
        }
        DecodedJWT invite = tokens.verify(token.textValue());
        String workspaceId = invite == null ? null : invite.getClaim("id").asString();
        if (workspaceId == null || !tokens.matches(invite, workspaceId, pin(requested.get("pin")))) {
            alert(client, WRONG_PIN);
            return;
        }
        String attendeeId = suppliedIdOr(requestedAttendee.get("id"));
        ObjectNode attendee = NODES.objectNode();
        attendee.put("id", attendeeId);
        attendee.set("name", or(requestedAttendee.get("name"), dialect.anonymousAttendee()));
        attendee.set("avatar", or(requestedAttendee.get("avatar"), ""));
        // One atomic step, across nodes too: two attends for the last seat cannot both see it free.
        Outcome outcome = store.update(workspaceId, workspace -> {
            if (workspace == null) return Outcome.MISSING;
            if (!workspace.path("owner").asText().equals(requestedAttendee.path("id").asText(null))
                    && WorkspaceStore.attendeeCount(workspace) >= dialect.capacity()) {
                return Outcome.FULL;
            }
            workspace.withObject("/attendees").set(attendeeId, attendee.deepCopy());
            workspace.withObject("/socketMap").put(attendeeId, sid(client));
            return Outcome.done(workspace);
        });
        if (refused(client, outcome)) return;
        ObjectNode workspace = outcome.workspace();
        ObjectNode grant = NODES.objectNode();
        ObjectNode shown = pick(workspace, "id", "name", "avatar", "owner", "created", "token");
        shown.set("call", workspace.has("call") ? workspace.get("call") : NODES.nullNode());
        grant.set("workspace", shown);
        grant.set("attendee", attendee.deepCopy());
        grant.set("attendees", workspace.get("attendees").deepCopy());
        grant.put("accessToken", tokens.accessToken(workspaceId, workspace.path("owner").asText(), attendeeId));
        grant.set("nonce", or(data.get("nonce"), ""));
        joinRoom(client, workspaceId);
        toSender(client, "attendance-granted", grant);
        toOthers(client, workspaceId, "attend", attendee);
    }

    void reAttend(SocketIOClient client, ObjectNode data) {
        Access access = checkAccessToken(client, data, false);
        if (access == null) return;
        ObjectNode requestedAttendee = object(data, "attendee");
        ObjectNode attendee = NODES.objectNode();
        attendee.put("id", access.attendeeId);
        attendee.set("name", or(requestedAttendee.get("name"), dialect.anonymousAttendee()));
        attendee.set("avatar", or(requestedAttendee.get("avatar"), ""));
        attendee.put("socket", sid(client));
        Outcome outcome = store.update(access.workspaceId, workspace -> {
            if (workspace == null) return Outcome.MISSING;
            workspace.withObject("/attendees").set(access.attendeeId, attendee.deepCopy());
            // The original left socketMap pointing at the old socket; directed messages then went nowhere.
            workspace.withObject("/socketMap").put(access.attendeeId, sid(client));
            return Outcome.done(workspace);
        });
        if (refused(client, outcome)) return;
        ObjectNode workspace = outcome.workspace();
        ObjectNode grant = NODES.objectNode();
        grant.set("workspace", pick(workspace, "id", "name", "avatar", "owner", "created", "token"));
        grant.set("attendee", attendee.deepCopy());
        grant.set("attendees", workspace.get("attendees").deepCopy());
        grant.put("accessToken", tokens.accessToken(access.workspaceId, workspace.path("owner").asText(),
                access.attendeeId));
        grant.put("nonce", "");
        grant.set("call", workspace.has("call") ? workspace.get("call") : NODES.nullNode());
        joinRoom(client, access.workspaceId);
        toSender(client, "re-attendance-granted", grant);
        toOthers(client, access.workspaceId, "attend", attendee);
    }

    void destroy(SocketIOClient client, ObjectNode data) {
        Access access = checkAccessToken(client, data, true);
        if (access == null) return;
        store.remove(access.workspaceId); // the original did not check that it existed
        toOthers(client, access.workspaceId, "destroyed", NODES.objectNode());
        toSender(client, "destroyed", NODES.objectNode());
        leaveRoom(client, access.workspaceId);
    }

    void leave(SocketIOClient client, ObjectNode data) {
        Access access = checkAccessToken(client, data, false);
        if (access == null) return;
        Outcome outcome = store.update(access.workspaceId, workspace -> {
            if (workspace == null) return Outcome.MISSING;
            if (workspace.path("owner").asText().equals(access.attendeeId)) return Outcome.alert(OWNER_CANNOT_LEAVE);
            workspace.withObject("/attendees").remove(access.attendeeId);
            workspace.withObject("/socketMap").remove(access.attendeeId);
            return Outcome.done(workspace);
        });
        if (refused(client, outcome)) return;
        toOthers(client, access.workspaceId, "leave", data.get("attendee"));
        leaveRoom(client, access.workspaceId);
    }

    void kick(SocketIOClient client, ObjectNode data) {
        Access access = checkAccessToken(client, data, true);
        if (access == null) return;
        JsonNode kicked = data.get("kickedAttendee");
        String kickedId = kicked == null ? null : textOrNull(kicked.get("id"));
        Outcome outcome = store.update(access.workspaceId, workspace -> {
            if (workspace == null) return Outcome.MISSING;
            // The original threw here without a kickedAttendee (and went down): ignored.
            if (kicked == null || kicked.isNull() || kicked.isMissingNode()) return Outcome.IGNORED;
            if (workspace.path("owner").asText().equals(kickedId)) return Outcome.alert(OWNER_CANNOT_BE_KICKED);
            if (kickedId == null) return Outcome.done(workspace);
            String socket = workspace.path("socketMap").path(kickedId).asText(null);
            workspace.withObject("/attendees").remove(kickedId);
            workspace.withObject("/socketMap").remove(kickedId);
            return Outcome.kicked(workspace, socket);
        });
        if (refused(client, outcome)) return;
        String kickedSocket = outcome.socket();
        toSender(client, "kicked", kicked);
        toOthers(client, access.workspaceId, "kicked", kicked);
        if (kickedSocket != null) {
            // Out of the room, not disconnected, as the original did it.
            switchboard.evict(WorkspacesDialect.REALM, kickedSocket, access.workspaceId, "kicked");
        }
    }

    void ring(SocketIOClient client, ObjectNode data) {
        Access access = checkAccessToken(client, data, false);
        if (access == null) return;
        JsonNode call = data.path("workspace").get("call");
        Outcome outcome = store.update(access.workspaceId, workspace -> {
            if (workspace == null) return Outcome.MISSING;
            if (call == null) workspace.remove("call"); else workspace.set("call", call.deepCopy());
            return Outcome.done(workspace);
        });
        if (refused(client, outcome)) return;
        ObjectNode ring = NODES.objectNode();
        ring.set("workspace", data.get("workspace"));
        setIfPresent(ring, "caller", data.get("attendee"));
        setIfPresent(ring, "offer", data.get("offer"));
        setIfPresent(ring, "call", data.get("call"));
        ring.set("nonce", or(data.get("nonce"), ""));
        toAttendee(client, outcome.workspace(), data.path("callee").path("id").asText(null), "ring", ring);
    }

    void answer(SocketIOClient client, ObjectNode data) {
        Access access = checkAccessToken(client, data, false);
        if (access == null) return;
        ObjectNode workspace = existing(client, access.workspaceId);
        if (workspace == null) return;
        ObjectNode answer = NODES.objectNode();
        answer.set("workspace", data.get("workspace"));
        setIfPresent(answer, "callee", data.get("attendee"));
        setIfPresent(answer, "answer", data.get("answer"));
        setIfPresent(answer, "call", data.get("call"));
        answer.set("nonce", or(data.get("nonce"), ""));
        toAttendee(client, workspace, data.path("caller").path("id").asText(null), "answer", answer);
    }

    void busy(SocketIOClient client, ObjectNode data) {
        Access access = checkAccessToken(client, data, false);
        if (access == null || existing(client, access.workspaceId) == null) return;
        ObjectNode busy = NODES.objectNode();
        busy.set("workspace", data.get("workspace"));
        setIfPresent(busy, "callee", data.get("attendee"));
        setIfPresent(busy, "call", data.get("call"));
        toOthers(client, access.workspaceId, "busy", busy);
    }

    void hangup(SocketIOClient client, ObjectNode data) {
        Access access = checkAccessToken(client, data, false);
        if (access == null) return;
        Outcome outcome = store.update(access.workspaceId, workspace -> {
            if (workspace == null) return Outcome.MISSING;
            workspace.remove("call");
            return Outcome.done(workspace);
        });
        if (refused(client, outcome)) return;
        ObjectNode hangup = NODES.objectNode();
        setIfPresent(hangup, "attendee", data.get("attendee"));
        setIfPresent(hangup, "call", data.get("call"));
        toOthers(client, access.workspaceId, "hangup", hangup);
    }

    /** No token check, as in the original: candidates flow during set-up. */
    void iceCandidate(SocketIOClient client, ObjectNode data) {
        // Without a workspace the original threw (and went down): ignored, not "destroyed".
        if (!(data.get("workspace") instanceof ObjectNode requested)) return;
        String workspaceId = textOrNull(requested.get("id"));
        ObjectNode workspace = existing(client, workspaceId);
        if (workspace == null) return;
        ObjectNode candidate = NODES.objectNode();
        setIfPresent(candidate, "attendee", data.get("attendee"));
        setIfPresent(candidate, "broadcaster", data.get("broadcaster"));
        setIfPresent(candidate, "candidate", data.get("candidate"));
        toAttendee(client, workspace, data.path("attendee").path("id").asText(null), "icecandidate", candidate);
    }

    /** No token check, as in the original. The addressee sees the sender as {@code attendee}. */
    void negotiation(SocketIOClient client, ObjectNode data) {
        if (!(data.get("workspace") instanceof ObjectNode requested)) return;
        String workspaceId = textOrNull(requested.get("id"));
        ObjectNode workspace = existing(client, workspaceId);
        if (workspace == null) return;
        ObjectNode negotiation = NODES.objectNode();
        setIfPresent(negotiation, "attendee", data.get("broadcaster"));
        setIfPresent(negotiation, "message", data.get("message"));
        toAttendee(client, workspace, data.path("attendee").path("id").asText(null), "negotiation", negotiation);
    }

    /** {@code mic-toggle} and {@code cam-toggle}: the same event to the others. */
    Handler toggle(String event) {
        return (client, data) -> {
            Access access = checkAccessToken(client, data, false);
            if (access == null || existing(client, access.workspaceId) == null) return;
            ObjectNode toggle = NODES.objectNode();
            setIfPresent(toggle, "attendee", data.get("attendee"));
            setIfPresent(toggle, "state", data.get("state"));
            toOthers(client, access.workspaceId, event, toggle);
        };
    }

    // ---- the original's access check ----------------------------------------------------------

    private record Access(String workspaceId, String attendeeId, String owner) {}

    /**
     * What a store update decided: done, with the workspace as stored after it (and the socket of a
     * kicked attendee), or why nothing changed: the workspace is missing, it is full, an alert, or a
     * malformed payload to ignore.
     */
    private record Outcome(Kind kind, ObjectNode workspace, String alert, String socket) {
        enum Kind { DONE, MISSING, FULL, ALERT, IGNORED }

        static final Outcome MISSING = new Outcome(Kind.MISSING, null, null, null);
        static final Outcome FULL = new Outcome(Kind.FULL, null, null, null);
        static final Outcome IGNORED = new Outcome(Kind.IGNORED, null, null, null);

        static Outcome done(ObjectNode workspace) {
            return new Outcome(Kind.DONE, workspace, null, null);
        }

        static Outcome kicked(ObjectNode workspace, String socket) {
            return new Outcome(Kind.DONE, workspace, null, socket);
        }

        static Outcome alert(String text) {
            return new Outcome(Kind.ALERT, null, text, null);
        }
    }

    /** Answers a refusal as the original did ({@code destroyed}, {@code full}, the alert); false if the change was made. */
    private boolean refused(SocketIOClient client, Outcome outcome) {
        switch (outcome.kind()) {
            case DONE -> {
                return false;
            }
            case MISSING -> toSender(client, "destroyed", NODES.objectNode());
            case FULL -> toSender(client, "full", NODES.objectNode());
            case ALERT -> alert(client, outcome.alert());
            case IGNORED -> { }
        }
        return true;
    }

    /** The six checks of the original, in its order; sends the first failing check's alert. */
    private Access checkAccessToken(SocketIOClient client, ObjectNode data, boolean ownerOnly) {
        JsonNode workspaceId = data.path("workspace").get("id");
        if (!isId(workspaceId)) return deny(client, BAD_WORKSPACE_ID);
        JsonNode attendeeId = data.path("attendee").get("id");
        if (!isId(attendeeId)) return deny(client, BAD_ATTENDEE_ID);
        JsonNode token = data.get("accessToken");
        DecodedJWT decoded = token != null && token.isTextual() ? tokens.verify(token.textValue()) : null;
        if (decoded == null) return deny(client, BAD_TOKEN);
        // The original compared ids before bcrypt ran; only bcrypt threw on a missing hash.
        if (!workspaceId.textValue().equals(decoded.getClaim("id").asString())) return deny(client, ACCESS_DENIED);
        if (decoded.getClaim("singningToken").asString() == null) return deny(client, BAD_TOKEN);
        if (!tokens.matches(decoded, workspaceId.textValue(), attendeeId.textValue())) return deny(client, ACCESS_DENIED);
        String owner = decoded.getClaim("owner").asString();
        if (ownerOnly && !attendeeId.textValue().equals(owner)) return deny(client, NOT_OWNER);
        return new Access(workspaceId.textValue(), attendeeId.textValue(), owner);
    }

    private Access deny(SocketIOClient client, String alert) {
        alert(client, alert);
        return null;
    }

    private static boolean isId(JsonNode value) {
        return value != null && value.isTextual() && value.textValue().startsWith("_");
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** The workspace, or null after telling the sender {@code destroyed}. */
    private ObjectNode existing(SocketIOClient client, String workspaceId) {
        ObjectNode workspace = workspaceId == null ? null : store.get(workspaceId);
        if (workspace == null) toSender(client, "destroyed", NODES.objectNode());
        return workspace;
    }

    private void joinRoom(SocketIOClient client, String workspaceId) {
        Peer peer = client.get(PEER);
        if (peer != null && peer.isConnected()) switchboard.join(peer, workspaceId, null, ROOMS);
    }

    private void leaveRoom(SocketIOClient client, String workspaceId) {
        Peer peer = client.get(PEER);
        if (peer != null) switchboard.leave(peer, workspaceId, LeaveReason.LEFT);
    }

    private void toSender(SocketIOClient client, String event, JsonNode argument) {
        dialect.meters().frameOut();
        client.sendEvent(event, argument);
    }

    private void alert(SocketIOClient client, String text) {
        dialect.meters().error("alert");
        dialect.meters().frameOut();
        client.sendEvent("alert", text);
    }

    /** Every other socket in the workspace's room ({@code socket.to(room)}). */
    private void toOthers(SocketIOClient client, String workspaceId, String event, JsonNode argument) {
        byte[] payload = SocketIoEvents.event(event, JsJson.stringifyUtf8(argument == null ? NODES.nullNode() : argument));
        switchboard.announce(WorkspacesDialect.REALM, workspaceId,
                new Event.Relayed(sid(client), workspaceId, payload, System.nanoTime()), sid(client));
    }

    /** The socket the workspace lists for an attendee; an unknown attendee is silently skipped. */
    private void toAttendee(SocketIOClient client, ObjectNode workspace, String attendeeId, String event, JsonNode argument) {
        if (attendeeId == null) return;
        String socket = workspace.path("socketMap").path(attendeeId).asText(null);
        if (socket == null) return;
        switchboard.sendTo(WorkspacesDialect.REALM, socket, sid(client),
                SocketIoEvents.event(event, JsJson.stringifyUtf8(argument)), System.nanoTime());
    }

    private String suppliedIdOr(JsonNode supplied) {
        if (supplied != null && supplied.isTextual() && supplied.textValue().length() > 2
                && supplied.textValue().startsWith("_")) {
            return supplied.textValue();
        }
        return freshId();
    }

    private String freshId() {
        return "_" + Ids.alphanumeric(dialect.idLength());
    }

    private static String textOrNull(JsonNode value) {
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    private static String sid(SocketIOClient client) {
        return client.getSessionId().toString();
    }

    private static ObjectNode object(ObjectNode data, String field) {
        JsonNode value = data.get(field);
        return value instanceof ObjectNode object ? object : NODES.objectNode();
    }

    /** JavaScript's {@code value || fallback}, which the original used for every default. */
    private static JsonNode or(JsonNode value, String fallback) {
        return truthy(value) ? value : NODES.textNode(fallback);
    }

    private static boolean truthy(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) return false;
        if (value.isBoolean()) return value.booleanValue();
        if (value.isNumber()) return value.doubleValue() != 0 && !Double.isNaN(value.doubleValue());
        if (value.isTextual()) return !value.textValue().isEmpty();
        return true;
    }

    /** The PIN as the original hashed it: a non-empty string, or {@code ""} for anything else. */
    private static String pin(JsonNode value) {
        return value != null && value.isTextual() ? value.textValue() : "";
    }

    private static ObjectNode pick(ObjectNode from, String... fields) {
        ObjectNode out = NODES.objectNode();
        for (String field : fields) setIfPresent(out, field, from.get(field));
        return out;
    }

    private static void setIfPresent(ObjectNode target, String field, JsonNode value) {
        if (value != null && !value.isMissingNode()) target.set(field, value);
    }
}
