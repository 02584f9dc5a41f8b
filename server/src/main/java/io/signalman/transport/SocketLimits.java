package io.signalman.transport;

/**
 * Per-endpoint limits of a WebSocket connection.
 *
 * @param messageBytes  largest message a dialect accepts; a larger one gets the dialect's own answer
 * @param hardFrameBytes largest message the transport will even buffer; beyond it the connection
 *                       is closed with 1009, so a client cannot make the server hold unbounded data
 * @param pingMillis    how often the server pings a quiet connection (0: never)
 * @param idleMillis    how long a connection may stay silent (pongs count) before it is closed (0: forever)
 */
public record SocketLimits(int messageBytes, int hardFrameBytes, long pingMillis, long idleMillis) {
    public SocketLimits {
        if (messageBytes < 1 || hardFrameBytes < messageBytes) {
            throw new IllegalArgumentException("need 0 < messageBytes <= hardFrameBytes");
        }
    }
}
