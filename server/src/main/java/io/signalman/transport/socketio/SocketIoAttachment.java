package io.signalman.transport.socketio;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Consumer;

/**
 * Stands where netty-socketio's handlers would be, on a connection that has not made a Socket.IO
 * request yet, and puts them there (after itself) when the first one arrives; then steps aside.
 *
 * <p>Most connections of a listener that serves Socket.IO never make one (plain WebSocket dialects,
 * health checks, metrics), and adding then removing a dozen handlers for each of those was a
 * tenth of a connection's Java time. The handlers added late see {@code channelActive} only then,
 * just before the request: netty-socketio's authorize handler arms a 5 s "first data" timer when a
 * channel becomes active and disarms it only when it reads a request itself, so a connection that
 * never reaches it must never arm it (quiet plain WebSockets were closed after 5 s when it did).
 * Connections that never attached are not told of their end either, since nothing after this
 * handler saw them begin.
 */
@ChannelHandler.Sharable
final class SocketIoAttachment extends ChannelInboundHandlerAdapter {
    static final String NAME = "socketio-attachment";

    private final Consumer<ChannelPipeline> attach;

    /** @param attach adds the Socket.IO handlers at the end of a pipeline */
    SocketIoAttachment(Consumer<ChannelPipeline> attach) {
        this.attach = attach;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // Held back until the handlers exist (see the class comment).
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            attach.accept(ctx.pipeline());
        } catch (RuntimeException e) {
            ReferenceCountUtil.release(msg); // the router retained the request for whoever comes next
            throw e;
        }
        ctx.fireChannelActive();
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Nothing after this handler saw the channel become active.
    }
}
