package io.signalman.dialect.peerjs;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.signalman.core.Engine;
import io.signalman.dialect.JsJson;
import io.signalman.transport.HttpResponses;
import io.signalman.transport.HttpRoute;
import java.util.List;
import java.util.UUID;

/**
 * The PeerJS server's HTTP API under one base path: {@code GET <base>/} (server info),
 * {@code GET <base>/<key>/id} (a fresh id) and {@code GET <base>/<key>/peers} (connected ids, when
 * discovery is allowed), with the CORS headers of the {@code cors} middleware it used. Paths match
 * as Express matched them: case-insensitively, one trailing slash allowed, any key in the URL (the
 * original checked the key only on the WebSocket).
 */
final class PeerjsApi implements HttpRoute {
    private static final String JSON = "application/json; charset=utf-8";
    private static final String HTML = "text/html; charset=utf-8";
    /** Same keys as the original's answer; the values say what this server is. */
    private static final String INFO = "{\"name\":\"Signalman\",\"description\":"
            + "\"A WebRTC signaling server; this endpoint speaks the PeerJS server protocol.\","
            + "\"website\":\"https://peerjs.com/\"}";

    private final String base;
    private final Engine engine;
    private final boolean allowDiscovery;
    private final List<String> corsOrigins;

    /**
     * @param base        the path the API is under, without a trailing slash ("" at the root)
     * @param corsOrigins origins allowed to read answers; empty allows every origin
     */
    PeerjsApi(String base, Engine engine, boolean allowDiscovery, List<String> corsOrigins) {
        this.base = base;
        this.engine = engine;
        this.allowDiscovery = allowDiscovery;
        this.corsOrigins = corsOrigins;
    }

    @Override
    public FullHttpResponse handle(FullHttpRequest request) {
        String path = pathOf(request.uri());
        if (isUpgrade(request.headers())) {
            // The original's WebSocket server refused upgrades to any other path this way.
            return HttpResponses.of(HttpResponseStatus.BAD_REQUEST, "text/html", "Bad Request");
        }
        String rest = under(path);
        if (rest == null) return cannot(request.method(), path);
        FullHttpResponse response = request.method().equals(HttpMethod.OPTIONS) ? preflight(request) : route(request, rest, path);
        allowOrigin(request, response);
        if (request.method().equals(HttpMethod.HEAD)) response.content().clear(); // GET's headers, no body
        return response;
    }

    private FullHttpResponse route(FullHttpRequest request, String rest, String path) {
        HttpMethod method = request.method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) return cannot(method, path);
        if (rest.isEmpty() || rest.equals("/")) return HttpResponses.of(HttpResponseStatus.OK, JSON, INFO);
        String[] segments = rest.substring(1).split("/", -1);
        boolean shape = segments.length == 2 || (segments.length == 3 && segments[2].isEmpty());
        if (!shape || segments[0].isEmpty()) return cannot(method, path);
        if (segments[1].equalsIgnoreCase("id")) return HttpResponses.of(HttpResponseStatus.OK, HTML, freshId());
        if (segments[1].equalsIgnoreCase("peers")) {
            if (!allowDiscovery) return HttpResponses.text(HttpResponseStatus.UNAUTHORIZED, "Unauthorized");
            return HttpResponses.of(HttpResponseStatus.OK, JSON, peersJson());
        }
        return cannot(method, path);
    }

    /** An id nobody holds now; like the original it is not reserved until a socket claims it. */
    private String freshId() {
        while (true) {
            String id = UUID.randomUUID().toString();
            if (engine.find(PeerjsDialect.REALM, id) == null) return id;
        }
    }

    private String peersJson() {
        StringBuilder out = new StringBuilder("[");
        for (String id : engine.peerIds(PeerjsDialect.REALM)) {
            if (out.length() > 1) out.append(',');
            JsJson.quote(id, out);
        }
        return out.append(']').toString();
    }

    /** The {@code cors} middleware answers every OPTIONS request as a preflight. */
    private static FullHttpResponse preflight(FullHttpRequest request) {
        FullHttpResponse response = HttpResponses.of(HttpResponseStatus.NO_CONTENT, "text/plain", new byte[0]);
        response.headers().remove(HttpHeaderNames.CONTENT_TYPE);
        response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET,HEAD,PUT,PATCH,POST,DELETE");
        String requested = request.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
        if (requested != null && !requested.isEmpty()) {
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, requested);
        }
        response.headers().add(HttpHeaderNames.VARY, "Access-Control-Request-Headers");
        return response;
    }

    /** Reflects an allowed request origin; {@code Vary: Origin} either way. */
    private void allowOrigin(FullHttpRequest request, FullHttpResponse response) {
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && !origin.isEmpty() && (corsOrigins.isEmpty() || corsOrigins.contains(origin))) {
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        }
        List<String> vary = response.headers().getAll(HttpHeaderNames.VARY);
        response.headers().set(HttpHeaderNames.VARY, vary.isEmpty() ? "Origin" : "Origin, " + String.join(", ", vary));
    }

    /** The path after {@code base}: "" or starting with "/"; null if the path is not under it. */
    String under(String path) {
        if (base.isEmpty()) return path;
        if (!path.regionMatches(true, 0, base, 0, base.length())) return null;
        if (path.length() == base.length()) return "";
        return path.charAt(base.length()) == '/' ? path.substring(base.length()) : null;
    }

    /** Express's 404 page. */
    static FullHttpResponse cannot(HttpMethod method, String path) {
        String text = ("Cannot " + method.name() + " " + path)
                .replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;").replace("'", "&#39;");
        String body = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n"
                + "</head>\n<body>\n<pre>" + text + "</pre>\n</body>\n</html>\n";
        FullHttpResponse response = HttpResponses.of(HttpResponseStatus.NOT_FOUND, HTML, body);
        response.headers().set("Content-Security-Policy", "default-src 'none'");
        response.headers().set("X-Content-Type-Options", "nosniff");
        return response;
    }

    static String pathOf(String uri) {
        int end = uri.length();
        int query = uri.indexOf('?');
        if (query >= 0) end = query;
        int fragment = uri.indexOf('#');
        if (fragment >= 0 && fragment < end) end = fragment;
        return uri.substring(0, end);
    }

    private static boolean isUpgrade(HttpHeaders headers) {
        return headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && headers.contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }
}
