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
 * netty-socketio closes every polling connection after the response but announces
 * {@code connection: keep-alive}; a client that reuses the connection then fails. This sets the
 * header to {@code close}, which is what happens. One instance per connection: it remembers whether
 * the request being answered was Engine.IO's.
 */
final class EngineIoFixes extends ChannelDuplexHandler {
    static final String NAME = "engineIoFixes";

    private boolean engineIoRequest;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request) {
            engineIoRequest = request.uri().startsWith(SocketIoServer.PATH) || request.uri().startsWith(SocketIoServer.NEXT_PATH);
        }
        ctx.fireChannelRead(msg);
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
