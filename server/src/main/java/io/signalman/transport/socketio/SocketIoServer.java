package io.signalman.transport.socketio;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketConfig;
import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.namespace.NamespacesHub;
import com.corundumstudio.socketio.protocol.JacksonJsonSupport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.signalman.transport.ConnectionGuard;
import io.signalman.transport.ListenerTls;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Socket.IO (Engine.IO 3 and 4, polling and websocket) on one of our listeners, through
 * netty-socketio. netty-socketio normally binds its own port; here its channel initializer runs
 * inside our listener, so one port serves Socket.IO at {@code /socket.io/} and {@code /socket.io-next/}
 * next to our own HTTP routes and plain WebSocket dialects.
 *
 * <p>Pipeline of such a listener: [tls] → HTTP decoder, aggregator, encoder (netty-socketio's) →
 * our router (answers everything that is not Socket.IO, rewrites {@code /socket.io-next/}) →
 * {@link DeferredActivation} → {@link SlowReaderEviction} → {@link AttachmentLimit} → netty-socketio's packet, authorize handlers →
 * {@link PollingUpgradeGuard} → its polling transport → {@link PollingCloseGuard} → its websocket transport and
 * encoder → {@link UncaughtErrors}. Events of the default
 * namespace pass the node's per-session rate limit first ({@link RateLimitedNamespaces}).
 */
public final class SocketIoServer {
    private static final Logger log = LoggerFactory.getLogger(SocketIoServer.class);

    /** The paths Socket.IO clients use; the second is served as an alias of the first. */
    public static final String PATH = "/socket.io/";
    public static final String NEXT_PATH = "/socket.io-next/";

    /**
     * Engine.IO timing and size limits of one Socket.IO server.
     *
     */
    public record Settings(int pingIntervalMs, int pingTimeoutMs, int maxPayloadBytes) {}

    private final Initializer initializer;
    private final NamespacesHub namespaces;
    private final SocketIONamespace namespace;

    /** A server without the node's abuse limits (no event rate limit, no slow-reader eviction). */
    public SocketIoServer(Settings settings) {
        this(settings, null);
    }

    /** @param guard the node's door policy, whose rate and outbound limits apply to Socket.IO sessions; or null */
    public SocketIoServer(Settings settings, ConnectionGuard guard) {
        Configuration config = new Configuration();
        config.setJsonSupport(new JacksonJsonSupport());
        config.setContext("/socket.io");
        config.setAllowCustomRequests(true); // our router answers other paths
        config.setTransports(Transport.POLLING, Transport.WEBSOCKET);
        config.setPingInterval(settings.pingIntervalMs());
        config.setPingTimeout(settings.pingTimeoutMs());
        config.setMaxFramePayloadLength(settings.maxPayloadBytes());
        config.setMaxHttpContentLength(settings.maxPayloadBytes());
        // The payload cap applies to the bytes on the wire: with permessage-deflate a client could
        // send a small compressed frame that inflates far beyond it (and HTTP compression buys
        // little for signalling and costs CPU), so both are off.
        config.setWebsocketCompression(false);
        config.setHttpCompression(false);
        config.setRandomSession(true);
        SocketConfig socket = new SocketConfig();
        socket.setReuseAddress(true);
        config.setSocketConfig(socket);
        config.setExceptionListener(new QuietExceptionListener());
        namespaces = new RateLimitedNamespaces(config, guard);
        namespace = namespaces.create(Namespace.DEFAULT_NAME);
        initializer = new Initializer(guard == null ? null : new SlowReaderEviction(guard),
                new AttachmentLimit(settings.maxPayloadBytes()));
        initializer.start(config, namespaces);
    }

    /** The default namespace, where dialects add their event listeners. */
    public SocketIONamespace namespace() {
        return namespace;
    }

    /**
     * The channel initializer for a listener: netty-socketio's handlers, with TLS in front and our
     * router and the upgrade guard placed among them. It must be the listener's child handler
     * (netty-socketio sets its pipeline up when the channel registers).
     */
    public ChannelHandler channelInitializer(ListenerTls tls, ChannelHandler flush, java.util.function.Supplier<ChannelHandler> router) {
        initializer.configure(tls, flush, router);
        return initializer;
    }

    /** netty-socketio's handler names, to strip from a connection that upgrades to one of our own WebSocket dialects. */
    public static List<String> handlerNames() {
        return List.of(EngineIoFixes.NAME, DeferredActivation.NAME, SlowReaderEviction.NAME, AttachmentLimit.NAME,
                SocketIOChannelInitializer.PACKET_HANDLER, SocketIOChannelInitializer.AUTHORIZE_HANDLER,
                PollingUpgradeGuard.NAME, SocketIOChannelInitializer.XHR_POLLING_TRANSPORT, PollingCloseGuard.NAME,
                SocketIOChannelInitializer.WEB_SOCKET_TRANSPORT_COMPRESSION, SocketIOChannelInitializer.WEB_SOCKET_TRANSPORT,
                SocketIOChannelInitializer.SOCKETIO_ENCODER, SocketIOChannelInitializer.WRONG_URL_HANDLER,
                SocketIOChannelInitializer.HTTP_COMPRESSION, UncaughtErrors.NAME);
    }

    public void stop() {
        try {
            initializer.stop();
        } catch (RuntimeException e) {
            log.debug("stopping Socket.IO: {}", e.toString());
        }
    }

    /** netty-socketio's initializer with our handlers woven in. */
    private static final class Initializer extends SocketIOChannelInitializer {
        private final PollingUpgradeGuard guard = new PollingUpgradeGuard();
        private final PollingCloseGuard closeGuard = new PollingCloseGuard();
        private final UncaughtErrors errors = new UncaughtErrors();
        private final SlowReaderEviction eviction;
        private final AttachmentLimit attachments;
        private ListenerTls tls;
        private ChannelHandler flush;
        private java.util.function.Supplier<ChannelHandler> router;

        Initializer(SlowReaderEviction eviction, AttachmentLimit attachments) {
            this.eviction = eviction;
            this.attachments = attachments;
        }

        void configure(ListenerTls tls, ChannelHandler flush, java.util.function.Supplier<ChannelHandler> router) {
            this.tls = tls;
            this.flush = flush;
            this.router = router;
        }

        @Override
        protected void initChannel(Channel ch) throws Exception {
            ChannelPipeline pipeline = ch.pipeline();
            if (tls != null) pipeline.addLast("tls", tls.newHandler(ch.alloc()));
            if (flush != null) pipeline.addLast("flush", flush);
            addSocketioHandlers(pipeline);
            pipeline.addAfter(HTTP_ENCODER, EngineIoFixes.NAME, new EngineIoFixes());
            pipeline.addAfter(EngineIoFixes.NAME, "router", router.get());
            pipeline.addAfter("router", DeferredActivation.NAME, new DeferredActivation());
            if (eviction != null) pipeline.addAfter(DeferredActivation.NAME, SlowReaderEviction.NAME, eviction);
            pipeline.addBefore(PACKET_HANDLER, AttachmentLimit.NAME, attachments);
            pipeline.addBefore(XHR_POLLING_TRANSPORT, PollingUpgradeGuard.NAME, guard);
            pipeline.addAfter(XHR_POLLING_TRANSPORT, PollingCloseGuard.NAME, closeGuard);
            pipeline.addLast(UncaughtErrors.NAME, errors);
        }
    }
}
