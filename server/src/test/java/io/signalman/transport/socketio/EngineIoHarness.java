package io.signalman.transport.socketio;

import com.corundumstudio.socketio.handler.ClientHead;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * netty-socketio's pipeline as our listeners build it ({@link SocketIoServer}'s initializer, with a
 * router that passes everything on), driven through embedded channels: each HTTP request on a
 * channel of its own, as long-polling clients mostly send them, and websockets upgraded for real.
 * For fuzz tests, which need many sessions per second and no sockets.
 */
final class EngineIoHarness implements AutoCloseable {
    /** The payload cap of the star dialect. */
    static final int MAX_PAYLOAD = 1_000_000;

    final SocketIoServer server;
    /** Events our listeners received. */
    final AtomicInteger events = new AtomicInteger();

    EngineIoHarness() {
        this(new SocketIoServer.Settings(25_000, 20_000, MAX_PAYLOAD));
    }

    EngineIoHarness(SocketIoServer.Settings settings) {
        server = new SocketIoServer(settings);
        server.channelInitializer(null, null, ChannelInboundHandlerAdapter::new);
        for (String name : new String[] {"message", "ss-join", "ss-handshake", "create"}) {
            server.namespace().addEventListener(name, JsonNode.class, (client, data, ack) -> {
                events.incrementAndGet();
                if (ack.isAckRequested()) ack.sendAckData(data == null ? "none" : data.getNodeType().toString());
            });
        }
    }

    /** One Engine.IO session of a given protocol version. */
    final class Session implements AutoCloseable {
        final int eio;
        final ClientHead head;
        private final String query;
        /** Bytes the server wrote on every channel of this session. */
        long written;
        /** The first line the server wrote most recently. */
        String lastStatus;
        /** Everything the server wrote on every channel of this session, as UTF-8 text. */
        final StringBuilder output = new StringBuilder();
        /** A channel that failed: an exception reached the end of its pipeline. */
        Throwable escaped;
        private EmbeddedChannel websocket;

        /** Opens a session over long-polling; {@code connect} also joins the default namespace. */
        Session(int eio, boolean base64, boolean connect) {
            this.eio = eio;
            EmbeddedChannel open = channel();
            String base = SocketIoServer.PATH + "?EIO=" + eio + "&transport=polling" + (base64 ? "&b64=1" : "");
            send(open, request(HttpMethod.GET, base, null));
            head = open.attr(ClientHead.CLIENT).get();
            if (head == null) throw new IllegalStateException("no session: " + drain(open, this));
            finish(open);
            query = base + "&sid=" + head.getSessionId();
            if (connect) {
                if (eio == 4) post("40".getBytes(StandardCharsets.US_ASCII));
                else get(); // Engine.IO 3: the first poll joins the default namespace
            }
        }

        /** A polling POST with this body; returns the HTTP status line of the answer. */
        String post(byte[] body) {
            EmbeddedChannel channel = channel();
            send(channel, request(HttpMethod.POST, query, body));
            String status = lastStatus;
            finish(channel);
            return status;
        }

        /** A polling request with extra query parameters; returns the status line, or null if the connection closed silently. */
        String call(HttpMethod method, String extraQuery, byte[] body) {
            EmbeddedChannel channel = channel();
            lastStatus = null;
            send(channel, EngineIoHarness.request(method, query + extraQuery, body));
            String status = lastStatus;
            finish(channel);
            return status;
        }

        /** A polling GET: the queued packets are written to it, or it waits (then it is closed). */
        void get() {
            EmbeddedChannel channel = channel();
            send(channel, request(HttpMethod.GET, query, null));
            finish(channel);
        }

        /** Upgrades to a websocket (kept until {@link #close()}); the probe exchange completes the upgrade. */
        void upgrade() {
            websocket = channel();
            FullHttpRequest request = request(HttpMethod.GET, SocketIoServer.PATH + "?EIO=" + eio
                    + "&transport=websocket&sid=" + head.getSessionId(), null);
            request.headers().set(HttpHeaderNames.UPGRADE, "websocket").set(HttpHeaderNames.CONNECTION, "Upgrade")
                    .set(HttpHeaderNames.SEC_WEBSOCKET_KEY, "dGhlIHNhbXBsZSBub25jZQ==")
                    .set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13").set(HttpHeaderNames.HOST, "127.0.0.1");
            send(websocket, request);
            text("2probe");
            text("5");
        }

        void text(String frame) {
            send(websocket, new TextWebSocketFrame(frame));
        }

        void text(byte[] frame) {
            send(websocket, new TextWebSocketFrame(Unpooled.wrappedBuffer(frame)));
        }

        void binary(byte[] frame) {
            send(websocket, new BinaryWebSocketFrame(Unpooled.wrappedBuffer(frame)));
        }

        /** Runs what the server queued for the websocket and collects what it wrote. */
        void pumpWebsocket() {
            websocket.runPendingTasks();
            written += drain(websocket, this);
        }

        boolean websocketOpen() {
            return websocket != null && websocket.isOpen();
        }

        private void send(EmbeddedChannel channel, Object message) {
            if (!channel.isOpen()) {
                ReferenceCountUtil.release(message);
                return;
            }
            try {
                channel.writeInbound(message);
                channel.runPendingTasks();
                channel.checkException();
            } catch (Throwable e) {
                if (escaped == null) escaped = e;
            }
            written += drain(channel, this);
        }

        private void finish(EmbeddedChannel channel) {
            channel.close();
            channel.runPendingTasks();
            written += drain(channel, this);
            try {
                channel.checkException();
            } catch (Throwable e) {
                if (escaped == null) escaped = e;
            }
        }

        /** Ends the session whatever state the input left it in. */
        @Override
        public void close() {
            head.setLastBinaryPacket(null);
            head.disconnect();
            if (websocket != null) finish(websocket);
        }
    }

    static FullHttpRequest request(HttpMethod method, String uri, byte[] body) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri,
                body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        request.headers().set(HttpHeaderNames.CONTENT_LENGTH, body == null ? 0 : body.length);
        request.headers().set(HttpHeaderNames.HOST, "127.0.0.1");
        return request;
    }

    /** A new connection to the server, with the pipeline our listeners build. */
    EmbeddedChannel channel() {
        return new LoopbackChannel(server.channelInitializer(null, null, ChannelInboundHandlerAdapter::new));
    }

    /** Reads and releases what the server wrote; returns the byte count. */
    private static long drain(EmbeddedChannel channel, Session session) {
        long bytes = 0;
        Object out;
        while ((out = channel.readOutbound()) != null) {
            if (out instanceof ByteBuf buf) {
                bytes += buf.readableBytes();
                String text = buf.toString(StandardCharsets.ISO_8859_1);
                if (text.startsWith("HTTP/1.1 ")) session.lastStatus = text.substring(0, text.indexOf('\r'));
                session.output.append(buf.toString(StandardCharsets.UTF_8));
            }
            else if (out instanceof ByteBufHolder holder) {
                bytes += holder.content().readableBytes();
                session.output.append(holder.content().toString(StandardCharsets.UTF_8));
            }
            ReferenceCountUtil.release(out);
        }
        return bytes;
    }

    @Override
    public void close() {
        server.stop();
    }

    /** netty-socketio casts the channel's addresses to {@link InetSocketAddress}. */
    private static final class LoopbackChannel extends EmbeddedChannel {
        private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 9090);
        private static final InetSocketAddress REMOTE = new InetSocketAddress("127.0.0.1", 40000);

        LoopbackChannel(io.netty.channel.ChannelHandler initializer) {
            super(initializer);
        }

        @Override
        protected SocketAddress localAddress0() {
            return LOCAL;
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return REMOTE;
        }
    }
}
