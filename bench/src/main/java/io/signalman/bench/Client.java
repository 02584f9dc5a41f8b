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
    volatile Channel channel;
    volatile boolean ready;
    volatile boolean failed;
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
    }

    URI uri(URI base) {
        return adapter.uri(base, this);
    }

    /** Sends a protocol frame (registration, join, answers to pings). */
    void sendText(String text) {
        channel.writeAndFlush(new TextWebSocketFrame(text));
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
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            adapter.opened(this);
        } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            failed = true;
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
        events.closed(this);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failed = true;
        ctx.close();
    }

    void close() {
        Channel ch = channel;
        if (ch != null) ch.close();
    }
}
