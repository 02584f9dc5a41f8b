package io.signalman.dialect.direct;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.signalman.config.ServerConfig;
import io.signalman.core.Switchboard;
import io.signalman.dialect.Dialect;
import io.signalman.dialect.DialectContext;
import io.signalman.dialect.JsJson;
import io.signalman.ops.DialectMeters;
import io.signalman.transport.Endpoint;
import io.signalman.transport.Routes;
import io.signalman.transport.SocketLimits;

/**
 * Seed 004: a peer connects to {@code ws://HOST:PORT/<id>} and sends JSON objects addressed by
 * {@code id}; the server puts the sender's id in {@code id} and forwards the frame to the addressee.
 * No rooms, no replies, no errors. The listener's default address comes from
 * {@code SIGNALING_SERVER_ADDR} and {@code SIGNALING_SERVER_PORT}, as the original reads them.
 */
public final class DirectDialect implements Dialect, Endpoint {
    public static final String NAME = "direct";
    static final String REALM = "direct";
    /** The original's server (libdatachannel) pings every client this often. */
    static final long PING_MILLIS = 10_000;

    private final Switchboard switchboard;
    private final DialectMeters meters;
    private final SocketLimits limits;
    private final JsJson json;
    private final String defaultHost;
    private final int defaultPort;

    public DirectDialect(DialectContext context) {
        ServerConfig config = context.config();
        this.switchboard = context.switchboard();
        this.meters = context.metrics().dialect(NAME, REALM);
        this.limits = new SocketLimits(config.hardFrameBytes(), config.hardFrameBytes(), PING_MILLIS,
                Math.max(config.idleTimeoutMs(), 3 * PING_MILLIS));
        this.json = new JsJson(config.maxJsonDepth());
        this.defaultHost = config.originalEnvironment().getOrDefault("SIGNALING_SERVER_ADDR", "127.0.0.1");
        this.defaultPort = config.originalPort("SIGNALING_SERVER_PORT", 8000);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int defaultPort() {
        return defaultPort;
    }

    @Override
    public String defaultHost() {
        return defaultHost;
    }

    @Override
    public SocketLimits limits() {
        return limits;
    }

    @Override
    public void mountOnMain(Routes routes) {
        routes.prefix("/direct/", this);
    }

    @Override
    public void mountAtRoot(Routes routes) {
        routes.prefix("/", this);
    }

    /** The peer id is what follows the mount path, query string included, as the original reads it. */
    @Override
    public ChannelHandler open(Channel channel, FullHttpRequest request, String rest) {
        return new DirectSession(this, channel, rest);
    }

    Switchboard switchboard() {
        return switchboard;
    }

    DialectMeters meters() {
        return meters;
    }

    JsJson json() {
        return json;
    }
}
