package io.signalman.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.signalman.core.Event;
import io.signalman.core.LeaveReason;
import io.signalman.core.Member;
import io.signalman.core.Peer;
import io.signalman.core.Switchboard;
import io.signalman.transport.HttpResponses;
import io.signalman.transport.Routes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The operator's API under {@code /admin} on the main listener, behind a bearer token: list rooms
 * and peers per dialect, kick a peer, drain the node. Answers JSON; every call is cheap and
 * non-blocking (it reads the engine's snapshots).
 */
public final class AdminApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] token;
    private final Switchboard switchboard;
    private final Collection<String> dialects;
    private final Runnable drain;

    /**
     * @param token    the bearer token callers must present
     * @param dialects dialect names (each is also its engine realm)
     * @param drain    starts a drain of the node (idempotent, returns at once)
     */
    public AdminApi(String token, Switchboard switchboard, Collection<String> dialects, Runnable drain) {
        this.token = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.switchboard = switchboard;
        this.dialects = List.copyOf(dialects);
        this.drain = drain;
    }

    public void mount(Routes routes) {
        routes.http("/admin", this::handle);
        routes.httpPrefix("/admin/", this::handle);
    }

    private FullHttpResponse handle(FullHttpRequest request) {
        String presented = request.headers().get(HttpHeaderNames.AUTHORIZATION, "");
        // Constant-time comparison: the token must not leak through response timing.
        if (!MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
            FullHttpResponse denied = json(HttpResponseStatus.UNAUTHORIZED, error("a valid bearer token is required"));
            denied.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"signalman-admin\"");
            return denied;
        }
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        String path = query.path();
        boolean get = request.method().equals(HttpMethod.GET);
        boolean post = request.method().equals(HttpMethod.POST);
        return switch (path) {
            case "/admin", "/admin/" -> get ? json(HttpResponseStatus.OK, index()) : notAllowed();
            case "/admin/rooms" -> get ? json(HttpResponseStatus.OK, rooms(param(query, "dialect"))) : notAllowed();
            case "/admin/peers" -> get ? json(HttpResponseStatus.OK, peers(param(query, "dialect"))) : notAllowed();
            case "/admin/kick" -> post ? kick(param(query, "dialect"), param(query, "peer")) : notAllowed();
            case "/admin/drain" -> {
                if (!post) yield notAllowed();
                drain.run();
                ObjectNode body = JSON.createObjectNode().put("draining", true);
                yield json(HttpResponseStatus.ACCEPTED, body);
            }
            default -> json(HttpResponseStatus.NOT_FOUND, error("no admin route " + path));
        };
    }

    private ObjectNode index() {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode routes = body.putArray("routes");
        routes.add("GET /admin/rooms[?dialect=D]").add("GET /admin/peers[?dialect=D]")
                .add("POST /admin/kick?dialect=D&peer=ID").add("POST /admin/drain");
        return body;
    }

    private ObjectNode rooms(String only) {
        ObjectNode body = JSON.createObjectNode();
        for (String dialect : selected(only)) {
            ArrayNode list = body.putArray(dialect);
            for (String room : switchboard.engine().rooms(dialect)) {
                ObjectNode entry = list.addObject().put("room", room);
                ArrayNode members = entry.putArray("peers");
                for (Member member : switchboard.engine().roster(dialect, room)) members.add(member.peer());
            }
        }
        return body;
    }

    private ObjectNode peers(String only) {
        ObjectNode body = JSON.createObjectNode();
        for (String dialect : selected(only)) {
            ArrayNode list = body.putArray(dialect);
            switchboard.engine().peerIds(dialect).stream().sorted().forEach(list::add);
        }
        return body;
    }

    private FullHttpResponse kick(String dialect, String peerId) {
        if (dialect == null || peerId == null || !dialects.contains(dialect)) {
            return json(HttpResponseStatus.BAD_REQUEST, error("give dialect (one of " + dialects + ") and peer"));
        }
        Peer peer = switchboard.engine().find(dialect, peerId);
        if (peer == null) return json(HttpResponseStatus.NOT_FOUND, error("no " + dialect + " peer '" + peerId + "' on this node"));
        // Rooms hear 'kicked' first; then the connection is told and closed in its own protocol.
        switchboard.disconnect(peer, LeaveReason.KICKED);
        peer.outlet().deliver(new Event.Kicked("removed by an operator"));
        return json(HttpResponseStatus.OK, JSON.createObjectNode().put("kicked", peerId).put("dialect", dialect));
    }

    private Collection<String> selected(String only) {
        return only == null ? dialects : dialects.contains(only) ? List.of(only) : List.of();
    }

    private static String param(QueryStringDecoder query, String name) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static FullHttpResponse notAllowed() {
        return json(HttpResponseStatus.METHOD_NOT_ALLOWED, error("method not allowed"));
    }

    private static FullHttpResponse json(HttpResponseStatus status, ObjectNode body) {
        try {
            return HttpResponses.of(status, "application/json", JSON.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** For tests: the map form of a JSON answer. */
    static Map<?, ?> parse(String json) throws java.io.IOException {
        return JSON.readValue(json, Map.class);
    }
}
