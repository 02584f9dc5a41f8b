package io.signalman.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.AttributeKey;

/** Helpers for ending WebSocket connections the same way in every dialect. */
public final class Sockets {
    private Sockets() {}

    /** The status code of the client's close frame (-1: a close frame without one); unset if none came. */
    public static final AttributeKey<Integer> CLIENT_CLOSE_STATUS = AttributeKey.valueOf("signalman.clientClose");

    /** Set when the server ended the connection for something its client did (see {@link #closeForCause}). */
    private static final AttributeKey<Boolean> CLOSED_FOR_CAUSE = AttributeKey.valueOf("signalman.closedForCause");

    /**
     * Closes with a status and reason because of what the client did (flooding, a bad frame, a
     * kick), which a session that could outlive its connection must not outlive.
     */
    public static void closeForCause(Channel channel, int status, String reason) {
        markClosedForCause(channel);
        close(channel, status, reason);
    }

    /** Records that the connection is being ended for cause, for a close that sends no close frame. */
    public static void markClosedForCause(Channel channel) {
        channel.attr(CLOSED_FOR_CAUSE).set(Boolean.TRUE);
    }

    /** Whether the server ended the connection for cause. */
    public static boolean closedForCause(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(CLOSED_FOR_CAUSE).get());
    }

    /** Sends a close frame with a status and reason, then closes the connection. */
    public static void close(Channel channel, int status, String reason) {
        channel.writeAndFlush(new CloseWebSocketFrame(status, reason)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Sends a close frame without a status code (the client sees 1005), then closes the connection. */
    public static void closeWithoutStatus(Channel channel) {
        channel.writeAndFlush(new CloseWebSocketFrame()).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Whether the client ended the session cleanly: a close frame with 1000, 1001 or no status. Any
     * other end (no close frame, an error status) is a loss of transport.
     */
    public static boolean closedCleanly(Channel channel) {
        Integer status = channel.attr(CLIENT_CLOSE_STATUS).get();
        return status != null && (status == -1 || status == 1000 || status == 1001);
    }
}
