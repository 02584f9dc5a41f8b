package io.signalman.dialect.star;

import com.corundumstudio.socketio.SocketIONamespace;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.signalman.config.ServerConfig;
import io.signalman.core.Switchboard;
import io.signalman.dialect.Dialect;
import io.signalman.dialect.DialectContext;
import io.signalman.dialect.SocketIoDialect;
import io.signalman.ops.DialectMeters;
import io.signalman.ops.Metrics;
import io.signalman.transport.HttpResponses;
import io.signalman.transport.Routes;
import io.signalman.transport.socketio.SocketIoServer;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Seed 000: the libp2p webrtc-star signalling server. Peers join under their multiaddr
 * ({@code ss-join}), are announced to everyone else ({@code ws-peer}, again every ten seconds), and
 * relay SDP and candidates through {@code ss-handshake}/{@code ws-handshake}. Served over Socket.IO
 * at {@code /socket.io/} and {@code /socket.io-next/}, Engine.IO 3 and 4.
 */
public final class StarDialect implements Dialect, SocketIoDialect {
    public static final String NAME = "star";
    /** Realm of the multiaddrs: each joined address is a core peer; its outlet is the socket that joined it. */
    static final String REALM = "star";
    static final String SWARM = "swarm";

    private final Switchboard switchboard;
    private final DialectMeters meters;
    private final StarCounters counters;
    private final ScheduledExecutorService timers;
    private final long refreshMillis;
    private final boolean metricsEnabled;
    private final Metrics metrics;

    public StarDialect(DialectContext context) {
        ServerConfig config = context.config();
        this.switchboard = context.switchboard();
        this.metrics = context.metrics();
        this.meters = metrics.dialect(NAME, REALM);
        this.timers = context.timers();
        this.refreshMillis = config.starRefreshMs();
        this.metricsEnabled = config.starMetrics();
        this.counters = new StarCounters(context.switchboard().engine());
        metrics.addExposition(metricsEnabled ? counters::exposition : () -> "");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int defaultPort() {
        return 9090;
    }

    @Override
    public SocketIoDialect socketIo() {
        return this;
    }

    @Override
    public SocketIoServer.Settings settings() {
        // socket.io 4 defaults, which the original ran with
        return new SocketIoServer.Settings(25_000, 20_000, 1_000_000);
    }

    @Override
    public void bind(SocketIONamespace namespace) {
        StarEvents events = new StarEvents(this);
        namespace.addConnectListener(events::connected);
        namespace.addDisconnectListener(events::disconnected);
        namespace.addEventListener("ss-join", JsonNode.class, (client, data, ack) -> events.join(client, data));
        namespace.addEventListener("ss-leave", JsonNode.class, (client, data, ack) -> events.leave(client));
        namespace.addEventListener("ss-handshake", JsonNode.class, (client, data, ack) -> events.handshake(client, data));
    }

    /** Socket.IO is mounted by the transport on every listener that serves this dialect; nothing else on main. */
    @Override
    public void mountOnMain(Routes routes) {}

    /** The original's HTTP side: an HTML page at {@code /}, metrics, and hapi's JSON 404 elsewhere. */
    @Override
    public void mountAtRoot(Routes routes) {
        routes.http("/", request -> cors(request.headers().get(HttpHeaderNames.ORIGIN),
                HttpResponses.of(HttpResponseStatus.OK, "text/html; charset=utf-8", StarPage.HTML)));
        if (metricsEnabled) {
            routes.http("/metrics", request -> cors(request.headers().get(HttpHeaderNames.ORIGIN),
                    HttpResponses.of(HttpResponseStatus.OK, "text/plain; charset=utf-8", metrics.scrape())));
        }
        routes.fallback(request -> cors(request.headers().get(HttpHeaderNames.ORIGIN), HttpResponses.of(
                HttpResponseStatus.NOT_FOUND, "application/json; charset=utf-8",
                "{\"statusCode\":404,\"error\":\"Not Found\",\"message\":\"Not Found\"}")));
    }

    /** hapi's route CORS: the request's Origin is echoed. */
    private static FullHttpResponse cors(String origin, FullHttpResponse response) {
        if (origin != null) {
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            response.headers().set(HttpHeaderNames.VARY, "origin");
        }
        return response;
    }

    Switchboard switchboard() {
        return switchboard;
    }

    DialectMeters meters() {
        return meters;
    }

    StarCounters counters() {
        return counters;
    }

    ScheduledExecutorService timers() {
        return timers;
    }

    long refreshMillis() {
        return refreshMillis;
    }
}
