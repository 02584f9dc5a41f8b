package io.signalman.dialect.peerjs;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.signalman.config.PeerjsOptions;
import io.signalman.config.ServerConfig;
import io.signalman.core.Event;
import io.signalman.core.Switchboard;
import io.signalman.dialect.Dialect;
import io.signalman.dialect.DialectContext;
import io.signalman.dialect.JsJson;
import io.signalman.ops.DialectMeters;
import io.signalman.transport.Endpoint;
import io.signalman.transport.Routes;
import io.signalman.transport.SocketLimits;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The PeerJS server protocol (npm {@code peer} 1.0.2), so that unmodified {@code peerjs} clients
 * can use Signalman: an HTTP API for ids and discovery, and a WebSocket at {@code <path>peerjs} where
 * a client registers with {@code key}, {@code id} and {@code token} and then sends {@code OFFER},
 * {@code ANSWER}, {@code CANDIDATE} and {@code LEAVE} messages addressed by {@code dst}, which the
 * server forwards with {@code src} set. Messages for an id that has not connected wait for it, up
 * to {@code --peerjs-expire-timeout-ms}, then their senders get {@code EXPIRE} (in this node's memory,
 * or with {@code --cluster} in Redis, where an id connecting to any node finds them). Served at
 * {@code --peerjs-path} on a listener of its own (port 9000, as the original) and under
 * {@code /peerjs} on the main listener.
 */
public final class PeerjsDialect implements Dialect {
    public static final String NAME = "peerjs";
    static final String REALM = "peerjs";
    /** Where the dialect's path starts on the main listener. */
    static final String MAIN_PREFIX = "/peerjs";

    private final Switchboard switchboard;
    private final DialectMeters meters;
    private final SocketLimits limits;
    private final PeerjsOptions options;
    private final PeerjsDecoder decoder;
    private final PendingMessages pending;
    /** With {@code --cluster}: where messages for ids that have not connected wait instead of {@link #pending}. */
    private final ClusterPendingMessages shared;

    public PeerjsDialect(DialectContext context) {
        ServerConfig config = context.config();
        this.switchboard = context.switchboard();
        this.meters = context.metrics().dialect(NAME, REALM);
        this.options = config.peerjs();
        // The protocol has no answer for an oversized message, so only the transport's cap applies
        // (close 1009). The original never pinged and never closed a quiet socket; the alive timeout
        // closes clients that stop their HEARTBEATs, and pings keep idle proxies from dropping the rest.
        this.limits = new SocketLimits(config.hardFrameBytes(), config.hardFrameBytes(), config.heartbeatMs(),
                Math.max(config.idleTimeoutMs(), options.aliveTimeoutMs()));
        this.decoder = new PeerjsDecoder(config.maxJsonDepth());
        this.pending = new PendingMessages(options.queueLimit(), options.queueBytes(), options.expireTimeoutMs(),
                this::expired);
        this.shared = config.cluster() == null ? null
                : new ClusterPendingMessages(config.cluster(), options.queueLimit(), options.queueBytes(),
                        options.expireTimeoutMs(), context.timers(), this::expiredElsewhere);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int defaultPort() {
        return 9000;
    }

    @Override
    public void mountOnMain(Routes routes) {
        mount(routes, MAIN_PREFIX);
    }

    @Override
    public void mountAtRoot(Routes routes) {
        mount(routes, "");
    }

    /**
     * The API under {@code <prefix><path>}, the WebSocket at {@code <prefix><path>peerjs}. The API
     * takes every other request under {@code prefix} (all of its own listener), since its paths match
     * case-insensitively and the rest gets the original's 404 page.
     */
    private void mount(Routes routes, String prefix) {
        String path = prefix + options.normalizedPath();
        String base = path.substring(0, path.length() - 1);
        PeerjsApi api = new PeerjsApi(base, switchboard.engine(), options.allowDiscovery(), options.corsOrigins());
        routes.exact(path + "peerjs", new SocketEndpoint(api));
        if (prefix.isEmpty()) {
            routes.httpPrefix("/", api);
        } else {
            routes.http(prefix, api).httpPrefix(prefix + "/", api);
        }
    }

    /** The WebSocket of one mount; plain HTTP at its path gets what the API answers there, as in the original. */
    private final class SocketEndpoint implements Endpoint {
        private final PeerjsApi api;

        SocketEndpoint(PeerjsApi api) {
            this.api = api;
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
            return new PeerjsSession(PeerjsDialect.this, channel, request.uri());
        }

        @Override
        public FullHttpResponse plainHttp(FullHttpRequest request, String rest) {
            return api.handle(request);
        }
    }

    /**
     * The original's expiry pass: one {@code EXPIRE} per sender and destination, sent to the sender
     * if it is connected (by id, so a sender that reconnected gets it on its new socket).
     */
    private void expired(List<PendingMessages.Message> messages) {
        Set<String> told = new HashSet<>();
        for (PendingMessages.Message message : messages) {
            String unreached = JsJson.toJsString(message.dst());
            if (!told.add(message.src() + "_" + unreached)) continue;
            meters.error("expired");
            byte[] frame = PeerjsFrames.expire(message.dstJson(), message.quotedSrc());
            switchboard.engine().deliver(REALM, message.src(), new Event.Relayed(unreached, null, frame, 0));
        }
    }

    /** {@link #expired} for a message that waited in Redis: its sender may be on any node. */
    private void expiredElsewhere(String sender, String dstJson) {
        meters.error("expired");
        byte[] frame = PeerjsFrames.expire(dstJson, PeerjsFrames.quote(sender));
        switchboard.engine().deliver(REALM, sender, new Event.Relayed(dstJson, null, frame, 0));
    }

    @Override
    public void close() {
        if (shared != null) shared.close();
    }

    Switchboard switchboard() {
        return switchboard;
    }

    DialectMeters meters() {
        return meters;
    }

    PeerjsOptions options() {
        return options;
    }

    PeerjsDecoder decoder() {
        return decoder;
    }

    PendingMessages pending() {
        return pending;
    }

    /** The queue in Redis with {@code --cluster}, else null. */
    ClusterPendingMessages shared() {
        return shared;
    }
}
