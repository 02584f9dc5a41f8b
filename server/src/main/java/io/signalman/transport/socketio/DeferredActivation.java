package io.signalman.transport.socketio;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Holds back {@code channelActive} from netty-socketio's handlers until a request actually reaches
 * them. netty-socketio's authorize handler arms a "first data" timer (5 s) when a channel becomes
 * active and disarms it only when it reads a request itself; our router keeps every request that is
 * not Socket.IO (plain WebSocket dialects, HTTP routes), so those connections were closed 5 s after
 * they opened. Deferring the event means the timer is armed only for Socket.IO connections, where
 * the very read that follows disarms it. One instance per channel (it remembers one flag).
 */
final class DeferredActivation extends ChannelInboundHandlerAdapter {
    static final String NAME = "socketio-deferred-activation";

    private boolean activationPending;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        activationPending = true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (activationPending) {
            activationPending = false;
            ctx.fireChannelActive();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Handlers that never saw the channel become active are not told it went away either.
        if (activationPending) {
            activationPending = false;
            return;
        }
        ctx.fireChannelInactive();
    }
}
