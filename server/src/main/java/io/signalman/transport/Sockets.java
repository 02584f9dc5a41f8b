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
