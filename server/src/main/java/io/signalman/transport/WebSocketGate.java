package io.signalman.transport;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transport concerns every dialect shares, written once: answers pings, completes the closing
 * handshake, pings quiet connections, closes silent ones, and passes only text and binary frames on
 * to the session.
 */
final class WebSocketGate extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(WebSocketGate.class);

    private final String endpoint;
    private final long idleNanos;
    private long lastReadNanos = System.nanoTime();
    private boolean closing;

    /** @param idleMillis how long the client may stay silent (0: forever) */
    WebSocketGate(String endpoint, long idleMillis) {
        this.endpoint = endpoint;
        this.idleNanos = idleMillis * 1_000_000;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastReadNanos = System.nanoTime();
        if (msg instanceof PingWebSocketFrame ping) {
            ctx.writeAndFlush(new PongWebSocketFrame(ping.content()));
        } else if (msg instanceof PongWebSocketFrame pong) {
            pong.release();
        } else if (msg instanceof CloseWebSocketFrame close) {
            // Echo the status so the client's close completes cleanly; the session sees channelInactive.
            int status = close.statusCode();
            close.release();
            if (!closing) {
                closing = true;
                CloseWebSocketFrame reply = status < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(status, "");
                ctx.channel().attr(Sockets.CLIENT_CLOSE_STATUS).set(status);
                ctx.fireUserEventTriggered(Endpoint.ClientClosing.INSTANCE);
                // Queued behind writes other threads handed over before the session heard of the
                // close: a frame written after the echo would never be read by the client.
                ctx.channel().eventLoop().execute(() -> ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE));
            }
        } else if (msg instanceof WebSocketFrame) {
            ctx.fireChannelRead(msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        // The idle handler fires after every heartbeat interval without reads: ping the client, and
        // close it once it has been silent (not even a pong) for the whole idle timeout.
        if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            if (idleNanos > 0 && System.nanoTime() - lastReadNanos >= idleNanos) {
                log.debug("{}: closing {} after its idle timeout", endpoint, ctx.channel().remoteAddress());
                Sockets.close(ctx.channel(), WebSocketCloseStatus.POLICY_VIOLATION.code(), "idle timeout");
            } else {
                ctx.writeAndFlush(new PingWebSocketFrame());
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException || cause instanceof CorruptedFrameException) {
            log.debug("{}: {} sent a bad frame: {}", endpoint, ctx.channel().remoteAddress(), cause.getMessage());
            Sockets.closeForCause(ctx.channel(), WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message too big");
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
