package io.signalman.dialect.broadcast;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.signalman.config.ServerConfig;
import io.signalman.core.RoomPolicy;
import io.signalman.core.Switchboard;
import io.signalman.dialect.Dialect;
import io.signalman.dialect.DialectContext;
import io.signalman.dialect.JsJson;
import io.signalman.ops.DialectMeters;
import io.signalman.transport.Endpoint;
import io.signalman.transport.Routes;
import io.signalman.transport.SocketLimits;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Seed 003: every text frame goes, verbatim, to every other client on the same listener; the server
 * says nothing of its own. Each mount is one core room without presence. With
 * {@code --broadcast-by-code} a frame goes only to the first other client that sent the same
 * {@code code} (the blog's next step).
 */
public final class BroadcastDialect implements Dialect {
    public static final String NAME = "broadcast";
    static final String REALM = "broadcast";
    /** WebSocket-Node, the original's library, pings after 20 s of silence and drops 10 s later. */
    static final long PING_MILLIS = 20_000;
    static final long IDLE_MILLIS = 30_000;

    private final Switchboard switchboard;
    private final DialectMeters meters;
    private final SocketLimits limits;
    private final boolean byCode;
    private final JsJson json;
    private final AtomicInteger mounts = new AtomicInteger();

    public BroadcastDialect(DialectContext context) {
        ServerConfig config = context.config();
        this.switchboard = context.switchboard();
        this.meters = context.metrics().dialect(NAME, REALM);
        this.limits = new SocketLimits(config.hardFrameBytes(), config.hardFrameBytes(), PING_MILLIS,
                Math.max(IDLE_MILLIS, config.idleTimeoutMs()));
        this.byCode = config.broadcastByCode();
        this.json = new JsJson(config.maxJsonDepth());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int defaultPort() {
        return 1337;
    }

    @Override
    public void mountOnMain(Routes routes) {
        routes.prefix("/broadcast", new Mount("main"));
    }

    @Override
    public void mountAtRoot(Routes routes) {
        routes.prefix("/", new Mount("listener-" + mounts.incrementAndGet()));
    }

    /** One relay-to-all space: everyone connected through this mount. */
    final class Mount implements Endpoint {
        private final String room;
        private final RoomPolicy policy = RoomPolicy.unbounded(false);

        Mount(String room) {
            this.room = room;
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public SocketLimits limits() {
            return limits;
        }

        @Override
        public ChannelHandler open(Channel channel, FullHttpRequest request, String rest) {
            return new BroadcastSession(BroadcastDialect.this, channel, room, policy);
        }
    }

    Switchboard switchboard() {
        return switchboard;
    }

    DialectMeters meters() {
        return meters;
    }

    boolean byCode() {
        return byCode;
    }

    JsJson json() {
        return json;
    }
}
