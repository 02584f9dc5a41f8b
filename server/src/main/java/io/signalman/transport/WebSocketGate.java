package io.signalman.transport;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transport concerns every dialect shares, written once: answers pings, completes the closing
 * handshake, pings quiet connections, closes silent ones, and passes only text and binary frames on
 * to the session.
 *
 * <p>The quiet-connection check is a timer of this handler's own rather than Netty's
 * {@code IdleStateHandler}: one handler and one timer task fewer per connection, which is memory
 * every idle connection holds (docs/PERFORMANCE.md). For the same reason the frame aggregator is
 * added only when a client first sends a fragmented message: most clients never do, and the
 * aggregator and its pipeline context are about 100 bytes per connection.
 */
final class WebSocketGate extends ChannelInboundHandlerAdapter implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(WebSocketGate.class);
    private static final String AGGREGATOR = "ws-aggregator";

    private final String endpoint;
    private final long idleNanos;
    private final long checkNanos;
    private final int maxMessageBytes;
    private long lastReadNanos = System.nanoTime();
    private boolean closing;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> check;

    /**
     * @param idleMillis  how long the client may stay silent (0: forever)
     * @param checkMillis how long a silence lasts before the client is pinged, and how often that
     *                    repeats (0: no pings and no idle check)
     * @param maxMessageBytes largest message a fragmented one may add up to
     */
    WebSocketGate(String endpoint, long idleMillis, long checkMillis, int maxMessageBytes) {
        this.endpoint = endpoint;
        this.maxMessageBytes = maxMessageBytes;
        this.idleNanos = idleMillis * 1_000_000;
        this.checkNanos = checkMillis * 1_000_000;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (checkNanos > 0) check = ctx.executor().schedule(this, checkNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stopChecking();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stopChecking();
        super.channelInactive(ctx);
    }

    private void stopChecking() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    /**
     * The quiet-connection check, on the channel's event loop: after a silence of a whole interval,
     * ping the client, and close it once it has been silent (not even a pong) for the idle timeout.
     */
    @Override
    public void run() {
        if (check == null || !ctx.channel().isOpen()) return;
        long silent = System.nanoTime() - lastReadNanos;
        if (silent < checkNanos) {
            check = ctx.executor().schedule(this, checkNanos - silent, TimeUnit.NANOSECONDS);
            return;
        }
        if (idleNanos > 0 && silent >= idleNanos) {
            log.debug("{}: closing {} after its idle timeout", endpoint, ctx.channel().remoteAddress());
            check = null;
            Sockets.close(ctx.channel(), WebSocketCloseStatus.POLICY_VIOLATION.code(), "idle timeout");
            return;
        }
        ctx.writeAndFlush(new PingWebSocketFrame());
        check = ctx.executor().schedule(this, checkNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (isFragment(msg) && ctx.pipeline().get(AGGREGATOR) == null) {
            // The first fragment: from here on an aggregator ahead of this handler joins the
            // fragments, and hands this handler whole messages (or closes an oversized one).
            WebSocketFrameAggregator aggregator = new WebSocketFrameAggregator(maxMessageBytes);
            ctx.pipeline().addBefore(ctx.name(), AGGREGATOR, aggregator);
            ChannelHandlerContext aggregatorContext = ctx.pipeline().context(AGGREGATOR);
            try {
                aggregator.channelRead(aggregatorContext, msg);
            } catch (Exception e) {
                // What the pipeline does with an exception a handler throws: on to the next handler.
                aggregatorContext.fireExceptionCaught(e);
            }
            return;
        }
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

    private static boolean isFragment(Object msg) {
        return msg instanceof ContinuationWebSocketFrame
                || (msg instanceof WebSocketFrame frame && !frame.isFinalFragment()
                        && (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame));
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
