package io.signalman.transport.socketio;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.signalman.transport.ConnectionGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a Socket.IO connection whose outbound queue passed the node's limit. netty-socketio writes
 * every event it is given, so a client that stops reading would otherwise grow the node's memory
 * without bound. The listener sets the channel's high water mark to the limit, so the channel turning
 * unwritable is the signal, as for the plain-WebSocket dialects' sessions. Closing a websocket ends
 * its Engine.IO session (netty-socketio treats it as a transport close).
 */
@ChannelHandler.Sharable
final class SlowReaderEviction extends ChannelInboundHandlerAdapter {
    static final String NAME = "socketio-slow-reader";
    private static final Logger log = LoggerFactory.getLogger(SlowReaderEviction.class);

    private final ConnectionGuard guard;

    SlowReaderEviction(ConnectionGuard guard) {
        this.guard = guard;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!ctx.channel().isWritable() && ctx.channel().isActive()) {
            guard.refused("slow-reader");
            log.debug("closing Socket.IO connection from {}: more than {} bytes queued for it",
                    ctx.channel().remoteAddress(), guard.limits().outboundQueueBytes());
            ctx.close();
            return;
        }
        ctx.fireChannelWritabilityChanged();
    }
}
