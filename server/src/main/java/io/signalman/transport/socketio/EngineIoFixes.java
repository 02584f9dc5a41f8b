package io.signalman.transport.socketio;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Two fixes to how netty-socketio answers Engine.IO requests. One instance per connection: it
 * remembers whether the request being answered was Engine.IO's.
 *
 * <p>netty-socketio closes every polling connection after the response but announces
 * {@code connection: keep-alive}; a client that reuses the connection then fails. This sets the
 * header to {@code close}, which is what happens.
 *
 * <p>netty-socketio flushes the answer to a poll before it has finished handling it: its polling
 * transport writes the queued packets (for a new session, the open packet with the {@code sid}) and
 * only then joins the session to the default namespace. A client that is quick with its next
 * request, on another connection and so on another event loop, races that join: both requests see
 * the session outside the namespace and both join it, so the dialect's connect listener runs twice
 * for one session (its open-connections gauge then never returns to zero), and Engine.IO 3 clients
 * get {@code 40} twice. Here the flushes made while an Engine.IO request is being handled wait until
 * its handling is complete, so nothing of the answer leaves before the session's state is settled.
 */
final class EngineIoFixes extends ChannelDuplexHandler {
    static final String NAME = "engineIoFixes";

    private boolean engineIoRequest;
    /** An Engine.IO request is being handled: flushes wait until it is done. */
    private boolean handling;
    private boolean flushHeld;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        // The router has rewritten /socket.io-next/ to PATH by now.
        engineIoRequest = request.uri().startsWith(SocketIoServer.PATH);
        if (!engineIoRequest || handling) {
            ctx.fireChannelRead(msg);
            return;
        }
        handling = true;
        try {
            ctx.fireChannelRead(msg);
        } finally {
            handling = false;
            if (flushHeld) {
                flushHeld = false;
                ctx.flush();
            }
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (handling) {
            flushHeld = true;
            return;
        }
        ctx.flush();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (engineIoRequest && msg instanceof HttpResponse response
                && !response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.write(msg, promise);
    }
}
