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
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.signalman.transport.ConnectionGuard;
import io.signalman.transport.ListenerTls;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Socket.IO (Engine.IO 3 and 4, polling and websocket) on one of our listeners, through
 * netty-socketio. netty-socketio normally binds its own port; here its channel initializer runs
 * inside our listener, so one port serves Socket.IO at {@code /socket.io/} and {@code /socket.io-next/}
 * next to our own HTTP routes and plain WebSocket dialects.
 *
 * <p>Pipeline of such a listener: [tls] → HTTP decoder, aggregator, encoder (as netty-socketio's) →
 * our router (answers everything that is not Socket.IO, rewrites {@code /socket.io-next/}) →
 * {@link SocketIoAttachment}, which the first Socket.IO request replaces with: {@link EngineIoFixes} →
 * {@link SlowReaderEviction} → {@link AttachmentLimit} → netty-socketio's packet, authorize handlers →
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
     * The channel initializer for a listener: TLS, the HTTP handlers and our router on every
     * connection, netty-socketio's handlers with ours among them from a connection's first Socket.IO
     * request on. It must be the listener's child handler (netty-socketio's scheduler learns its
     * context when the initializer is added).
     */
    public ChannelHandler channelInitializer(ListenerTls tls, ChannelHandler flush, Supplier<ChannelHandler> router) {
        initializer.configure(tls, flush, router);
        return initializer;
    }

    /**
     * Takes Socket.IO's part of the pipeline off a connection that one of our own WebSocket dialects
     * takes over, so that netty-socketio's transports never see its frames. Usually only the
     * attachment point is there (no Socket.IO request came first).
     */
    public void detach(ChannelPipeline pipeline) {
        initializer.detach(pipeline);
    }

    public void stop() {
        try {
            initializer.stop();
        } catch (RuntimeException e) {
            log.debug("stopping Socket.IO: {}", e.toString());
        }
    }

    /**
     * netty-socketio's initializer with our handlers woven in, in two steps: every connection gets
     * the HTTP handlers and our router; netty-socketio's own handlers follow only when the
     * connection's first Socket.IO request does ({@link SocketIoAttachment}).
     */
    private static final class Initializer extends SocketIOChannelInitializer {
        private final PollingUpgradeGuard guard = new PollingUpgradeGuard();
        private final PollingCloseGuard closeGuard = new PollingCloseGuard();
        private final UncaughtErrors errors = new UncaughtErrors();
        private final SocketIoAttachment attachment = new SocketIoAttachment(this::attach);
        private final SlowReaderEviction eviction;
        private final AttachmentLimit attachments;
        private HttpDecoderConfig httpDecoderConfig;
        private int maxHttpContentLength;
        /**
         * What the first Socket.IO request adds, in order: each handler's name and where it comes
         * from (all but EngineIoFixes serve every channel). Detaching removes the same names.
         */
        private List<Map.Entry<String, Supplier<ChannelHandler>>> socketIoPart;
        private ListenerTls tls;
        private ChannelHandler flush;
        private Supplier<ChannelHandler> router;

        Initializer(SlowReaderEviction eviction, AttachmentLimit attachments) {
            this.eviction = eviction;
            this.attachments = attachments;
        }

        @Override
        public void start(Configuration configuration, NamespacesHub namespacesHub) {
            super.start(configuration, namespacesHub);
            httpDecoderConfig = configuration.getHttpDecoderConfig();
            maxHttpContentLength = configuration.getMaxHttpContentLength();
            socketIoPart = socketIoPart(sharedHandlers(recordHandlers()));
        }

        void configure(ListenerTls tls, ChannelHandler flush, Supplier<ChannelHandler> router) {
            this.tls = tls;
            this.flush = flush;
            this.router = router;
        }

        @Override
        protected void initChannel(Channel ch) {
            ChannelPipeline pipeline = ch.pipeline();
            if (tls != null) pipeline.addLast("tls", tls.newHandler(ch.alloc()));
            if (flush != null) pipeline.addLast("flush", flush);
            // As netty-socketio makes them (see recordHandlers): its decoder settings, and an
            // aggregator that does not answer "Expect: 100-continue".
            pipeline.addLast(HTTP_REQUEST_DECODER, new HttpRequestDecoder(httpDecoderConfig));
            pipeline.addLast(HTTP_AGGREGATOR, new HttpObjectAggregator(maxHttpContentLength) {
                @Override
                protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline p) {
                    return null;
                }
            });
            pipeline.addLast(HTTP_ENCODER, new HttpResponseEncoder());
            pipeline.addLast("router", router.get());
            pipeline.addLast(SocketIoAttachment.NAME, attachment);
        }

        /** netty-socketio's handlers after its HTTP ones, with ours woven in. */
        private List<Map.Entry<String, Supplier<ChannelHandler>>> socketIoPart(
                List<Map.Entry<String, ChannelHandler>> socketIoHandlers) {
            List<Map.Entry<String, Supplier<ChannelHandler>>> part = new ArrayList<>();
            part.add(Map.entry(EngineIoFixes.NAME, EngineIoFixes::new)); // it remembers its channel's request
            if (eviction != null) part.add(Map.entry(SlowReaderEviction.NAME, () -> eviction));
            for (Map.Entry<String, ChannelHandler> handler : socketIoHandlers) {
                String name = handler.getKey();
                if (name.equals(PACKET_HANDLER)) part.add(Map.entry(AttachmentLimit.NAME, () -> attachments));
                if (name.equals(XHR_POLLING_TRANSPORT)) part.add(Map.entry(PollingUpgradeGuard.NAME, () -> guard));
                part.add(Map.entry(name, handler::getValue));
                if (name.equals(XHR_POLLING_TRANSPORT)) part.add(Map.entry(PollingCloseGuard.NAME, () -> closeGuard));
            }
            part.add(Map.entry(UncaughtErrors.NAME, () -> errors));
            return List.copyOf(part);
        }

        /** The rest of the pipeline, for a connection whose first Socket.IO request has come. */
        private void attach(ChannelPipeline pipeline) {
            for (Map.Entry<String, Supplier<ChannelHandler>> handler : socketIoPart) {
                pipeline.addLast(handler.getKey(), handler.getValue().get());
            }
        }

        void detach(ChannelPipeline pipeline) {
            if (pipeline.get(SocketIoAttachment.NAME) != null) {
                pipeline.remove(SocketIoAttachment.NAME);
                return;
            }
            for (Map.Entry<String, Supplier<ChannelHandler>> handler : socketIoPart) {
                if (pipeline.get(handler.getKey()) != null) pipeline.remove(handler.getKey());
            }
        }

        /**
         * What netty-socketio's own {@code addSocketioHandlers} adds, recorded once without a channel:
         * its handler instances are made at start and shared by every channel, so they can be added
         * later. A pipeline proxy that only records {@code addLast} is enough for 2.0.14, which only
         * calls that; anything else fails at start rather than at the first connection.
         */
        private List<Map.Entry<String, ChannelHandler>> recordHandlers() {
            List<Map.Entry<String, ChannelHandler>> added = new ArrayList<>();
            ChannelPipeline recorder = (ChannelPipeline) Proxy.newProxyInstance(ChannelPipeline.class.getClassLoader(),
                    new Class<?>[] {ChannelPipeline.class}, (proxy, method, args) -> {
                        if (method.getName().equals("addLast") && args != null && args.length == 2
                                && args[0] instanceof String name && args[1] instanceof ChannelHandler handler) {
                            added.add(Map.entry(name, handler));
                            return proxy;
                        }
                        throw new IllegalStateException("netty-socketio's pipeline set-up called " + method.getName()
                                + ", which this server does not replay");
                    });
            addSocketioHandlers(recorder);
            return added;
        }

        /**
         * Checks that the recorded handlers begin with the three HTTP handlers {@link #initChannel}
         * makes itself and that every other one may serve several channels; returns those others.
         */
        static List<Map.Entry<String, ChannelHandler>> sharedHandlers(List<Map.Entry<String, ChannelHandler>> recorded) {
            List<String> names = recorded.stream().map(Map.Entry::getKey).toList();
            if (names.size() < 4 || !names.subList(0, 3).equals(List.of(HTTP_REQUEST_DECODER, HTTP_AGGREGATOR, HTTP_ENCODER))) {
                throw new IllegalStateException("unexpected netty-socketio pipeline: " + names);
            }
            List<Map.Entry<String, ChannelHandler>> shared = recorded.subList(3, recorded.size());
            for (Map.Entry<String, ChannelHandler> handler : shared) {
                if (!handler.getValue().getClass().isAnnotationPresent(ChannelHandler.Sharable.class)) {
                    throw new IllegalStateException("netty-socketio's " + handler.getKey() + " is made per channel");
                }
            }
            return List.copyOf(shared);
        }
    }
}
