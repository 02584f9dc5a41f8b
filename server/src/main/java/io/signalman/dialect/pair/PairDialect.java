package io.signalman.dialect.pair;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.signalman.config.ServerConfig;
import io.signalman.core.RoomPolicy;
import io.signalman.core.Switchboard;
import io.signalman.dialect.Dialect;
import io.signalman.dialect.DialectContext;
import io.signalman.dialect.JsJson;
import io.signalman.ops.DialectMeters;
import io.signalman.transport.Endpoint;
import io.signalman.transport.HttpResponses;
import io.signalman.transport.Routes;
import io.signalman.transport.SocketLimits;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Seed 002: 1:1 rooms over plain WebSocket. Two users name each other ({@code userId},
 * {@code remoteId}) and meet in {@code room_<a>_<b>}; the first is told {@code created}, the second
 * {@code joined}, the first then {@code ready}; {@code message} and {@code candidate} go to the other.
 * Served over TLS when a certificate is configured, as the original always was.
 */
public final class PairDialect implements Dialect, Endpoint {
    public static final String NAME = "pair";
    private static final String RUNNING = "WebRTC Signaling Server Running";
    static final String REALM = "pair";

    private final Switchboard switchboard;
    private final DialectMeters meters;
    private final SocketLimits limits;
    private final RoomPolicy roomPolicy;
    private final JsJson json;
    private final AtomicLong lastConnectionId = new AtomicLong();

    public PairDialect(DialectContext context) {
        ServerConfig config = context.config();
        this.switchboard = context.switchboard();
        this.meters = context.metrics().dialect(NAME, REALM);
        // No error frame exists for an oversized message in this protocol: the transport's cap closes (1009).
        this.limits = new SocketLimits(config.hardFrameBytes(), config.hardFrameBytes(), config.heartbeatMs(),
                config.idleTimeoutMs());
        this.roomPolicy = new RoomPolicy(config.roomCapacity(), true);
        this.json = new JsJson(config.maxJsonDepth());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int defaultPort() {
        return 8443;
    }

    @Override
    public boolean usesMainTls() {
        return true;
    }

    @Override
    public SocketLimits limits() {
        return limits;
    }

    @Override
    public void mountOnMain(Routes routes) {
        routes.prefix("/pair", this);
    }

    @Override
    public void mountAtRoot(Routes routes) {
        routes.prefix("/", this);
    }

    @Override
    public ChannelHandler open(Channel channel, FullHttpRequest request, String rest) {
        return new PairSession(this, channel);
    }

    /** {@code GET /} answers as the original's Express app; other paths get Express's 404 page. */
    @Override
    public FullHttpResponse plainHttp(FullHttpRequest request, String rest) {
        String path = rest.isEmpty() || rest.startsWith("?") ? "/" : rest.startsWith("/") ? rest : "/" + rest;
        int query = path.indexOf('?');
        if (query >= 0) path = path.substring(0, query);
        String method = request.method().name();
        if (path.equals("/") && (method.equals("GET") || method.equals("HEAD"))) {
            FullHttpResponse ok = HttpResponses.of(HttpResponseStatus.OK, "text/html; charset=utf-8", RUNNING);
            if (method.equals("HEAD")) ok.content().clear(); // Express answers HEAD with GET's headers, no body
            return ok;
        }
        String body = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n"
                + "</head>\n<body>\n<pre>Cannot " + request.method().name() + " " + escape(path) + "</pre>\n</body>\n</html>\n";
        return HttpResponses.of(HttpResponseStatus.NOT_FOUND, "text/html; charset=utf-8", body);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /**
     * A connection id as the original makes them ({@code Date.now()} as a string), kept strictly
     * increasing so that two connections in one millisecond still get different ids.
     */
    String nextConnectionId() {
        long now = System.currentTimeMillis();
        return Long.toString(lastConnectionId.updateAndGet(last -> Math.max(now, last + 1)));
    }

    Switchboard switchboard() {
        return switchboard;
    }

    DialectMeters meters() {
        return meters;
    }

    RoomPolicy roomPolicy() {
        return roomPolicy;
    }

    JsJson json() {
        return json;
    }
}
