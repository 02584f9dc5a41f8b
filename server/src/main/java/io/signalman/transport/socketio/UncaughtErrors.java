package io.signalman.transport.socketio;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a Socket.IO connection. Only the packet handler of netty-socketio hands its
 * exceptions to our exception listener; one thrown by its transports (a malformed request, a stale
 * session) would reach the end of the pipeline, where Netty logs a warning and keeps the connection
 * open. Here it closes the connection instead, and is logged at debug level: the cause is the
 * client's input, which the next client can repeat as often as it likes.
 */
@ChannelHandler.Sharable
final class UncaughtErrors extends ChannelInboundHandlerAdapter {
    static final String NAME = "socketio-uncaught-errors";
    private static final Logger log = LoggerFactory.getLogger(UncaughtErrors.class);

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("closing Socket.IO connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
