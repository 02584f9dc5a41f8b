package io.signalman.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One simulated client: a WebSocket connection whose protocol is spoken by an {@link Adapter}.
 * Relay frames are recognised by the marker {@code "bt":} that every generated payload starts
 * with, so the receive path never parses JSON; everything else goes to the adapter as text.
 */
final class Client extends ChannelInboundHandlerAdapter {
    /** Marks a generated payload: {@code {"bt":<send time>,"pk":<pair key>,...}}. */
    static final ByteBuf STAMP = Unpooled.unreleasableBuffer(
            Unpooled.copiedBuffer("\"bt\":", StandardCharsets.US_ASCII));
    static final ByteBuf PAIR = Unpooled.unreleasableBuffer(
            Unpooled.copiedBuffer("\"pk\":", StandardCharsets.US_ASCII));

    /** What a scenario hears from its clients; called on the client's event loop. */
    interface Events {
        void ready(Client client);

        /** A relay arrived; {@code stamp} is what the sender put in "bt", {@code pairKey} its "pk". */
        void relay(Client client, long stamp, long pairKey);

        default void closed(Client client) {}
    }

    final Adapter adapter;
    final Events events;
    final int index;
    /** The id this client registers under where the protocol lets the client choose one. */
    final String id;
    final long pairKey;
    /** The room a pair shares where the protocol has rooms; unique per generator run. */
    final String room;
    Client partner;
    /** The id others address this client by (assigned by the server in the native protocol). */
    volatile String peerId;
    /** What the adapter keeps for this client beyond its peer id (the workspaces adapter: ids and tokens). */
    final Object state;
    volatile Channel channel;
    volatile boolean ready;
    volatile boolean failed;
    /** Why the client failed, when it knows: the first exception or refusal it met. */
    volatile String failure;
    private boolean ended;
    /** Frame parts cached per partner: everything before the payload and after it. */
    byte[] head;
    byte[] tail;

    Client(Adapter adapter, Events events, int index, String id, long pairKey, String room) {
        this.adapter = adapter;
        this.events = events;
        this.index = index;
        this.id = id;
        this.pairKey = pairKey;
        this.room = room;
        this.peerId = id;
        this.state = adapter.newState();
    }

    URI uri(URI base) {
        return adapter.uri(base, this);
    }

    /** Sends a protocol frame (registration, join, answers to pings). */
    void sendText(String text) {
        channel.writeAndFlush(new TextWebSocketFrame(text));
    }

    /** Records why this client failed (the first reason only) and marks it failed. */
    void fail(String why) {
        if (failure == null) failure = why;
        failed = true;
    }

    /** The server refused this client (an error frame): recorded, and the connection closed. */
    void refused(String frame) {
        fail("server: " + (frame.length() > 200 ? frame.substring(0, 200) : frame));
        close();
    }

    String failure() {
        String why = failure;
        return why != null ? why : failed ? "failed" : "closed before ready";
    }

    /** Tells the scenario once that this client has ended, whichever way it ended. */
    void ended() {
        synchronized (this) {
            if (ended) return;
            ended = true;
        }
        events.closed(this);
    }

    void markReady() {
        if (ready) return;
        ready = true;
        events.ready(this);
    }

    /** Sends one relay of {@code payload} to the partner, stamped with {@code stamp}. */
    void relay(Payload payload, long stamp) {
        if (head == null) {
            head = adapter.head(this, partner).getBytes(StandardCharsets.UTF_8);
            tail = adapter.tail(this, partner).getBytes(StandardCharsets.UTF_8);
        }
        Channel ch = channel;
        ByteBuf buf = ch.alloc().buffer(head.length + payload.size() + tail.length + 24);
        buf.writeBytes(head);
        payload.write(buf, stamp, pairKey);
        buf.writeBytes(tail);
        ch.writeAndFlush(new TextWebSocketFrame(buf), ch.voidPromise());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // The connecting thread also sets it, but the server may answer before that thread runs on.
        channel = ctx.channel();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            adapter.opened(this);
        } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            fail("WebSocket handshake timed out");
            ctx.close();
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!(msg instanceof TextWebSocketFrame frame)) return;
            ByteBuf content = frame.content();
            int stampAt = ByteBufUtil.indexOf(STAMP, content);
            if (stampAt >= 0) {
                long stamp = number(content, stampAt + STAMP.readableBytes());
                int pairAt = ByteBufUtil.indexOf(PAIR, content);
                long key = pairAt >= 0 ? number(content, pairAt + PAIR.readableBytes()) : -1;
                events.relay(this, stamp, key);
            } else {
                adapter.control(this, content.toString(StandardCharsets.UTF_8));
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private static long number(ByteBuf buf, int at) {
        long value = 0;
        for (int i = at; i < buf.writerIndex(); i++) {
            byte b = buf.getByte(i);
            if (b < '0' || b > '9') break;
            value = value * 10 + (b - '0');
        }
        return value;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        ended();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause.toString());
        ctx.close();
    }

    void close() {
        Channel ch = channel;
        if (ch != null) ch.close();
    }
}
