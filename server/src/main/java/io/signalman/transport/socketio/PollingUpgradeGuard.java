package io.signalman.transport.socketio;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Closes a race in netty-socketio's polling-to-websocket upgrade. On {@code 2probe} it releases the
 * pending poll with one noop; a client that polls again before it pauses polling gets no answer, and
 * drops the session when the poll times out (most cold default-transport connections failed).
 * Between a session's {@code 2probe} and its {@code 5} (upgrade done) this handler answers every
 * polling GET of that session with a noop framed for the client's Engine.IO version. It also marks
 * connections that carried a websocket request, for {@link PollingCloseGuard} further on.
 */
@ChannelHandler.Sharable
final class PollingUpgradeGuard extends ChannelInboundHandlerAdapter {
    static final String NAME = "pollingUpgradeGuard";
    private static final AttributeKey<String> UPGRADING_SID = AttributeKey.valueOf("signalman.upgradingSid");
    private static final byte[] EIO3_BINARY_NOOP = {0x00, 0x01, (byte) 0xFF, '6'};

    private final Set<String> probing = ConcurrentHashMap.newKeySet();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request) {
            QueryStringDecoder query = new QueryStringDecoder(request.uri());
            String sid = first(query.parameters(), "sid");
            String transport = first(query.parameters(), "transport");
            boolean websocket = "websocket".equals(transport);
            if (websocket) ctx.channel().attr(PollingCloseGuard.WEBSOCKET).set(Boolean.TRUE);
            if (sid != null && websocket) {
                ctx.channel().attr(UPGRADING_SID).set(sid);
            } else if (sid != null && "polling".equals(transport) && request.method() == HttpMethod.GET
                    && probing.contains(sid)) {
                answerNoop(ctx, request, query.parameters());
                ReferenceCountUtil.release(msg);
                return;
            }
        } else if (msg instanceof TextWebSocketFrame frame) {
            String sid = ctx.channel().attr(UPGRADING_SID).get();
            if (sid != null) {
                ByteBuf content = frame.content();
                if (content.readableBytes() == 6 && "2probe".equals(content.toString(StandardCharsets.US_ASCII))) {
                    probing.add(sid);
                } else if (content.readableBytes() == 1 && content.getByte(content.readerIndex()) == '5') {
                    probing.remove(sid);
                    ctx.channel().attr(UPGRADING_SID).set(null);
                }
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        String sid = ctx.channel().attr(UPGRADING_SID).getAndSet(null);
        if (sid != null) probing.remove(sid);
        ctx.fireChannelInactive();
    }

    private static void answerNoop(ChannelHandlerContext ctx, FullHttpRequest request, Map<String, List<String>> query) {
        boolean eio3 = "3".equals(first(query, "EIO"));
        boolean base64 = "1".equals(first(query, "b64")) || "true".equals(first(query, "b64"));
        FullHttpResponse response;
        if (!eio3) {
            response = response("6".getBytes(StandardCharsets.US_ASCII), "text/plain; charset=UTF-8");
        } else if (base64) {
            response = response("1:6".getBytes(StandardCharsets.US_ASCII), "text/plain; charset=UTF-8");
        } else {
            response = response(EIO3_BINARY_NOOP, "application/octet-stream");
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null) {
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
        HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
        ctx.writeAndFlush(response);
    }

    private static FullHttpResponse response(byte[] body, String type) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }

    /** The first value of a query parameter, or null. */
    private static String first(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
