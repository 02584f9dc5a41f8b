package io.signalman.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;

/**
 * A WebSocket service mounted at a path of a listener: what a dialect offers the transport. The
 * transport does the upgrade, framing, limits and heartbeats; the endpoint supplies the handler
 * that turns frames into core operations.
 */
public interface Endpoint {

    /** Name for logs and metrics, usually the dialect's. */
    String name();

    /** Frame and heartbeat limits for connections of this endpoint. */
    SocketLimits limits();

    /**
     * Creates the handler for one upgraded connection. It receives {@link SessionStart} once the
     * handshake response is queued (frames it writes then leave with the response, in one write),
     * then text and binary frames (control frames are handled by the transport).
     *
     * @param rest the request URI after the mount path, query string included
     */
    ChannelHandler open(Channel channel, FullHttpRequest request, String rest);

    /** Answers a request at this mount that is not a WebSocket upgrade. */
    default FullHttpResponse plainHttp(FullHttpRequest request, String rest) {
        return HttpResponses.upgradeRequired();
    }

    /** Fired into the session handler once the upgrade has completed. */
    enum SessionStart { INSTANCE }

    /**
     * The client sent a close frame (its status is in {@link Sockets#CLIENT_CLOSE_STATUS}); the
     * echo that ends the connection follows once the writes already queued for it are out, so a
     * session that outlives its connection can stop writing to it first.
     */
    enum ClientClosing { INSTANCE }
}
