package io.signalman.transport;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.ssl.SslHandler;
import io.signalman.transport.socketio.SocketIoServer;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler after the HTTP codec: answers plain HTTP routes and turns upgrade requests into
 * WebSocket connections of the endpoint mounted at their path. After an upgrade it removes itself
 * and leaves the pipeline as: frame decoder, {@link WebSocketGate}, session.
 */
class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);

    private final Routes routes;
    private final boolean secure;
    private final SocketIoServer socketIo;
    private final ConnectionGuard guard;
    private ScheduledFuture<?> deadline;

    /**
     * @param socketIo the Socket.IO server whose handlers follow this one and take the Socket.IO paths, or null
     * @param guard    the node's door policy, or null for none
     */
    HttpRouter(Routes routes, boolean secure, SocketIoServer socketIo, ConnectionGuard guard) {
        this.routes = routes;
        this.secure = secure;
        this.socketIo = socketIo;
        this.guard = guard;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        armDeadline(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarmDeadline();
    }

    /**
     * A connection must deliver a complete request within the handshake timeout, and an idle
     * keep-alive connection is closed after as long: trickling bytes (slowloris) holds nothing.
     */
    private void armDeadline(ChannelHandlerContext ctx) {
        if (guard == null) return;
        disarmDeadline();
        deadline = ctx.executor().schedule(() -> {
            guard.refused("handshake-timeout");
            ctx.close();
        }, guard.limits().handshakeTimeoutMs(), TimeUnit.MILLISECONDS);
    }

    private void disarmDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        disarmDeadline();
        if (!request.decoderResult().isSuccess()) {
            respond(ctx, request, HttpResponses.text(HttpResponseStatus.BAD_REQUEST, "400 Bad Request"), false);
            return;
        }
        String uri = request.uri();
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        if (socketIo != null && (path.startsWith(SocketIoServer.PATH) || path.startsWith(SocketIoServer.NEXT_PATH))) {
            // Only a Socket.IO request without a sid starts a session; the others belong to one already.
            FullHttpResponse refusal = sessionRefusal(request, !uri.contains("sid="));
            if (refusal != null) {
                respond(ctx, request, refusal, false);
                return;
            }
            if (path.startsWith(SocketIoServer.NEXT_PATH)) {
                request.setUri(SocketIoServer.PATH + uri.substring(SocketIoServer.NEXT_PATH.length()));
            }
            ctx.fireChannelRead(request.retain());
            return;
        }

        Routes.Match match = routes.mount(path, uri);
        boolean upgrade = isWebSocketUpgrade(request);
        if (upgrade && match != null) {
            FullHttpResponse refusal = sessionRefusal(request, true);
            if (refusal != null) {
                respond(ctx, request, refusal, false);
                return;
            }
            upgrade(ctx, request, match);
            return;
        }
        HttpRoute route = routes.http(path);
        FullHttpResponse response;
        if (route != null) {
            response = route.handle(request);
        } else if (match != null) {
            response = match.mount().endpoint().plainHttp(request, match.rest());
        } else if ((route = routes.httpUnder(path)) != null) {
            response = route.handle(request);
        } else {
            response = routes.fallback().handle(request);
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        respond(ctx, request, response, keepAlive);
        if (keepAlive) armDeadline(ctx);
    }

    /**
     * Why this request may not proceed (a 403 for an origin off the allow-list, a 503 for a new
     * session while the node drains), or null.
     */
    private FullHttpResponse sessionRefusal(FullHttpRequest request, boolean newSession) {
        if (guard == null) return null;
        if (!guard.originAllowed(request.headers().get(HttpHeaderNames.ORIGIN))) {
            guard.refused("origin");
            return HttpResponses.text(HttpResponseStatus.FORBIDDEN, "403 Forbidden: origin not allowed");
        }
        if (newSession && guard.isDraining()) {
            guard.refused("draining");
            return HttpResponses.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "503 Service Unavailable: draining");
        }
        return null;
    }

    private static boolean isWebSocketUpgrade(FullHttpRequest request) {
        return request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && request.headers().contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, Routes.Match match) {
        Endpoint endpoint = match.mount().endpoint();
        SocketLimits limits = endpoint.limits();
        String location = (secure ? "wss://" : "ws://") + request.headers().get(HttpHeaderNames.HOST, "localhost")
                + request.uri();
        WebSocketDecoderConfig decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(limits.hardFrameBytes())
                .allowExtensions(false)
                .closeOnProtocolViolation(true)
                .build();
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(location, null, decoderConfig)
                .newHandshaker(request);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        ChannelHandler session;
        try {
            session = endpoint.open(ctx.channel(), request, match.rest());
        } catch (RuntimeException e) {
            log.warn("{} refused a connection: {}", endpoint.name(), e.toString());
            respond(ctx, request, HttpResponses.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "500"), false);
            return;
        }
        if (session == null) {
            respond(ctx, request, HttpResponses.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "503"), false);
            return;
        }
        ChannelPipeline pipeline = ctx.pipeline();
        // The session starts now rather than once the 101 has been written, and the handshake's
        // flush is held until it has: the session's first frame (a welcome) then leaves with the
        // response in one write, a segment and a wake-up of the client fewer per connection.
        // Frames pass the HTTP encoder untouched until the handshake removes it.
        pipeline.addLast(HeldFlush.NAME, new HeldFlush());
        handshaker.handshake(ctx.channel(), request).addListener((ChannelFutureListener) future -> {
            if (!future.isSuccess()) future.channel().close();
        });
        long checkMillis = limits.pingMillis() > 0 ? limits.pingMillis() : limits.idleMillis();
        pipeline.addLast("ws-gate", new WebSocketGate(endpoint.name(), limits.idleMillis(), Math.max(0, checkMillis),
                limits.hardFrameBytes()));
        pipeline.addLast("session", session);
        if (pipeline.get(HttpObjectAggregator.class) != null) pipeline.remove(HttpObjectAggregator.class);
        if (socketIo != null) socketIo.detach(pipeline);
        pipeline.remove(HeldFlush.NAME);
        pipeline.remove(this);
        pipeline.fireUserEventTriggered(Endpoint.SessionStart.INSTANCE);
        ctx.channel().flush();
    }

    /** Swallows flushes while an upgrade sets the pipeline up; the router flushes once at the end. */
    private static final class HeldFlush extends ChannelOutboundHandlerAdapter {
        static final String NAME = "upgrade-held-flush";

        @Override
        public void flush(ChannelHandlerContext ctx) {}
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response,
            boolean keepAlive) {
        if (keepAlive) {
            HttpUtil.setKeepAlive(response, true);
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP connection error: {}", cause.toString());
        ctx.close();
    }

    static boolean hasTls(ChannelPipeline pipeline) {
        return pipeline.get(SslHandler.class) != null;
    }
}
