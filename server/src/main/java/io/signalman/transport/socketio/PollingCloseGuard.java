package io.signalman.transport.socketio;

import com.corundumstudio.socketio.SocketIOChannelInitializer;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;

/**
 * Keeps the close of a long-polling connection from disconnecting its session. netty-socketio's
 * websocket transport handles {@code channelInactive} for every connection, polling ones included:
 * if the connection is still listed as one of a session's, it sends that session a Socket.IO
 * disconnect ({@code 41}). Its polling transport, one handler earlier, unlists the connection first,
 * but only if it is still the session's current poll; a poll that arrives on another event loop at
 * the same moment replaces the current one ({@code ClientHead.bindChannel}: update, then unlist the
 * old one) and, when the old connection's close falls between those two steps, the old connection is
 * neither current nor unlisted, and a fresh session receives {@code 41} right after its {@code 40}.
 * A connection that never carried a websocket request has nothing to hand the websocket transport,
 * so its close skips that handler and goes on to the ones after it.
 */
@ChannelHandler.Sharable
final class PollingCloseGuard extends ChannelInboundHandlerAdapter {
    static final String NAME = "pollingCloseGuard";
    /**
     * Set on a connection that carried a websocket request, by {@link PollingUpgradeGuard}, which sits
     * before this handler in every Socket.IO pipeline and already parses each request's query.
     */
    static final AttributeKey<Boolean> WEBSOCKET = AttributeKey.valueOf("signalman.websocketRequest");

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ChannelHandlerContext websocketTransport = ctx.pipeline().context(SocketIOChannelInitializer.WEB_SOCKET_TRANSPORT);
        if (websocketTransport == null || ctx.channel().hasAttr(WEBSOCKET)) {
            ctx.fireChannelInactive();
        } else {
            websocketTransport.fireChannelInactive();
        }
    }
}
