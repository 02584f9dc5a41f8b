package io.signalman.transport.socketio;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;

/**
 * Two corrections to what netty-socketio writes, so that clients see what the original servers
 * sent them:
 * <ul>
 *   <li>It closes every polling connection after the response but announces
 *       {@code connection: keep-alive}; a client that reuses the connection then fails. The header is
 *       set to {@code close}, which is what happens.</li>
 *   <li>Its open packet on a websocket lists {@code "upgrades":["websocket"]} for Engine.IO 3 and lacks
 *       {@code maxPayload}; socket.io 4 sends {@code "upgrades":[]} (a websocket cannot upgrade) and
 *       {@code maxPayload}. The packet is rewritten when the listener's original did so.</li>
 * </ul>
 * One instance per connection: it remembers whether the request being answered was Engine.IO's.
 */
final class EngineIoFixes extends ChannelDuplexHandler {
    static final String NAME = "engineIoFixes";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Integer maxPayload;
    private boolean engineIoRequest;

    /** @param maxPayload the {@code maxPayload} to announce, or null when the original did not */
    EngineIoFixes(Integer maxPayload) {
        this.maxPayload = maxPayload;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request) {
            engineIoRequest = request.uri().startsWith(SocketIoServer.PATH) || request.uri().startsWith(SocketIoServer.NEXT_PATH);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (engineIoRequest && msg instanceof HttpResponse response && !response.status().equals(
                io.netty.handler.codec.http.HttpResponseStatus.SWITCHING_PROTOCOLS)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (msg instanceof TextWebSocketFrame frame && isOpenPacket(frame.content())) {
            msg = rewriteOpenPacket(frame);
        }
        ctx.write(msg, promise);
    }

    private static boolean isOpenPacket(ByteBuf content) {
        return content.readableBytes() > 2 && content.getByte(content.readerIndex()) == '0'
                && content.getByte(content.readerIndex() + 1) == '{';
    }

    private Object rewriteOpenPacket(TextWebSocketFrame frame) {
        String text = frame.content().toString(StandardCharsets.UTF_8);
        try {
            if (!(JSON.readTree(text.substring(1)) instanceof ObjectNode open) || !open.has("sid")) return frame;
            open.putArray("upgrades");
            if (maxPayload != null) open.put("maxPayload", maxPayload);
            frame.release();
            return new TextWebSocketFrame("0" + JSON.writeValueAsString(open));
        } catch (java.io.IOException e) {
            return frame;
        }
    }
}
